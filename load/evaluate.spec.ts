import { expect, test } from '@playwright/test';
import type { TransactionLogEntry } from '../fixtures/schemas/transaction-log.ts';
import { reportOf, summarize } from './engines/autocannon.ts';
import { evaluateCampaign, parseEnsureOutput } from './evaluate.ts';
import { auditRateLimit } from './log-audit.ts';
import type { CampaignPlan } from './plan.ts';
import { stressFailures, stressStepOf, summarizeStress } from './stress.ts';
import { latency, overLimit, rateLimit, report, start } from './test-support.ts';

const statusOf = (verdict: ReturnType<typeof evaluateCampaign>, key: string) => verdict.thresholds.find((t) => t.key === key)?.status;

test.describe('the achieved rate against the asked one', () => {
  test('passes a campaign whose generator kept its schedule', () => {
    const verdict = evaluateCampaign(latency, report(latency));
    expect(verdict.generator.bound).toBe(false);
    expect(verdict.generator.deviation).toBeLessThan(0.01);
    expect(verdict.status).toBe('passed');
  });

  test('fails as generator-bound when the arrivals took 2 % longer than scheduled, and judges nothing else', () => {
    const verdict = evaluateCampaign(latency, report(latency, { stretch: 1.02, p95: 5000 }));
    expect(verdict.generator.bound).toBe(true);
    expect(verdict.generator.arrivalRate).toBeLessThan(latency.arrivalRate * 0.99);
    expect(statusOf(verdict, 'generator')).toBe('failed');
    expect(statusOf(verdict, 'p95-promised')).toBe('broken');
    expect(verdict.thresholds.find((t) => t.key === 'p95-promised')?.message).toMatch(/not judged: the generator was bound/);
    expect(verdict.status).toBe('failed');
  });

  test('fails as generator-bound when arrivals are missing, even on time', () => {
    const verdict = evaluateCampaign(
      latency,
      report(latency, { arrivals: Math.floor(latency.arrivalRate * latency.durationSeconds * 0.97) }),
    );
    expect(verdict.generator.bound).toBe(true);
  });

  test('tolerates a deviation under 1 %', () => {
    expect(evaluateCampaign(latency, report(latency, { stretch: 1.005 })).generator.bound).toBe(false);
  });
});

test.describe('the latency verdicts', () => {
  test('fail when p95 of the promising rows reaches 1 s, and name the rows', () => {
    const verdict = evaluateCampaign(latency, report(latency, { p95: 1000 }));
    const p95 = verdict.thresholds.find((t) => t.key === 'p95-promised');
    expect(p95?.status).toBe('failed');
    expect(p95?.rows).toEqual(latency.promisedLatency.rows);
    expect(verdict.latency.promised?.p99).toBe(2000);
  });

  test('count any 5xx as an error', () => {
    expect(statusOf(evaluateCampaign(latency, report(latency, { serverErrors: 1 })), 'errors')).toBe('failed');
  });
});

test.describe('the rate-limit verdicts', () => {
  test('pass when each client over the limit had exactly 1000 allowed and the one under it no 429', () => {
    const verdict = evaluateCampaign(rateLimit, report(rateLimit, { clients: overLimit }));
    expect(verdict.thresholds.filter((t) => /-limit-\d+$/.test(t.key)).map((t) => [t.key, t.status])).toEqual([
      ['over-limit-1', 'passed'],
      ['over-limit-2', 'passed'],
      ['under-limit-1', 'passed'],
    ]);
    expect(verdict.clients.find((c) => c.clientId === 'load-1')).toMatchObject({ allowed: 1000, limited: 200 });
  });

  test('fail when the limit lets 1100 through', () => {
    const verdict = evaluateCampaign(
      rateLimit,
      report(rateLimit, { clients: { ...overLimit, 'load-1': { allowed: 1100, limited: 100 } } }),
    );
    expect(statusOf(verdict, 'over-limit-1')).toBe('failed');
    expect(verdict.status).toBe('failed');
  });

  test('fail when the client just under the limit saw a 429', () => {
    const verdict = evaluateCampaign(rateLimit, report(rateLimit, { clients: { ...overLimit, 'load-3': { allowed: 959, limited: 1 } } }));
    expect(statusOf(verdict, 'under-limit-1')).toBe('failed');
  });

  test('accept 999 allowed when one request went unanswered', () => {
    const verdict = evaluateCampaign(
      rateLimit,
      report(rateLimit, { clients: { ...overLimit, 'load-1': { allowed: 999, limited: 200, noAnswer: 1 } } }),
    );
    expect(statusOf(verdict, 'over-limit-1')).toBe('passed');
  });

  test('leave the log check skipped, with its reason, when the log could not be read', () => {
    const verdict = evaluateCampaign(rateLimit, report(rateLimit, { clients: overLimit }), { auditSkipped: 'no log-admin client' });
    expect(verdict.thresholds.find((t) => t.key === 'log-downstream')).toMatchObject({ status: 'skipped', message: 'no log-admin client' });
  });
});

