import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { junitCounts, junitFailures } from '../reports/junit.ts';
import { runCommand } from './run-command.ts';

/** One step of npm test or npm run nightly: a command, its environment, and where its Playwright run writes JUnit. */
export interface Step {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Where the step's Playwright run(s) write JUnit, for the closing line. */
  junit?: string | readonly string[];
}

/** How many failed checks the closing lines name, per step; the rest are counted, and are in the step's JUnit. */
const failuresShown = 10;

/**
 * The checks each failed step's JUnit holds as failed, a line each (step, spec file, title, first line of what
 * failed), so that the last lines of a red run, all a CI log viewer may keep, say which check broke. A failed step
 * without JUnit, or whose JUnit holds no failed check, is named by the table below these lines only.
 */
function failedChecks(outcomes: readonly { step: Step; code: number }[]): string[] {
  return outcomes.flatMap(({ step, code }) => {
    if (code === 0 || step.junit === undefined) return [];
    return [step.junit].flat().flatMap((file) => {
      const failures = junitFailures(file);
      if (failures.length === 0) return [];
      const shown = failures
        .slice(0, failuresShown)
        .map(({ file: spec, title, message }) => `  ✘ ${step.name} · ${spec} › ${title}\n      ${message}`);
      const more = failures.length - shown.length;
      return [
        `${step.name}: ${failures.length} failed check(s) in ${file}`,
        ...shown,
        ...(more > 0 ? [`  … and ${more} more in ${file}`] : []),
      ];
    });
  });
}

/** What a step did: its exit code and wall time in seconds. */
export interface StepOutcome {
  step: Step;
  code: number;
  seconds: number;
}

/**
 * The closing lines of a run of steps: the checks the failed steps' JUnit holds as failed, then the title and the
 * table of steps (status, name, seconds), and last the line CI systems read, "ci: N passed, N failed, N skipped" summed over the
 * steps' JUnit files, with the steps that failed and those whose JUnit is missing.
 */
export function closingLines(title: string, outcomes: readonly StepOutcome[]): string[] {
  const lines = [...failedChecks(outcomes), title];
  for (const { step, code, seconds } of outcomes) {
    const status = code === 0 ? 'passed' : `FAILED (exit ${code})`;
    lines.push(`  ${status.padEnd(16)} ${step.name.padEnd(17)} ${seconds.toFixed(0).padStart(5)} s`);
  }
  const reports = outcomes.flatMap(({ step }) => (step.junit === undefined ? [] : [step.junit].flat().map((file) => ({ step, file }))));
  const counts = reports.map(({ file }) => junitCounts(file));
  const total = (key: 'passed' | 'failed' | 'skipped') => counts.reduce((sum, count) => sum + (count?.[key] ?? 0), 0);
  const missing = [...new Set(reports.filter((_, i) => !counts[i]).map(({ step }) => step.name))];
  const failedSteps = outcomes.filter(({ code }) => code !== 0).length;
  lines.push(
    `ci: ${total('passed')} passed, ${total('failed')} failed, ${total('skipped')} skipped` +
      (failedSteps > 0 ? `; ${failedSteps} step(s) failed` : '') +
      (missing.length > 0 ? `; no JUnit report from ${missing.join(', ')}: its tests did not run` : ''),
  );
  return lines;
}

/**
 * Runs every step, even after one failed (one red run tells everything), then prints the table of steps and the
 * closing line CI systems read, "ci: N passed, N failed, N skipped" over the steps with JUnit, also written to
 * `closingFile`; above the table, the checks each failed step's JUnit holds as failed. Exits 1 when a step failed, 0 otherwise.
 */
export async function runSteps(title: string, steps: readonly Step[], closingFile: string): Promise<never> {
  rmSync(closingFile, { force: true });
  const outcomes: StepOutcome[] = [];
  for (const step of steps) {
    console.log(`\n══ ${title} · ${step.name}: ${[step.command, ...step.args].join(' ')} ══`);
    const started = performance.now();
    const code = await runCommand(step.command, step.args, { env: step.env });
    outcomes.push({ step, code, seconds: (performance.now() - started) / 1000 });
  }
  const lines = closingLines(title, outcomes);
  console.log(`\n${lines.join('\n')}`);
  // Kept for whoever prints the closing line after npm's own error lines (.ci/run).
  mkdirSync(dirname(closingFile), { recursive: true });
  writeFileSync(closingFile, `${lines.join('\n')}\n`);
  process.exit(outcomes.some(({ code }) => code !== 0) ? 1 : 0);
}
