import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { readArtilleryReport } from './artillery-report.ts';
import { evaluateCampaign } from './evaluate.ts';
import { CampaignPlan } from './plan.ts';

/** Judges a real Artillery report (load/samples) with the plan it ran. */
const judge = (name: string) => {
  const plan = CampaignPlan.parse(JSON.parse(readFileSync(new URL(`./samples/${name}.plan.json`, import.meta.url), 'utf8')));
  const verdict = evaluateCampaign(plan, readArtilleryReport(new URL(`./samples/${name}.report.json`, import.meta.url).pathname));
  return { verdict, status: (key: string) => verdict.thresholds.find((threshold) => threshold.key === key)?.status };
};

test.describe('verdicts on real Artillery reports', () => {
  test('the limit held: 1000 allowed and the rest 429 for each client over it, no 429 under it', () => {
    const { verdict, status } = judge('rate-limit-held');
    expect(verdict.generator.bound).toBe(false);
    expect(verdict.clients.map((c) => [c.clientId, c.allowed, c.limited])).toEqual([
      ['load-1', 1000, 160],
      ['load-2', 1000, 160],
      ['load-3', 928, 0],
    ]);
    expect([
      status('over-limit-1'),
      status('over-limit-2'),
      status('under-limit-1'),
      status('rate-limit-headers'),
      status('no-5xx'),
    ]).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
  });

  test('a limit set to 1100 by hand fails the clients over it', () => {
    const { verdict, status } = judge('rate-limit-set-to-1100');
    expect(verdict.clients.find((c) => c.clientId === 'load-1')).toMatchObject({ allowed: 1100, limited: 60 });
    expect([status('over-limit-1'), status('over-limit-2'), status('under-limit-1')]).toEqual(['failed', 'failed', 'passed']);
    expect(verdict.status).toBe('failed');
  });

  test('the nominal mix held its promise', () => {
    const { verdict, status } = judge('latency-held');
    expect([status('generator'), status('p95-promised'), status('errors')]).toEqual(['passed', 'passed', 'passed']);
    expect(verdict.latency.promised?.p95).toBeLessThan(1000);
  });

  test('an injected 1.5 s on one request in ten puts p95 over the promised second', () => {
    const { verdict, status } = judge('latency-injected-1500ms');
    expect(status('generator')).toBe('passed');
    expect(status('p95-promised')).toBe('failed');
    expect(verdict.latency.promised?.p95).toBeGreaterThanOrEqual(1000);
  });
});
