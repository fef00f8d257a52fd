/**
 * npm run nightly: what takes too long to gate every merge, run on a schedule. Every step runs even when an
 * earlier one failed; the exit code is non-zero when any step failed.
 *   1. the proof of the defects that break one check of every row (check-scope-kind-only, log-presented-token):
 *      all 640 (row, check) pairs red, nothing else (npm test proves them on the rows ending in 7).
 * Outputs go to reports/output/defects-selected like every proof's; the closing line to reports/output/nightly.txt.
 */
import { join } from 'node:path';
import { everyRowProofArgs } from '../functional/proofs/planted-defects.ts';
import { Defect } from '../reference-implementation/defects.ts';
import { reportPaths } from '../reports/paths.ts';
import { runSteps, type Step } from './steps.ts';

const steps: Step[] = [
  { name: 'proof (every row)', command: 'node', args: ['scripts/prove-defects.ts', ...everyRowProofArgs(Defect.options)] },
];

await runSteps('npm run nightly', steps, join(reportPaths().output, 'nightly.txt'));
