/**
 * npm run report [-- --single-file]
 * Builds the report from what the suites left in reports/output: the traceability matrix
 * (reports/output/traceability.{csv,json,html}), the Allure 3 report (reports/output/allure-report),
 * its quality gate, and reports/output/summary.json. Exits 1 when the run failed (see the summary).
 */
import { parseArgs } from 'node:util';
import { buildReport } from '../reports/build-report.ts';
import { formatSummary } from '../reports/summary.ts';

const { values } = parseArgs({ options: { 'single-file': { type: 'boolean', default: false } } });
const summary = await buildReport({ singleFile: values['single-file'], log: (line) => console.log(line) });
console.log(formatSummary(summary));
process.exit(summary.verdict === 'passed' ? 0 : 1);
