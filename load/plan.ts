import { z } from 'zod';
import { Endpoint, Operation } from '../fixtures/catalog/model.ts';
import { referenceProfile, TargetProfile } from '../fixtures/profile/profile.ts';

/** "Thành công <1s": the catalog's promise, in milliseconds. */
export const promisedLatencyMs = 1000;
/** How far the achieved rate may stray from the asked one before the campaign is generator-bound. */
export const rateTolerance = 0.01;

export const profileNames = ['smoke', 'nominal', 'stress', 'soak'] as const;
export const ProfileName = z.enum(profileNames);
export type ProfileName = z.infer<typeof ProfileName>;

export const CampaignKind = z.enum(['rate-limit', 'latency']);
export type CampaignKind = z.infer<typeof CampaignKind>;

export const ClientRole = z.enum(['over-limit', 'under-limit', 'nominal']);
export type ClientRole = z.infer<typeof ClientRole>;

/**
 * How Artillery paces arrivals. `ramp` (a constant ramp: setTimeout once per second, then evenly
 * within it) leaves the CPU to a target on the same machine but drifts when the machine is starved;
 * `uniform` (Artillery's plain phase) keeps time with a timer that busy-waits, taking about a core.
 */
export const Pacing = z.enum(['ramp', 'uniform']);
export type Pacing = z.infer<typeof Pacing>;

export const PlannedClient = z.object({
  clientId: z.string().min(1),
  /** Open-model arrivals per minute for this client (each arrival: one request of the mix). */
  perMinute: z.number().positive(),
  role: ClientRole,
});
export type PlannedClient = z.infer<typeof PlannedClient>;

export const PlannedMixEntry = z.object({
  operationId: z.string().min(1),
  weight: z.number().positive(),
  rows: z.array(z.number().int().positive()).min(1),
});

/**
 * Everything one Artillery run needs to know, generated from the catalog and the profile.
 * It travels inside the generated script, so a cloud worker needs nothing else but the target's secrets.
 */
export const CampaignPlan = z.object({
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
  profile: ProfileName,
  campaign: CampaignKind,
  /** `rate-limit`, `latency`, `stress-03`: unique within a run, names files and metrics. */
  slug: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  step: z.object({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).optional(),
  durationSeconds: z.number().int().positive(),
  /** Arrivals per second: the sum of the clients' rates, whole (Artillery splits it between workers in whole arrivals). */
  arrivalRate: z.number().int().positive(),
  clients: z.array(PlannedClient).min(1),
  mix: z.array(PlannedMixEntry).min(1),
  /** The operations of the mix and the ones that arrange records for them, by id. */
  operations: z.record(z.string(), Operation),
  /** The operation that arranges a record on each endpoint. */
  arrange: z.record(Endpoint, z.string()),
  promisedLatency: z.object({ operationIds: z.array(z.string()), rows: z.array(z.number().int().positive()) }),
  rateLimitPerMinute: z.number().int().positive(),
  thresholds: z.object({ p95Ms: z.number().positive(), rateTolerance: z.number().positive() }),
  faults: z.object({ latencyMs: z.number().int().positive(), share: z.number().gt(0).lte(1) }).optional(),
  apiVersion: z.string().min(1),
  /** Records per endpoint that non-destructive operations address (created once per worker). */
  poolSize: z.number().int().positive(),
  /** Sockets shared by the virtual users of one worker. */
  httpPool: z.number().int().positive(),
  pacing: Pacing.default('ramp'),
  /** The target's wire conventions: how each request is built and each answer read (plans older than profiles ran the reference ones). */
  targetProfile: TargetProfile.default(referenceProfile),
});
export type CampaignPlan = z.infer<typeof CampaignPlan>;

export const operationOf = (plan: CampaignPlan, operationId: string) => {
  const operation = plan.operations[operationId];
  if (!operation) throw new Error(`the plan of ${plan.slug} has no operation "${operationId}"`);
  return operation;
};

/**
 * Arrivals the plan asks for, counted the way Artillery makes them: a constant ramp makes exactly
 * `arrivalRate` in each second; the uniform process ticks in whole microseconds and stops at the duration.
 */
export function askedArrivals(plan: Pick<CampaignPlan, 'arrivalRate' | 'durationSeconds'> & { pacing?: Pacing }): number {
  if ((plan.pacing ?? 'ramp') === 'ramp') return plan.arrivalRate * plan.durationSeconds;
  return Math.floor((plan.durationSeconds * 1e6) / Math.floor(1e6 / plan.arrivalRate));
}
