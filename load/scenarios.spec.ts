import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { promised } from '../fixtures/catalog/vocabulary.ts';
import { referenceProfile } from '../fixtures/profile/profile.ts';
import { artilleryScript, ensureChecks, hooks, phaseOf } from './artillery-script.ts';
import { SmoothWeightedRoundRobin, TokenCache } from './dispatch.ts';
import { arrangeOperation, catalogMix, limitedShare, promisedLatency, rateLimitMix } from './mix.ts';
import { askedArrivals, CampaignPlan } from './plan.ts';
import { limiterSafeRate, planProfile, planStressStep } from './profiles.ts';

const { rateLimitPerMinute } = promised;

const catalog = loadCatalog();
const clientIds = Array.from({ length: 20 }, (_, i) => `load-${i + 1}`);
const options = { runId: 'test-run', catalog, clientIds, targetProfile: referenceProfile };
const [rateLimit, latency] = planProfile('smoke', options) as [CampaignPlan, CampaignPlan];

test.describe('the operation mix, generated from the catalog', () => {
  test('weighs every operation by its rows: the whole catalog is 320 rows over 152 operations', () => {
    const mix = catalogMix(catalog);
    expect(mix).toHaveLength(152);
    expect(mix.reduce((sum, entry) => sum + entry.weight, 0)).toBe(320);
    for (const entry of mix) expect(entry.rows).toEqual(catalog.operations.find((op) => op.id === entry.operationId)?.rows);
  });

  test('puts in the rate-limit mix exactly the rows that carry the limit, each once', () => {
    const mix = rateLimitMix(catalog);
    const rows = mix.flatMap((entry) => entry.rows).sort((a, b) => a - b);
    const limited = catalog.rows.filter((row) => row.noteKey === 'rate-limit').map((row) => row.number);
    expect(rows).toEqual(limited);
    expect(mix.reduce((sum, entry) => sum + entry.weight, 0)).toBe(limited.length);
    for (const entry of mix) expect(entry.weight).toBe(entry.rows.length);
  });

  test('arranges records through a create outside the rate limit on every endpoint', () => {
    for (const endpoint of new Set(catalog.operations.map((op) => op.endpoint))) {
      const operation = arrangeOperation(catalog, endpoint);
      expect(operation.actionKey).toBe('create');
      expect(operation.notes).not.toContain('rate-limit');
    }
  });

  test('knows the rows that promise "Thành công <1s" and their operations', () => {
    const promised = promisedLatency(catalog);
    expect(promised.rows).toHaveLength(catalog.rows.filter((row) => row.resultKey === 'latency').length);
    for (const id of promised.operationIds) expect(catalog.operations.find((op) => op.id === id)?.results).toContain('latency');
  });
});

test.describe('the profiles', () => {
  test('smoke runs one window: two clients at 1200/min and one just under the limit, inside 60 s with room for drift', () => {
    expect(rateLimit.durationSeconds).toBe(58);
    expect(rateLimit.clients.map((c) => [c.clientId, c.perMinute, c.role])).toEqual([
      ['load-1', 1200, 'over-limit'],
      ['load-2', 1200, 'over-limit'],
      ['load-3', 960, 'under-limit'],
    ]);
    expect(rateLimit.arrivalRate).toBe(56);
    expect(Number.isInteger(latency.arrivalRate)).toBe(true);
  });

  test('gives each campaign its own clients, each a distinct OAuth2 client', () => {
    const rl = rateLimit.clients.map((c) => c.clientId);
    const lat = latency.clients.map((c) => c.clientId);
    expect(new Set([...rl, ...lat]).size).toBe(rl.length + lat.length);
  });

  test('keeps every latency client well under the limit on the rows that carry it', () => {
    const spent = (latency.arrivalRate * 60 * limitedShare(catalog, latency.mix)) / latency.clients.length;
    expect(spent).toBeLessThan(0.9 * rateLimitPerMinute);
  });

  test("stresses the rows outside the rate limit, so the limiter never answers in the target's place", () => {
    const step = planStressStep(options, 0, 2000, 1);
    expect(step.mix.length).toBe(catalog.operations.filter((op) => !op.notes.includes('rate-limit')).length);
    expect(limitedShare(catalog, step.mix)).toBe(0);
    expect(step.clients).toHaveLength(20);
  });

  test('refuses a latency rate that the limiter, not the target, would answer', () => {
    expect(() => planProfile('smoke', { ...options, campaigns: ['latency'], latencyRate: 2000 })).toThrow(/limiter, not the target/);
    expect(planStressStep(options, 0, limiterSafeRate(catalog, 20), 1).arrivalRate).toBe(limiterSafeRate(catalog, 20));
  });

  test('asks for whole arrivals in every second, as Artillery makes them in a constant ramp', () => {
    expect(askedArrivals({ arrivalRate: 56, durationSeconds: 58 })).toBe(3248);
    expect(askedArrivals({ arrivalRate: 30, durationSeconds: 20, pacing: 'uniform' })).toBe(600);
  });

  test("paces with a constant ramp unless asked for Artillery's busy-waiting uniform process", () => {
    expect(phaseOf(rateLimit)).toEqual({ name: rateLimit.title, duration: 58, arrivalRate: 56, rampTo: 56 });
    expect(phaseOf({ ...rateLimit, pacing: 'uniform' })).toEqual({ name: rateLimit.title, duration: 58, arrivalRate: 56 });
  });
});

