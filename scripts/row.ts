/**
 * npm run row -- 214 [--json]
 * Is row 214 covered, and does it pass? Reads the traceability matrix of the last run
 * (reports/output/traceability.json; TD448_REPORT_OUTPUT moves it) and prints the row, its status and
 * each of its checks. Exit 0 when every check of the row passed, 1 otherwise, 2 for a bad request.
 */
import { parseArgs } from 'node:util';
import { reportPaths } from '../reports/paths.ts';
import { describeRow, findRow, RowLookupError, readMatrix } from '../reports/row-lookup.ts';

try {
  const { values, positionals } = parseArgs({ options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
  if (positionals.length !== 1) throw new RowLookupError('name one catalog row: npm run row -- 214');
  const row = findRow(readMatrix(reportPaths().traceabilityJson), positionals[0] as string);
  console.log(values.json ? JSON.stringify(row, null, 2) : describeRow(row));
  process.exit(row.status === 'passed' ? 0 : 1);
} catch (error) {
  if (!(error instanceof RowLookupError) && !(error instanceof TypeError)) throw error;
  console.error(`npm run row: ${error.message}`);
  process.exit(2);
}
