/**
 * npm run report [-- --single-file]
 * Builds the report from what the suites left in reports/output: the traceability matrix
 * (reports/output/traceability.{csv,json,html}), the Allure 3 report (reports/output/allure-report),
 * its quality gate, and reports/output/summary.json. Exits 1 when the run failed (see the summary).
 */
import { buildReport } from '../reports/build-report.ts';
import { formatSummary } from '../reports/summary.ts';
import { cliCommand } from './cli.ts';

const values = cliCommand(
  'npm run report --',
  'Builds the report of the last run from reports/output (TD448_REPORT_OUTPUT): the traceability matrix, the Allure 3 report with its quality gate, and summary.json. Exit 0 when the run passed, 1 otherwise.',
  ['npm run report', 'npm run report -- --single-file      # the Allure report as one HTML file'],
)
  .option('--single-file', 'the Allure report as one HTML file')
  .parse()
  .opts<{ singleFile?: boolean }>();
const summary = await buildReport({ singleFile: values.singleFile ?? false, log: (line) => console.log(line) });
console.log(formatSummary(summary));
process.exit(summary.verdict === 'passed' ? 0 : 1);
