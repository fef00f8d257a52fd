import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { z } from 'zod';
import { projectRoot } from './paths.ts';

const Step = z.looseObject({
  name: z.string().optional(),
  run: z.string().optional(),
  uses: z.string().optional(),
  if: z.string().optional(),
});
const Job = z.looseObject({
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  if: z.string().optional(),
  strategy: z.looseObject({ matrix: z.looseObject({ shard: z.array(z.number()).optional() }) }).optional(),
  env: z.record(z.string(), z.string()).optional(),
  steps: z.array(Step).min(1),
});
const Workflow = z.looseObject({ name: z.string(), on: z.unknown(), jobs: z.record(z.string(), Job) });

const workflow = Workflow.parse(parse(readFileSync(join(projectRoot, '.github', 'workflows', 'ci.yml'), 'utf8')));
const job = (name: string) => {
  const found = workflow.jobs[name];
  if (!found) throw new Error(`no job ${name} in ci.yml`);
  return found;
};
/** A GitHub Actions expression as the workflow spells it, e.g. for secrets.X. */
const expression = (text: string) => `$${'{{'} ${text} }}`;
const runs = (name: string) =>
  job(name)
    .steps.map((step) => step.run ?? '')
    .join('\n');

test.describe('CI workflow (.github/workflows/ci.yml)', () => {
  test('shards the functional suite across jobs, each writing a blob report', () => {
    const functional = job('functional');
    expect(functional.strategy?.matrix.shard?.length).toBeGreaterThan(1);
    expect(runs('functional')).toMatch(
      /playwright test --project=functional --shard=\$\{\{ matrix\.shard \}\}\/\$\{\{ strategy\.job-total \}\} --reporter=blob/,
    );
    for (const name of ['static', 'contracts']) expect(runs(name)).toContain('--reporter=blob');
  });

  test('merges every suite into one report after all of them, and gates the merge on it', () => {
    const report = job('report');
    expect(report.needs).toEqual(expect.arrayContaining(['static', 'functional', 'contracts', 'load']));
    expect(report.if).toContain('!cancelled()');
    const commands = runs('report');
    const order = ['playwright merge-reports', 'node scripts/report.ts', 'npm run report:gate'].map((command) => commands.indexOf(command));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(report.steps.at(-1)?.run).toBe('npm run report:gate');
  });

  test('checks the merged report in a browser without adding that check to it', () => {
    const browserCheck = job('report').steps.find((step) => step.run?.includes('--project=report'));
    const env = z.record(z.string(), z.string()).parse((browserCheck as { env?: unknown } | undefined)?.env ?? {});
    expect(env.TD448_LAST_RUN_OUTPUT).toBe('reports/output');
    expect(env.TD448_REPORT_OUTPUT).toMatch(/^reports\/output\/.+/);
  });

  test('proves in a job of its own that planted defects turn their rows red', () => {
    expect(runs('proof')).toContain('npm run prove:defects');
  });

  test('asks the Pact Broker can-i-deploy only when a broker is configured', () => {
    const gate = job('can-i-deploy');
    expect(gate.needs).toEqual(['report']);
    expect(gate.env?.PACT_BROKER_BASE_URL).toBe(expression('secrets.PACT_BROKER_BASE_URL'));
    expect(gate.env?.PACT_BROKER_TOKEN).toBe(expression('secrets.PACT_BROKER_TOKEN'));
    const canIDeploy = gate.steps.find((step) => step.run?.includes('pact-broker can-i-deploy'));
    expect(canIDeploy?.if).toBe(expression("env.PACT_BROKER_BASE_URL != ''"));
    for (const pacticipant of ['td448-suite', 'td448-gateway', 'td448-events'])
      expect(canIDeploy?.run).toContain(`--pacticipant ${pacticipant}`);
    expect(JSON.stringify(workflow)).not.toMatch(/PACT_BROKER_TOKEN[^}]*--broker-token/);
  });

  test('runs the suites against the user’s deployment from the repository’s secrets, and says so when they are absent', () => {
    const deployment = job('deployment');
    expect(deployment.env?.TD448_TARGET_JSON).toBe(expression('secrets.TD448_TARGET_JSON'));
    expect(runs('deployment')).toContain('npm start -- --target targets/deployment.json');
    const skipped = deployment.steps.find((step) => step.if === expression("env.TD448_TARGET_JSON == ''"));
    expect(skipped?.run ?? '').toMatch(/not run/);
    for (const step of deployment.steps.filter((step) => step !== skipped))
      expect(step.if ?? '', `${step.name ?? step.uses ?? step.run} runs only with a deployment`).toContain("env.TD448_TARGET_JSON != ''");
  });
});
