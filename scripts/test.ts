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
 *   4. the proof of failure, under both profiles: defects planted in the reference implementation turn
 *      exactly their rows red, and the summary, the matrix and the report of that run name the same rows
 *      (the acme proof plants the rate-limit leak on one endpoint instead of the defect that masks it); the
 *      defects that break one check of every row, proven on a sample of rows (npm run nightly: all rows);
 *   5. the @resilience checks (npm run resilience -- --prove): the Kafka broker cut in the middle of a write load and
 *      restored, every acknowledged operation's event then arriving once, in order per key; a relay that drops what
 *      the broker refused must be caught.
 * The closing line is the one CI systems read: "ci: N passed, N failed, N skipped" over steps 2, 3 and 5.
 */
import { join } from 'node:path';
import { everyRowProofArgs, maskedDefects } from '../functional/proofs/planted-defects.ts';
import { Defect } from '../reference-implementation/defects.ts';
import { reportPaths } from '../reports/paths.ts';
import { runSteps, type Step } from './steps.ts';

const mainJob = reportPaths();
const acmeJob = reportPaths(join(mainJob.output, 'as-deployment-acme'));
const selfTests = reportPaths(join(mainJob.output, 'self-tests'));
const projectTests = ['unit', 'reference', 'load', 'report', 'contracts-specs'];

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
  { name: 'proof of failure', command: 'node', args: ['scripts/prove-defects.ts'] },
  // The acme proof plants the defects the reference proof cannot tell apart (a rate-limit leak on one endpoint,
  // masked there by 429 without Retry-After everywhere), in place of those that mask them.
  {
    name: 'proof (acme)',
    command: 'node',
    args: ['scripts/prove-defects.ts', '--profile', 'acme', ...maskedDefects(Defect.options).flatMap((defect) => ['--defect', defect])],
  },
  // Defects that break one check of every row: each worker restarts after a failed check (0.8–2.5 s each, measured), so npm test
  // proves them on the rows ending in 7 (64 checks); `npm run nightly` on all 320 rows.
  {
    name: 'proof (every row, sampled)',
    command: 'node',
    args: ['scripts/prove-defects.ts', ...everyRowProofArgs(Defect.options, String.raw`@row-\d*7\b`)],
  },
  // The broker cut mid-load through the stack's fault port; then with each resilience defect planted, which it must catch.
  {
    name: 'resilience',
    command: 'node',
    args: ['scripts/resilience.ts', '--prove'],
    junit: reportPaths(join(mainJob.output, 'resilience')).junit,
  },
];

await runSteps('npm test', steps, join(mainJob.output, 'npm-test.txt'));
