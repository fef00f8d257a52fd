import { existsSync, readFileSync, rmSync } from 'node:fs';
import { reportPaths } from '../reports/paths.ts';
import { resilienceAloneVariable } from '../resilience/write-chains.ts';
import { runCommand } from './run-command.ts';

/**
 * Runs the resilience project once, one check at a time (each breaks the target for whatever runs beside it), its
 * outputs in `output` (emptied first). Resolves with Playwright's exit code and its JUnit report (XML text), or
 * undefined when it wrote none. `grep` selects checks by tag (`@crash`).
 */
export async function runResilienceChecks(
  output: string,
  env: NodeJS.ProcessEnv,
  options: { grep?: string; stdout?: 'inherit' | 'stderr' } = {},
): Promise<{ code: number; junit: string | undefined }> {
  const paths = reportPaths(output);
  rmSync(output, { recursive: true, force: true });
  const code = await runCommand(
    'playwright',
    ['test', '--project=resilience', '--workers=1', ...(options.grep ? ['--grep', options.grep] : [])],
    {
      env: { ...env, TD448_REPORT_OUTPUT: output, TD448_CONSOLE_REPORTER: 'line', [resilienceAloneVariable]: '1' },
      stdout: options.stdout,
    },
  );
  return { code, junit: existsSync(paths.junit) ? readFileSync(paths.junit, 'utf8') : undefined };
}

/**
 * Whether a resilience run caught a planted defect: it failed, and its JUnit report has a failure in a test case
 * whose name carries the check's tag (`@crash`): a broken stack or another check's failure is not a catch.
 */
export function caughtByResilience(run: { code: number; junit: string | undefined }, tag: string): boolean {
  if (run.code === 0) return false;
  const cases = (run.junit ?? '').split('<testcase ').slice(1);
  return cases.some((testCase) => {
    const name = /^name="([^"]*)"/.exec(testCase)?.[1] ?? '';
    return name.split(/\s+/).includes(tag) && /<failure\b/.test(testCase.split('</testcase>')[0] ?? '');
  });
}
