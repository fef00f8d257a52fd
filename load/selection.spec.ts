import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { referenceProfile } from '../fixtures/profile/profile.ts';
import { loadSelection, planProfile } from './profiles.ts';

const catalog = loadCatalog();
const clientIds = Array.from({ length: 20 }, (_, i) => `load-${i + 1}`);
const options = { runId: 'test-run', catalog, clientIds, targetProfile: referenceProfile };
const sliced = (...grep: string[]) => planProfile('smoke', { ...options, selects: loadSelection(grep) });
const rowsOf = (plan: { mix: { rows: number[] }[] }) => [...new Set(plan.mix.flatMap((entry) => entry.rows))].sort((a, b) => a - b);

test.describe('a sliced run (--grep) slices the load campaigns to the rows they check', () => {
  test('one rate-limited row: the rate-limit campaign on that row alone, no latency campaign', () => {
    const row = catalog.rows.find((r) => r.noteKey === 'rate-limit' && r.resultKey !== 'latency');
    if (!row) throw new Error('the catalog has no rate-limited row outside the latency promise');
    const plans = sliced(`@row-${row.number}\\b`);
    expect(plans.map((plan) => plan.campaign)).toEqual(['rate-limit']);
    expect(rowsOf(plans[0] as never)).toEqual([row.number]);
  });

  test('the promise "success under 1 s": the latency campaign on its rows only', () => {
    const plans = sliced('@latency');
    expect(plans.map((plan) => plan.campaign)).toEqual(['latency']);
    const latencyRows = catalog.rows.filter((row) => row.resultKey === 'latency').map((row) => row.number);
    expect(rowsOf(plans[0] as never)).toEqual(latencyRows);
    expect(plans[0]?.promisedLatency.rows).toEqual(latencyRows);
  });

  test('a promise no campaign checks (@rollback): no campaign; the whole run without a selection: both', () => {
    expect(sliced('@rollback')).toEqual([]);
    expect(planProfile('smoke', options).map((plan) => plan.campaign)).toEqual(['rate-limit', 'latency']);
  });
});
