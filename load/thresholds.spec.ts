import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { metricBounds } from '../reports/quality-gate.ts';
import { campaignMetrics } from './allure.ts';
import { readArtilleryReport } from './artillery-report.ts';
import { ensureChecks } from './artillery-script.ts';
import { evaluateCampaign } from './evaluate.ts';
import { clientAllowed, metrics } from './metrics.ts';
import { CampaignPlan } from './plan.ts';
import { thresholds, thresholdsOf } from './thresholds.ts';

const sample = (name: string) => {
  const plan = CampaignPlan.parse(JSON.parse(readFileSync(new URL(`./samples/${name}.plan.json`, import.meta.url), 'utf8')));
  return { plan, verdict: evaluateCampaign(plan, readArtilleryReport(new URL(`./samples/${name}.report.json`, import.meta.url).pathname)) };
};

test.describe('each load threshold stated once (load/thresholds.ts)', () => {
  for (const name of ['latency-held', 'rate-limit-held']) {
    test(`${name}: the verdict judges exactly the declared thresholds of its campaign, in their order`, () => {
      const { plan, verdict } = sample(name);
      const declared = thresholdsOf(plan).map((threshold) => threshold.key);
      const judged = verdict.thresholds.map((threshold) => threshold.key.replace(/^(over|under)-limit-\d+$/, '<role>-<n>'));
      expect([...new Set(judged)]).toEqual(declared);
    });

    test(`${name}: Artillery enforces and the quality gate bounds the same numbers the verdict judges`, () => {
      const { plan, verdict } = sample(name);
      const ensure = ensureChecks(plan);
      const bounds = metricBounds(campaignMetrics(verdict).map((metric) => metric.key));
      const bound = (figure: string) => bounds.find((entry) => entry.key.endsWith(`.${figure}`))?.value;
      expect(bound('rate_deviation')).toBe(plan.thresholds.rateTolerance * 100);
      expect(bound('errors')).toBe(0);
      if (plan.campaign === 'latency') {
        expect(ensure.thresholds).toEqual([{ [`${metrics.promisedTime}.p95`]: plan.thresholds.p95Ms }]);
        expect(bound('p95')).toBe(plan.thresholds.p95Ms);
      } else {
        expect(bound('allowed_per_client')).toBe(plan.rateLimitPerMinute);
        expect(ensure.conditions.map((condition) => condition.expression)).toContain(
          `${clientAllowed(plan.clients.find((client) => client.role === 'over-limit')?.clientId ?? '')} <= ${plan.rateLimitPerMinute}`,
        );
      }
    });
  }

  test('no threshold key is declared twice, and two that bound one metric bound it alike', () => {
    const keys = thresholds.map((threshold) => threshold.key);
    expect(new Set(keys).size).toBe(keys.length);
    const byFigure = new Map<string, number>();
    for (const { gate } of thresholds) {
      if (!gate) continue;
      if (byFigure.has(gate.figure)) expect(byFigure.get(gate.figure), gate.figure).toBe(gate.value);
      byFigure.set(gate.figure, gate.value);
    }
  });

  test('a stress step’s p95 is not bounded by the gate (it looks for the knee), its errors and its rate are', () => {
    const bounds = metricBounds(['load.stress.stress-03.p95', 'load.stress.stress-03.errors', 'load.stress.stress-03.rate_deviation']);
    expect(bounds.map((bound) => bound.key)).toEqual(['load.stress.stress-03.errors', 'load.stress.stress-03.rate_deviation']);
  });
});
