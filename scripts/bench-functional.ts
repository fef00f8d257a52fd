/**
 * npm run bench:functional
 * Wall time of the full functional run against the embedded stack, with the stack's start
 * reported apart, and checks per second. Figures only: nothing here passes or fails on time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { startStack } from '../reference-implementation/stack.ts';
import { reportPaths } from '../reports/paths.ts';
import { RowCoverage } from '../reports/row-coverage.ts';

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
const targetFile = benchOutput.target;
mkdirSync(benchOutput.output, { recursive: true });
writeFileSync(targetFile, JSON.stringify(stack.target), { mode: 0o600 });

try {
  started = performance.now();
  // Asynchronously: the stack answers from this process, so its event loop must stay free.
  const child = spawn('playwright', ['test', '--project=functional', '--reporter=dot,./reports/row-coverage-reporter.ts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, [targetFileVariable]: targetFile, TD448_REPORT_OUTPUT: benchOutput.output },
  });
  const run = await new Promise<{ status: number | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ status: null, error }));
    child.on('exit', (status) => resolve({ status }));
  });
  const runSeconds = (performance.now() - started) / 1000;
  if (run.error) throw run.error;
  if (!existsSync(benchOutput.rowCoverage))
    throw new Error(`the functional run wrote no ${benchOutput.rowCoverage} (exit ${run.status}): run it alone to see why`);
  const { totals } = RowCoverage.parse(JSON.parse(readFileSync(benchOutput.rowCoverage, 'utf8')));
  const checks = totals.checks.passed + totals.checks.failed + totals.checks.notRun;
  console.log(`\nstack start            ${stackSeconds.toFixed(1)} s`);
  console.log(
    `functional run         ${runSeconds.toFixed(1)} s wall (exit ${run.status}), ${totals.rowsCovered}/${totals.rows} rows covered`,
  );
  console.log(
    `checks                 ${checks} (${totals.checks.passed} passed, ${totals.checks.failed} failed, ${totals.checks.notRun} not run)`,
  );
  console.log(`checks per second      ${(checks / runSeconds).toFixed(1)}`);
  console.log(`load average after     ${load()} (2 cores: above 2 the figures measure the machine as much as the suite)`);
} finally {
  await stack.stop();
}
