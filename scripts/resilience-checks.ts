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

/** Whether a resilience run caught a planted defect: it failed, and its JUnit report names a failed check. */
export const caughtByResilience = (run: { code: number; junit: string | undefined }) => run.code !== 0 && /<failure/.test(run.junit ?? '');
