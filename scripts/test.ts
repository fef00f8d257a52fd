/**
 * npm test: everything CI gates a merge on, step by step. Every step runs even when an earlier one
 * failed, so that one red run tells everything; the exit code is non-zero when any step failed.
 *   1. typecheck and lint;
 *   2. the main job (npm start): contracts, functional suite and load smoke against the embedded
 *      stack, and the report built from them (reports/output); then the same against the embedded stack
 *      serving the acme profile as a user's deployment would be tested: a target file with the roles the
 *      README asks for, naming its profile, and nothing else (reports/output/as-deployment-acme), run twice
 *      against the same stack: both runs green, and no record of a run left behind;
 *   3. the project's own tests: catalog parser, reference implementation, load planning, report step,
 *      contract documents, and the main job's report opened in Chromium (reports/output/self-tests);
 *   4. the self-check (npm run selfcheck -- --sample 3): every planted defect under both profiles, in batches
 *      of defects whose declared (row, check) pairs can be told apart, judged on three rows per defect: each must
 *      be caught on every pair run, and nothing else may turn red; then the proof of the report: a few defects
 *      planted, and the summary, the matrix and the report of that run (seen in Chromium) name exactly their rows;
 *   5. the @resilience checks (npm run resilience): the Kafka broker cut in the middle of a write load and restored,
 *      every acknowledged operation's event then arriving once, in order per key; the service killed mid-load and
 *      restarted, nothing acknowledged lost or torn (the self-check planted the defects these checks must catch).
 * The closing line is the one CI systems read: "ci: N passed, N failed, N skipped" over steps 2, 3 and 5.
 */
import { join } from 'node:path';
import type { Defect } from '../reference-implementation/defects.ts';
import { reportPaths } from '../reports/paths.ts';
import { runSteps, type Step } from './steps.ts';

const mainJob = reportPaths();
const acmeJob = reportPaths(join(mainJob.output, 'as-deployment-acme'));
const selfTests = reportPaths(join(mainJob.output, 'self-tests'));
const projectTests = ['unit', 'selfcheck', 'reference', 'load', 'report', 'contracts-specs'];
/** Defects of one or two endpoints or methods each (70-odd red pairs): the report proof needs red rows, not many. */
const reportProofDefects: Defect[] = [
  'skip-rollback',
  'drop-request-id-on-patch',
  'slow-invoice-create',
  'omit-location-for-client-ids',
  'xml-create-without-data',
];

const steps: Step[] = [
  { name: 'typecheck', command: 'tsc', args: ['-p', '.'] },
  { name: 'lint', command: 'biome', args: ['check', '.'] },
  { name: 'main job', command: 'node', args: ['scripts/main.ts'], junit: mainJob.junit },
  {
    name: 'main job (acme, as a deployment)',
    command: 'node',
    // Twice against the one stack: a deployment is never fresh, and each run leaves none of its records behind.
    args: ['scripts/as-deployment.ts', '--profile', 'acme', '--runs', '2'],
    junit: [acmeJob.junit, reportPaths(join(acmeJob.output, 'run-2')).junit],
  },
  {
    name: 'project tests',
    command: 'playwright',
    // The chart of the load across a broker outage is checked by the resilience step, in the report of its own run.
    args: ['test', ...projectTests.map((project) => `--project=${project}`), '--grep-invert', 'across a broker outage'],
    env: { TD448_REPORT_OUTPUT: selfTests.output, TD448_LAST_RUN_OUTPUT: mainJob.output },
    junit: selfTests.junit,
  },
  // The suite's power: every planted defect under both profiles, in batches told apart by their declared pairs, on three
  // rows per defect (npm run nightly: every pair); caught, missed, false alarms, mutation score and precision printed.
  { name: 'self-check', command: 'node', args: ['scripts/selfcheck.ts', '--sample', '3'] },
  // The report says what the run saw: a few defects with small red sets, and every output of that run (summary, matrix,
  // Allure, the report in Chromium) names exactly their rows.
  {
    name: 'proof of the report',
    command: 'node',
    args: ['scripts/prove-defects.ts', ...reportProofDefects.flatMap((defect) => ['--defect', defect])],
  },
  // The broker cut mid-load through the stack's fault port, the service killed mid-load (the self-check planted the
  // resilience defects, which these checks must catch).
  {
    name: 'resilience',
    command: 'node',
    args: ['scripts/resilience.ts'],
    junit: reportPaths(join(mainJob.output, 'resilience')).junit,
  },
];

await runSteps('npm test', steps, join(mainJob.output, 'npm-test.txt'));