test.describe('the transaction-log audit', () => {
  const operation = rateLimit.operations[rateLimit.mix[0]?.operationId as string] as CampaignPlan['operations'][string];
  const entries = (clientId: string, reached: number, limited: number, { from = 0, attemptsWhenLimited = 0 } = {}): TransactionLogEntry[] =>
    Array.from({ length: reached + limited }, (_, i) => ({
      requestId: `td448-load-test-run-rate-limit-1-${clientId}-${from + i}`,
      traceId: '0'.repeat(32),
      time: new Date(start + (from + i) * 50).toISOString(),
      clientId,
      endpoint: operation.endpoint,
      method: operation.method,
      action: operation.actionKey,
      version: 'v2',
      status: i < reached ? 200 : 429,
      durationMs: 3,
      attempts: i < reached ? 1 : attemptsWhenLimited,
      outcome: i < reached ? 'success' : 'rate-limited',
      rolledBack: false,
    }));
  const observed = new Map(Object.entries(overLimit).map(([id, figures]) => [id, { ...figures, noAnswer: 0 }]));
  const clean = [...entries('load-1', 1000, 200), ...entries('load-2', 1000, 200), ...entries('load-3', 960, 0)];

  test('passes when no rate-limited request reached the downstream and the log agrees with the clients', () => {
    const audit = auditRateLimit(rateLimit, clean, observed);
    expect(audit.status).toBe('passed');
    expect(audit.clients.map((c) => [c.clientId, c.reachedDownstream, c.rateLimited, c.windows])).toEqual([
      ['load-1', 1000, 200, 1],
      ['load-2', 1000, 200, 1],
      ['load-3', 960, 0, 1],
    ]);
  });

  test('fails when a rate-limited request still reached the downstream', () => {
    const audit = auditRateLimit(rateLimit, [...entries('load-1', 1000, 200, { attemptsWhenLimited: 1 }), ...clean.slice(1200)], observed);
    expect(audit.status).toBe('failed');
    expect(audit.message).toMatch(/load-1: 200 rate-limited requests still reached the downstream/);
  });

  test('fails when more than the limit reached the downstream in one window', () => {
    const audit = auditRateLimit(
      rateLimit,
      [...entries('load-1', 1100, 100), ...clean.slice(1200)],
      new Map([...observed, ['load-1', { allowed: 1100, limited: 100, noAnswer: 0 }]]),
    );
    expect(audit.message).toMatch(/load-1: 1100 requests reached the downstream within one window; the limit is 1000/);
  });

  test('counts a second window once a minute has passed since the first opened', () => {
    const twoWindows = [...entries('load-3', 960, 0), ...entries('load-3', 10, 0, { from: 1300 })];
    const audit = auditRateLimit(rateLimit, twoWindows, new Map([['load-3', { allowed: 970, limited: 0, noAnswer: 0 }]]));
    expect(audit.clients.find((c) => c.clientId === 'load-3')).toMatchObject({ windows: 2, reachedInBusiestWindow: 960 });
  });

  test('is broken, not passed, when a query hit the 1000-entry page limit', () => {
    expect(auditRateLimit(rateLimit, clean, observed, { truncated: true, errors: [] }).status).toBe('broken');
  });
});

