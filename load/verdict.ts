import { z } from 'zod';
import { CampaignKind, ClientRole, ProfileName } from './plan.ts';

/**
 * A load campaign's verdict: what scripts/load.ts writes into a run's summary.json, and what the report step reads
 * back (reports/load-results.ts). One schema for both: the writer's types are inferred from it.
 */

/** A threshold's or a campaign's status, in Allure's words: `broken` is not judged (the generator fell behind). */
export const VerdictStatus = z.enum(['passed', 'failed', 'broken', 'skipped']);
export type VerdictStatus = z.infer<typeof VerdictStatus>;

/** One threshold of a campaign (load/thresholds.ts declares them), judged. */
export const ThresholdVerdict = z.object({
  key: z.string(),
  title: z.string(),
  status: VerdictStatus,
  expected: z.string(),
  actual: z.string(),
  message: z.string().default(''),
  /** The catalog rows whose promise the threshold checks. */
  rows: z.array(z.number().int().positive()).default([]),
  /** Sub-checks (per operation, per client), shown as steps; a name ending in `(rows 2, 165)` names its rows. */
  checks: z.array(z.object({ name: z.string(), status: VerdictStatus, actual: z.string() })).default([]),
});
export type ThresholdVerdict = z.infer<typeof ThresholdVerdict>;

/** What the load generator achieved against what it was asked: rates in arrivals per second, deviation a fraction. */
export const GeneratorFigures = z.object({
  engine: z.enum(['artillery', 'autocannon']),
  askedRate: z.number(),
  askedArrivals: z.number(),
  arrivals: z.number(),
  /** Arrivals per second between the first and the last arrival. */
  arrivalRate: z.number(),
  firstSends: z.number(),
  /** Virtual users' first requests per second, from the first arrival to the last first request. */
  sendRate: z.number(),
  /** The larger relative gap between asked and achieved, as a fraction. */
  deviation: z.number(),
  bound: z.boolean(),
});
export type GeneratorFigures = z.infer<typeof GeneratorFigures>;

/** Latency percentiles in milliseconds (client-side total time). NaN, written as null in JSON, when nothing was measured. */
const Millis = z
  .number()
  .nullable()
  .transform((value) => value ?? Number.NaN);

export const LatencyFigures = z.object({ count: z.number(), p50: Millis, p95: Millis, p99: Millis, max: Millis });
export type LatencyFigures = z.infer<typeof LatencyFigures>;

/** Per catalog operation: how often, which statuses (count by HTTP status), how fast. */
export const OperationFigures = z.object({
  operationId: z.string(),
  promised: z.boolean(),
  rows: z.array(z.number().int().positive()),
  count: z.number(),
  statuses: z.record(z.string(), z.number()),
  p50: Millis,
  p95: Millis,
  p99: Millis,
  max: Millis,
});
export type OperationFigures = z.infer<typeof OperationFigures>;

/** One 10 s period of the run: `at` in ms since the epoch. */
export const TimelinePoint = z.object({ at: z.number(), responses: z.number(), p50: Millis, p95: Millis, p99: Millis, errors: z.number() });
export type TimelinePoint = z.infer<typeof TimelinePoint>;

/** One load client of a rate-limit campaign: its role and rate (arrivals per minute), and what it was answered (counts). */
export const ClientFigures = z.object({
  clientId: z.string(),
  role: ClientRole,
  perMinute: z.number(),
  allowed: z.number(),
  limited: z.number(),
  noAnswer: z.number(),
});
export type ClientFigures = z.infer<typeof ClientFigures>;

/** A fault made during a campaign, drawn on its latency chart: `from` and `to` in ms since the epoch. */
export const FaultWindow = z.object({ label: z.string(), from: z.number(), to: z.number() });
export type FaultWindow = z.infer<typeof FaultWindow>;

/**
 * A campaign judged: its figures (generator, latency in ms, responses by kind, clients, operations, the 10 s timeline,
 * faults made during it) and its thresholds' verdicts; `status` is failed when one failed, broken when one was not
 * judged (or Artillery itself failed), passed otherwise. Times in ms since the epoch.
 */
export const CampaignVerdict = z.object({
  runId: z.string(),
  profile: ProfileName,
  campaign: CampaignKind,
  slug: z.string(),
  title: z.string(),
  status: VerdictStatus,
  startedAt: z.number(),
  finishedAt: z.number(),
  generator: GeneratorFigures,
  latency: z.object({ promised: LatencyFigures.optional(), all: LatencyFigures.optional() }),
  responses: z.object({
    expected: z.number(),
    rateLimited: z.number(),
    serverError: z.number(),
    unexpected: z.number(),
    arrangeFailed: z.number(),
    transport: z.record(z.string(), z.number()),
    vusersFailed: z.number(),
  }),
  clients: z.array(ClientFigures),
  operations: z.array(OperationFigures),
  timeline: z.array(TimelinePoint),
  thresholds: z.array(ThresholdVerdict),
  artillery: z
    .object({ exitCode: z.number().nullable(), checks: z.array(z.object({ ok: z.boolean(), expression: z.string() })) })
    .optional(),
  /** Faults made during the campaign (the broker cut through the target's fault port). */
  faults: z.array(FaultWindow).optional(),
});
export type CampaignVerdict = z.infer<typeof CampaignVerdict>;

/**
 * The name of a load check of a catalog row, as the traceability matrix and the self-check's (row, check) pairs
 * give it: `load:<campaign slug>:<threshold key>`, e.g. `load:latency:p95-promised`, `load:rate-limit:over-limit-1`.
 */
export const loadCheckName = (slug: string, key: string) => `load:${slug}:${key}`;
