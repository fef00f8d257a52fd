import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { type AllureRun, allureConfigFile, allureEnvironment } from './allure-report.ts';
import { projectRoot } from './paths.ts';
import type { QualityGateOutcome } from './summary.ts';

const allureCli = join(projectRoot, 'node_modules', 'allure', 'cli.js');

/** The allure CLI under this Node (24), with the context file allurerc.mjs reads. */
function allure(args: readonly string[], run: AllureRun) {
  const result = spawnSync(process.execPath, [allureCli, ...args, '--config', allureConfigFile], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, ...allureEnvironment(run) },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, output: stripVTControlCharacters(`${result.stdout}${result.stderr}`) };
}

/** `allure quality-gate`: exit 0 when every rule holds; the broken rules are the lines it prints with ⨯. */
export function runQualityGate(run: AllureRun): QualityGateOutcome & { output: string } {
  const { status, output } = allure(['quality-gate'], run);
  const failures = output
    .split('\n')
    .map((line) => /^\s*⨯\s*(.*?)\s{2,}(\S+)\s*$/.exec(line))
    .filter((match) => match !== null)
    .map(([, message, rule]) => `${rule}: ${message}`);
  if (status !== 0 && failures.length === 0 && !/quality gate/i.test(output)) {
    throw new Error(`allure quality-gate exited with ${status}:\n${output}`);
  }
  return { status: status === 0 ? 'passed' : 'failed', failures, output };
}