test.describe('the generated Artillery script', () => {
  const script = artilleryScript(rateLimit, { target: 'http://127.0.0.1:9', processor: './processor.ts' });

  test('has one scenario per operation of the mix, weighted by its rows', () => {
    expect(script.scenarios.map((s) => [s.name, s.weight])).toEqual(rateLimit.mix.map((entry) => [entry.operationId, entry.weight]));
  });

  test('sends each operation with its own method, the measured request marked with the operation', () => {
    for (const scenario of script.scenarios) {
      const operation = rateLimit.operations[scenario.name] as CampaignPlan['operations'][string];
      const measured = scenario.flow.at(-1) as Record<string, Record<string, unknown>>;
      expect(Object.keys(measured)).toEqual([operation.method.toLowerCase()]);
      expect(measured[operation.method.toLowerCase()]).toMatchObject({
        td448Operation: operation.id,
        beforeRequest: hooks.prepare,
        afterResponse: hooks.observe,
      });
      expect(scenario.flow).toHaveLength(operation.actionKey === 'delete' ? 2 : 1);
    }
  });

  test('carries its plan, and a worker reads back the same plan', () => {
    expect(CampaignPlan.parse(JSON.parse(script.config.variables.td448Plan))).toEqual(rateLimit);
    expect(script.config.phases).toEqual([{ name: rateLimit.title, duration: 58, arrivalRate: 56, rampTo: 56 }]);
  });

  test('enforces the limit per client and the achieved rate through ensure', () => {
    const conditions = ensureChecks(rateLimit).conditions.map((c) => c.expression);
    expect(conditions).toContain('td448.client.load-1.allowed <= 1000');
    expect(conditions).toContain('td448.client.load-1.allowed + td448.client.load-1.no_answer >= 1000');
    expect(conditions).toContain('td448.client.load-3.limited == 0');
    expect(conditions).toContain('td448.clock.arrival.count >= 3216');
    expect(conditions).toContain('td448.responses.server_error == 0');
    expect(ensureChecks(latency).thresholds).toEqual([{ 'td448.response_time.promised.p95': 1000 }]);
  });

  test('never names a metric inside another one an ensure condition uses', () => {
    const names = ensureChecks(rateLimit)
      .conditions.flatMap((c) => c.expression.match(/[a-z_]+(\.[A-Za-z0-9_-]+)+/g) ?? [])
      .map((name) => name.replace(/\.(count|min|max|p95)$/, ''));
    for (const name of names) for (const other of names) if (name !== other) expect(other.includes(`${name}.`)).toBe(false);
  });
});

test.describe('dispatching arrivals to clients', () => {
  test('gives each client exactly its share of every run, whatever its length', () => {
    const picker = new SmoothWeightedRoundRobin([
      { value: 'over-1', weight: 1200 },
      { value: 'over-2', weight: 1200 },
      { value: 'under', weight: 960 },
    ]);
    const picks = Array.from({ length: 3360 }, () => picker.next());
    const count = (id: string) => picks.filter((pick) => pick === id).length;
    expect([count('over-1'), count('over-2'), count('under')]).toEqual([1200, 1200, 960]);
    const first = picks.slice(0, 56);
    expect(Math.abs(first.filter((p) => p === 'under').length - 16)).toBeLessThanOrEqual(1);
  });

  test("keeps each client's share when Artillery splits the arrivals between workers", () => {
    const workers = 4;
    const totals = new Map<string, number>();
    for (let worker = 0; worker < workers; worker++) {
      const picker = new SmoothWeightedRoundRobin([
        { value: 'over', weight: 1200 },
        { value: 'under', weight: 960 },
      ]);
      for (let i = 0; i < (36 * 60) / workers; i++) {
        const pick = picker.next();
        totals.set(pick, (totals.get(pick) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(totals)).toEqual({ over: 1200, under: 960 });
  });

  test('asks the OAuth2 server once for concurrent first requests of one client', async () => {
    let requests = 0;
    const tokens = new TokenCache({
      token: async (clientId) => {
        requests++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return `token-of-${clientId}`;
      },
    });
    const answers = await Promise.all(Array.from({ length: 10 }, () => tokens.authorization('load-1')));
    expect(new Set(answers)).toEqual(new Set(['Bearer token-of-load-1']));
    expect(requests).toBe(1);
  });
});
