/**
 * npm run nightly: what takes too long to gate every merge, run on a schedule (.github/workflows/nightly.yml).
 * Every step runs even when an earlier one failed; the exit code is non-zero when any step failed.
 *   1. the whole self-check: every planted defect on every (row, check) pair it must turn red, under both profiles,
 *      nothing else red (npm test runs it on a sample of rows: npm run selfcheck -- --sample 3);
 *   2. flakiness: the clean stack ten times per profile, every check whose verdict changed named
 *      (npm run selfcheck -- --repeat 10);
 *   3. deep conformance: Schemathesis with every phase, 50 examples per operation and every version, under
 *      both profiles (npm start -- --only conformance --conformance-depth nightly [--profile acme]).
 * Outputs: reports/output/selfcheck/campaign/selfcheck.json and reports/output/selfcheck/repeat/repeat.json; the closing
 * line in reports/output/nightly.txt.
 */
import { join } from 'node:path';
import { reportPaths } from '../reports/paths.ts';
import { runSteps, type Step } from './steps.ts';

const steps: Step[] = [
  { name: 'self-check (every pair)', command: 'node', args: ['scripts/selfcheck.ts'] },
  { name: 'flakiness (10 clean runs)', command: 'node', args: ['scripts/selfcheck.ts', '--repeat', '10'] },
  ...['reference', 'acme'].map((profile) => ({
    name: `conformance, nightly depth (${profile})`,
    command: 'node',
    args: ['scripts/main.ts', '--only', 'conformance', '--conformance-depth', 'nightly', '--profile', profile],
  })),
];

await runSteps('npm run nightly', steps, join(reportPaths().output, 'nightly.txt'));
