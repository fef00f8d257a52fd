/** Test support for the load specs: the smoke plans and reports shaped like Artillery's. */
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { referenceProfile } from '../fixtures/profile/profile.ts';
import { ArtilleryReport, type Summary } from './artillery-report.ts';
import { clientAllowed, clientLimited, clientNoAnswer, metrics, operationStatus, operationTime } from './metrics.ts';
import type { CampaignPlan } from './plan.ts';
import { planProfile } from './profiles.ts';

export const catalog = loadCatalog();
export const clientIds = Array.from({ length: 20 }, (_, i) => `load-${i + 1}`);
export const [rateLimit, latency] = planProfile('smoke', { runId: 'test-run', catalog, clientIds, targetProfile: referenceProfile }) as [
  CampaignPlan,
  CampaignPlan,
];
export const start = Date.UTC(2026, 0, 1);

const summary = (fields: Partial<Summary> & { count: number }): Summary => ({ min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0, ...fields });

export interface Shape {
  /** How much longer than scheduled the arrivals took (1 = on time). */
  stretch?: number;
  arrivals?: number;
  p95?: number;
  serverErrors?: number;
  clients?: Record<string, { allowed: number; limited: number; noAnswer?: number }>;
}

/** A report shaped like Artillery's, with the counters and clocks the processor emits. */
export function report(plan: CampaignPlan, shape: Shape = {}) {
  const arrivals = shape.arrivals ?? plan.arrivalRate * plan.durationSeconds;
  const span = ((arrivals - 1) / plan.arrivalRate) * 1000 * (shape.stretch ?? 1);
  const clock = summary({ count: arrivals, min: start, max: start + span });
  const p95 = shape.p95 ?? 120;
  const operation = plan.mix[0]?.operationId as string;
  const counters: Record<string, number> = {
    [metrics.expected]: arrivals - (shape.serverErrors ?? 0),
    [metrics.rateLimited]: 0,
    [metrics.serverError]: shape.serverErrors ?? 0,
    [metrics.unexpected]: 0,
    [metrics.arrangeFailed]: 0,
    [metrics.rateLimitHeadersMissing]: 0,
    'vusers.failed': 0,
    [operationStatus(operation, 200)]: arrivals,
  };
  for (const [clientId, figures] of Object.entries(shape.clients ?? {})) {
    counters[clientAllowed(clientId)] = figures.allowed;
    counters[clientLimited(clientId)] = figures.limited;
    counters[clientNoAnswer(clientId)] = figures.noAnswer ?? 0;
    counters[metrics.rateLimited] = (counters[metrics.rateLimited] ?? 0) + figures.limited;
  }
  const latencySummary = summary({ count: arrivals, p50: 12, p95, p99: p95 * 2, max: p95 * 3 });
  const summaries = {
    [metrics.arrivalClock]: clock,
    [metrics.firstSendClock]: { ...clock, min: clock.min + 40, max: clock.max + 3 },
    [metrics.promisedTime]: latencySummary,
    [metrics.allTime]: latencySummary,
    [operationTime(operation)]: latencySummary,
  };
  return ArtilleryReport.parse({
    aggregate: { period: start, counters, summaries },
    intermediate: [0, 1, 2, 3, 4, 5].map((i) => ({
      period: start + i * 10_000,
      counters: {},
      summaries: { [metrics.promisedTime]: latencySummary, [metrics.allTime]: latencySummary },
    })),
  });
}

export const overLimit = {
  'load-1': { allowed: 1000, limited: 200 },
  'load-2': { allowed: 1000, limited: 200 },
  'load-3': { allowed: 960, limited: 0 },
};
