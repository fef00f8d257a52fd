/**
 * npm run row -- 214 [--json]
 * Is row 214 covered, and does it pass? Reads the traceability matrix of the last run
 * (reports/output/traceability.json; TD448_REPORT_OUTPUT moves it) and prints the row, its status and
 * each of its checks. Exit 0 when every check of the row passed, 1 otherwise, 2 for a bad request.
 */
import { reportPaths } from '../reports/paths.ts';
import { describeRow, findRow, RowLookupError, readMatrix } from '../reports/row-lookup.ts';
import { cliCommand } from './cli.ts';

const command = cliCommand(
  'npm run row --',
  'Prints one catalog row as the last run saw it: its status and each of its checks, with why one failed. Exit 0 when all passed, 1 otherwise, 2 for an unknown row or no run.',
  ['npm run row -- 214', 'npm run row -- 214 --json     # for machines'],
)
  .argument('<row>', 'the catalog row number')
  .option('--json', 'the row of the traceability matrix as JSON')
  .parse();
const values = command.opts<{ json?: boolean }>();
try {
  const row = findRow(readMatrix(reportPaths().traceabilityJson), command.args[0] as string);
  console.log(values.json ? JSON.stringify(row, null, 2) : describeRow(row));
  process.exit(row.status === 'passed' ? 0 : 1);
} catch (error) {
  if (!(error instanceof RowLookupError) && !(error instanceof TypeError)) throw error;
  console.error(`npm run row: ${error.message}`);
  process.exit(2);
}