test.describe('the stress staircase', () => {
  const step = (rate: number, p95: number, stretch = 1) => {
    const plan = { ...latency, arrivalRate: rate, slug: `stress-${rate}` };
    return stressStepOf(evaluateCampaign(plan, report(plan, { p95, stretch })), 1000);
  };

  test('finds the knee where p95 crosses 1 s, with the highest rate that held', () => {
    const summary = summarizeStress([step(25, 40), step(50, 80), step(100, 400), step(150, 1400)]);
    expect(summary.knee).toMatchObject({ rate: 150, lastGoodRate: 100, engine: 'artillery' });
    expect(summary.stoppedBecause).toBe('knee');
    expect(stressFailures(summary)).toEqual([]);
  });

  test('measures a step Artillery could not deliver with autocannon, and says which engine did', () => {
    const rerun = (rate: number, p95: number, stretch = 1) => {
      const plan = { ...latency, arrivalRate: rate, slug: `stress-${rate}-ac` };
      const verdict = evaluateCampaign(plan, report(plan, { p95, stretch }));
      verdict.generator.engine = 'autocannon';
      return stressStepOf(verdict, 1000);
    };
    const summary = summarizeStress([step(250, 180), step(300, 340, 1.02), rerun(300, 250), rerun(400, 1500, 1.3)]);
    expect(summary.steps.map((s) => [s.rate, s.engine, s.status])).toEqual([
      [250, 'artillery', 'passed'],
      [300, 'artillery', 'generator-bound'],
      [300, 'autocannon', 'passed'],
      [400, 'autocannon', 'broke'],
    ]);
    expect(summary.knee).toMatchObject({ rate: 400, lastGoodRate: 300, engine: 'autocannon' });
  });

  test('reports no knee, without failing, when every step held', () => {
    const summary = summarizeStress([step(25, 40), step(50, 80), step(100, 90)]);
    expect(summary).toMatchObject({ stoppedBecause: 'last-step', highestPassingRate: 100 });
    expect(stressFailures(summary)).toEqual([]);
  });

  test('fails when the generator could not reach the knee', () => {
    const summary = summarizeStress([step(25, 40), step(50, 80, 1.1)]);
    expect(summary.steps[1]?.status).toBe('generator-bound');
    expect(stressFailures(summary)).toEqual(['generator-bound before the knee: the target was not pushed to it']);
  });

  test('fails when the target breaks at or below the nominal rate', () => {
    expect(stressFailures(summarizeStress([step(25, 40), step(50, 2000)]))).toEqual([
      'the knee (50 req/s) is at or below the nominal rate of 80 req/s',
    ]);
  });
});

test("reads Artillery's own ensure verdicts from its console", () => {
  const output =
    'Checks:\n\u001b[32mok\u001b[39m: td448.responses.server_error == 0\n\u001b[31mfail\u001b[39m: td448.response_time.promised.p95 < 1000\n';
  expect(parseEnsureOutput(output)).toEqual([
    { ok: true, expression: 'td448.responses.server_error == 0' },
    { ok: false, expression: 'td448.response_time.promised.p95 < 1000' },
  ]);
});

test.describe("the autocannon engine's report", () => {
  const operationId = latency.mix[0]?.operationId as string;
  /** autocannon releases its quota in bursts: `perSecond` requests at the top of each of `seconds` seconds, the last `late` ones 300 ms late. */
  const bursts = (perSecond: number, seconds: number, late = 0) =>
    Array.from({ length: perSecond * seconds }, (_, i) => ({
      operationId,
      sentAt: start + Math.floor(i / perSecond) * 1000 + (i % perSecond) + (i >= perSecond * seconds - late ? 300 : 0),
      status: 201,
      elapsed: 10 + (i % 100),
    }));

  test('summarizes with exact nearest-rank percentiles', () => {
    expect(summarize(Array.from({ length: 100 }, (_, i) => i + 1))).toMatchObject({
      count: 100,
      min: 1,
      max: 100,
      p50: 50,
      p95: 95,
      p99: 99,
    });
    expect(summarize([])).toBeUndefined();
  });

  test('counts its rate from the first burst to one interval past the last, not first to last request', () => {
    const plan = { ...latency, arrivalRate: 30, durationSeconds: 20 };
    const verdict = evaluateCampaign(plan, reportOf(plan, bursts(30, 20), {}));
    expect(verdict.generator.arrivalRate).toBeCloseTo(30, 0);
    expect(verdict.generator.bound).toBe(false);
  });

  test('is generator-bound when its last burst comes late', () => {
    const plan = { ...latency, arrivalRate: 30, durationSeconds: 20 };
    expect(evaluateCampaign(plan, reportOf(plan, bursts(30, 20, 15), {})).generator.bound).toBe(true);
    expect(evaluateCampaign(plan, reportOf(plan, bursts(30, 20, 0), {})).generator.bound).toBe(false);
  });
});

test('a soak fails when one 10 s period breaks the promise, even if the whole run keeps it', () => {
  const plan = { ...latency, profile: 'soak' as const };
  const held = report(plan, { p95: 120 });
  expect(evaluateCampaign(plan, held).thresholds.find((t) => t.key === 'p95-every-period')?.status).toBe('passed');
  const slow = held.intermediate[3];
  if (slow)
    slow.summaries['td448.response_time.promised'] = {
      ...(slow.summaries['td448.response_time.promised'] as NonNullable<(typeof slow.summaries)[string]>),
      p95: 1500,
    };
  const verdict = evaluateCampaign(plan, held);
  expect(verdict.thresholds.find((t) => t.key === 'p95-every-period')).toMatchObject({
    status: 'failed',
    actual: 'worst period: p95 1500 ms at 30 s; 1 periods over',
  });
  expect(verdict.thresholds.find((t) => t.key === 'p95-promised')?.status).toBe('passed');
});
