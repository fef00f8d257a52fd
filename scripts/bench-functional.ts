/**
 * npm run bench:functional
 * Wall time of the full functional run against the embedded stack, with the stack's start
 * reported apart, and checks per second. Figures only: nothing here passes or fails on time.
 */

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { defaultWorkers } from '../fixtures/playwright/workers.ts';
import { writePrivateTargetFile } from '../fixtures/target/private-target-file.ts';
import { targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { startStack } from '../reference-implementation/stack.ts';
import { reportPaths } from '../reports/paths.ts';
import { RowCoverage } from '../reports/row-coverage.ts';
import { cliCommand, wholeNumber } from './cli.ts';
import { runCommand } from './run-command.ts';

const { workers } = cliCommand(
  'npm run bench:functional --',
  'Wall time of the full functional run against the embedded stack, with the stack’s start reported apart, and checks per second. Figures only.',
  ['npm run bench:functional', 'npm run bench:functional -- --workers 4'],
)
  .option(
    '--workers <n>',
    `Playwright workers (default: ${defaultWorkers(true)}, the machine's default)`,
    wholeNumber(1, 64),
    defaultWorkers(true),
  )
  .parse()
  .opts<{ workers: number }>();

/** The bench's run keeps its outputs apart from the last real run's. */
const benchOutput = reportPaths(join(reportPaths().output, 'bench'));
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');

console.log(`load average before: ${load()}`);
let started = performance.now();
const stack = await startStack();
const stackSeconds = (performance.now() - started) / 1000;
const privateFile = writePrivateTargetFile(stack.target);
const targetFile = privateFile.file;
mkdirSync(benchOutput.output, { recursive: true });

try {
  started = performance.now();
  // The stack answers from this process: runCommand keeps its event loop free.
  const exitCode = await runCommand(
    'playwright',
    ['test', '--project=functional', `--workers=${workers}`, '--reporter=dot,./reports/row-coverage-reporter.ts'],
    {
      stdout: 'ignore',
      env: { [targetFileVariable]: targetFile, TD448_REPORT_OUTPUT: benchOutput.output },
    },
  );
  const runSeconds = (performance.now() - started) / 1000;
  if (!existsSync(benchOutput.rowCoverage))
    throw new Error(`the functional run wrote no ${benchOutput.rowCoverage} (exit ${exitCode}): run it alone to see why`);
  const { totals } = RowCoverage.parse(JSON.parse(readFileSync(benchOutput.rowCoverage, 'utf8')));
  const checks = totals.checks.passed + totals.checks.failed + totals.checks.notRun;
  console.log(`\nstack start            ${stackSeconds.toFixed(1)} s`);
  console.log(
    `functional run         ${runSeconds.toFixed(1)} s wall (exit ${exitCode}), ${totals.rowsCovered}/${totals.rows} rows covered`,
  );
  console.log(
    `checks                 ${checks} (${totals.checks.passed} passed, ${totals.checks.failed} failed, ${totals.checks.notRun} not run)`,
  );
  console.log(`checks per second      ${(checks / runSeconds).toFixed(1)} with ${workers} workers`);
  console.log(`load average after     ${load()} (2 cores: above 2 the figures measure the machine as much as the suite)`);
} finally {
  privateFile.remove();
  await stack.stop();
}
