import type { Catalog, Operation, Row } from '../fixtures/catalog/model.ts';
import { promised } from '../fixtures/catalog/vocabulary.ts';
import { grepMatcher } from '../fixtures/playwright/grep.ts';
import type { TargetProfile } from '../fixtures/profile/profile.ts';
import {
  arrangeOperation,
  catalogMix,
  limitedShare,
  type MixEntry,
  operationMix,
  promisedLatency,
  rateLimitMix,
  unlimitedMix,
} from './mix.ts';
import { type CampaignKind, CampaignPlan, type PlannedClient, type ProfileName, promisedLatencyMs, rateTolerance } from './plan.ts';

const { rateLimitPerMinute } = promised;

export interface RateLimitSpec {
  seconds: number;
  /** Clients sent above the limit, each at `overFactor` × the limit. */
  overClients: number;
  underClients: number;
  overFactor: number;
  underFactor: number;
}

export interface LatencySpec {
  seconds: number;
  /** Arrivals per second, spread evenly over the clients. */
  rate: number;
  clients: number;
}

export interface StressSpec {
  stepSeconds: number;
  /** The staircase, lowest first; the run stops at the first step that breaks. */
  rates: number[];
  clients: number;
}

export interface ProfileSpec {
  description: string;
  rateLimit?: RateLimitSpec;
  latency?: LatencySpec;
  stress?: StressSpec;
}

/**
 * One fixed 60 s window per client, opened by its first request: the campaign lasts 58 s so that the
 * up to 1 % its pacing may drift (0.6 s) never spills into a second window, where a correct limiter
 * would rightly allow again. At 1200/min the limit engages after 50 s.
 */
const rateLimitCampaign: RateLimitSpec = { seconds: 58, overClients: 2, underClients: 1, overFactor: 1.2, underFactor: 0.99 };

/** The four profiles. Campaigns of one profile run side by side; stress steps run one after the other. */
export const profiles: Record<ProfileName, ProfileSpec> = {
  smoke: {
    description: 'CI and npm start: one full rate-limit window beside a short latency run, about 90 s',
    rateLimit: rateLimitCampaign,
    latency: { seconds: 60, rate: 30, clients: 17 },
  },
  nominal: {
    description: 'the nominal mix for five minutes beside a rate-limit window with three clients over the limit',
    rateLimit: { ...rateLimitCampaign, overClients: 3 },
    latency: { seconds: 300, rate: 80, clients: 16 },
  },
  stress: {
    description: 'a staircase of the catalog rows outside the rate limit until p95 crosses 1 s or errors begin (the knee)',
    stress: { stepSeconds: 30, rates: [25, 50, 100, 200, 300, 400, 500, 650, 800, 1000, 1300, 1600, 2000], clients: 20 },
  },
  soak: {
    description: 'the catalog mix held for half an hour: p95 under 1 s in every 10 s period, zero errors',
    latency: { seconds: 1800, rate: 60, clients: 20 },
  },
};

export interface PlanOptions {
  runId: string;
  catalog: Catalog;
  /** The target's clients with the role `load`: the load test's virtual clients, in the target description's order. */
  clientIds: readonly string[];
  /** The target's wire conventions, carried by the plan to every worker. */
  targetProfile: TargetProfile;
  campaigns?: readonly CampaignKind[];
  /** Overrides the latency campaign's duration (nominal, soak) or the stress step's. */
  durationSeconds?: number;
  /** Overrides the latency campaign's arrival rate. */
  latencyRate?: number;
  faults?: CampaignPlan['faults'];
  apiVersion?: string;
  pacing?: CampaignPlan['pacing'];
  /**
   * A sliced run (npm start -- --grep): whether a campaign checks a row. A campaign's mix then holds only the
   * operations of its selected rows, and a campaign with none is not planned. Every row when absent.
   */
  selects?: (row: Row, campaign: CampaignKind) => boolean;
}

/**
 * The selection of a sliced run for the load campaigns, as Playwright's --grep reads patterns (case-insensitive
 * unless written /…/flags): a row is selected for a campaign when a pattern matches the line a load check of it
 * would have, `TD448 row 29 · GET /invoice/export · Export dữ liệu · load rate-limit @load @rate-limit @row-29`
 * (the rate-limit campaign checks the rows of the note "rate limit", the latency campaign those of the result
 * "success under 1 s"; a row of neither is never selected for either).
 */
export function loadSelection(grep: readonly string[]): (row: Row, campaign: CampaignKind) => boolean {
  const matches = grepMatcher(grep);
  return (row, campaign) => {
    const check = campaign === 'rate-limit' ? 'rate-limit' : 'latency';
    return matches(
      `TD448 row ${row.number} · ${row.method} ${row.endpoint} · ${row.action} · load ${campaign} @load @${check} @row-${row.number}`,
    );
  };
}

/** The campaigns a profile runs side by side (stress is planned step by step with planStressStep). */
export function planProfile(profile: ProfileName, options: PlanOptions): CampaignPlan[] {
  const spec = profiles[profile];
  const wanted = (kind: CampaignKind) => !options.campaigns || options.campaigns.includes(kind);
  const clients = [...options.clientIds];
  const plans: CampaignPlan[] = [];
  let next = 0;
  const take = (count: number, what: string) => {
    const taken = clients.slice(next, next + count);
    if (taken.length < count) {
      throw new Error(
        `${what} needs ${count} load clients (clients with the role "load"): the target describes ${clients.length}, and ${next} of them went to the campaigns before it. Add clients to the target description.`,
      );
    }
    next += count;
    return taken;
  };
  const selects = options.selects;
  if (selects) {
    // A campaign none of whose rows is selected is not planned.
    const limited = operationMix(options.catalog, (row) => row.noteKey === 'rate-limit' && selects(row, 'rate-limit')).length > 0;
    const latency = operationMix(options.catalog, (row) => row.resultKey === 'latency' && selects(row, 'latency')).length > 0;
    const kept = (kind: CampaignKind) => (kind === 'rate-limit' ? limited : latency);
    const chosen = (options.campaigns ?? (['rate-limit', 'latency'] as CampaignKind[])).filter(kept);
    if (chosen.length === 0) return [];
    options = { ...options, campaigns: chosen };
  }
  if (spec.rateLimit && wanted('rate-limit')) {
    const over = take(spec.rateLimit.overClients, 'the rate-limit campaign');
    const under = take(spec.rateLimit.underClients, 'the rate-limit campaign');
    plans.push(planRateLimit(profile, options, spec.rateLimit, over, under));
  }
  if (spec.latency && wanted('latency')) {
    const latency = {
      ...spec.latency,
      ...(options.durationSeconds ? { seconds: options.durationSeconds } : {}),
      ...(options.latencyRate ? { rate: options.latencyRate } : {}),
    };
    const available = clients.length - next;
    plans.push(planLatency(profile, options, latency, take(Math.min(latency.clients, available), 'the latency campaign')));
  }
  if (plans.length === 0)
    throw new Error(`profile ${profile} runs no ${options.campaigns?.join(' or ')} campaign; it runs: ${describeProfile(profile)}`);
  return plans;
}

export function describeProfile(profile: ProfileName): string {
  const spec = profiles[profile];
  return [spec.rateLimit && 'rate-limit', spec.latency && 'latency', spec.stress && 'stress (latency staircase)']
    .filter(Boolean)
    .join(', ');
}

/**
 * One step of the stress staircase: the catalog rows outside the rate limit at `rate` over every load
 * client (with the limited rows, 20 clients would meet the limiter near 700 req/s, long before the knee).
 */
export function planStressStep(options: PlanOptions, index: number, rate: number, count: number): CampaignPlan {
  const spec = profiles.stress.stress as StressSpec;
  const clients = options.clientIds.slice(0, spec.clients);
  const seconds = options.durationSeconds ?? spec.stepSeconds;
  const plan = planLatency('stress', options, { seconds, rate, clients: clients.length }, clients, unlimitedMix(options.catalog));
  return CampaignPlan.parse({
    ...plan,
    slug: `stress-${String(index + 1).padStart(2, '0')}`,
    title: `stress step ${index + 1} of ${count} · ${rate} req/s (rows outside the rate limit)`,
    step: { index, count },
  });
}

/**
 * The highest arrival rate of the catalog mix that keeps every client under `share` of the limit:
 * above it the gateway would answer 429 by design, and a 429 is not the target breaking.
 */
export function limiterSafeRate(catalog: Catalog, clients: number, share = 0.9): number {
  const limited = limitedShare(catalog, catalogMix(catalog));
  return Math.floor((clients * share * rateLimitPerMinute) / 60 / limited);
}

function planRateLimit(profile: ProfileName, options: PlanOptions, spec: RateLimitSpec, over: string[], under: string[]): CampaignPlan {
  // Whole arrivals per second per client, so the campaign's rate is whole too: 1200/min over, 960/min just under.
  const perSecond = (factor: number, round: (value: number) => number) => round((rateLimitPerMinute * factor) / 60);
  const clients: PlannedClient[] = [
    ...over.map((clientId) => ({ clientId, perMinute: perSecond(spec.overFactor, Math.ceil) * 60, role: 'over-limit' as const })),
    ...under.map((clientId) => ({ clientId, perMinute: perSecond(spec.underFactor, Math.floor) * 60, role: 'under-limit' as const })),
  ];
  const window = 60;
  if (spec.seconds > window || clients.some((c) => c.role === 'over-limit' && (c.perMinute * spec.seconds) / 60 <= rateLimitPerMinute)) {
    throw new Error(
      `the rate-limit campaign must fit one ${window} s window and send the over-limit clients past ${rateLimitPerMinute} requests in it`,
    );
  }
  return buildPlan(options, {
    profile,
    campaign: 'rate-limit',
    slug: 'rate-limit',
    title: `rate limit · ${clients.map((c) => `${c.clientId} ${c.perMinute}/min`).join(', ')} for ${spec.seconds} s`,
    durationSeconds: spec.seconds,
    clients,
    mix: options.selects
      ? operationMix(options.catalog, (row) => row.noteKey === 'rate-limit' && (options.selects?.(row, 'rate-limit') ?? true))
      : rateLimitMix(options.catalog),
  });
}

function planLatency(
  profile: ProfileName,
  options: PlanOptions,
  spec: LatencySpec,
  clientIds: string[],
  // A slice checks its selected rows of the promise "success under 1 s": the mix is their operations alone.
  mix = options.selects
    ? operationMix(options.catalog, (row) => row.resultKey === 'latency' && (options.selects?.(row, 'latency') ?? true))
    : catalogMix(options.catalog),
): CampaignPlan {
  const perMinute = (spec.rate * 60) / clientIds.length;
  const spent = perMinute * limitedShare(options.catalog, mix);
  if (spent > 0.9 * rateLimitPerMinute) {
    throw new Error(
      `${spec.rate} req/s over ${clientIds.length} clients spends ${Math.round(spent)} of each client's ${rateLimitPerMinute} req/min on rate-limited rows: ` +
        `the limiter, not the target's capacity, would answer. Use more clients or at most ${limiterSafeRate(options.catalog, clientIds.length)} req/s.`,
    );
  }
  return buildPlan(options, {
    profile,
    campaign: 'latency',
    slug: 'latency',
    title: `latency · catalog mix at ${spec.rate} req/s over ${clientIds.length} clients for ${spec.seconds} s`,
    durationSeconds: spec.seconds,
    clients: clientIds.map((clientId) => ({ clientId, perMinute, role: 'nominal' as const })),
    mix,
  });
}

function buildPlan(
  options: PlanOptions,
  fields: Pick<CampaignPlan, 'profile' | 'campaign' | 'slug' | 'title' | 'durationSeconds' | 'clients'> & { mix: MixEntry[] },
): CampaignPlan {
  const { catalog } = options;
  const byId = new Map(catalog.operations.map((operation) => [operation.id, operation]));
  const operations: Record<string, Operation> = {};
  const arrange: Record<string, string> = {};
  for (const entry of fields.mix) {
    const operation = byId.get(entry.operationId) as Operation;
    operations[operation.id] = operation;
    const arranging = arrangeOperation(catalog, operation.endpoint);
    operations[arranging.id] = arranging;
    arrange[operation.endpoint] = arranging.id;
  }
  const latency = promisedLatency(catalog);
  const inMix = new Set(fields.mix.map((entry) => entry.operationId));
  const arrivalRate = Math.round(fields.clients.reduce((sum, client) => sum + client.perMinute, 0) / 60);
  return CampaignPlan.parse({
    ...fields,
    runId: options.runId,
    arrivalRate,
    operations,
    arrange,
    promisedLatency: {
      operationIds: latency.operationIds.filter((id) => inMix.has(id)),
      rows: latency.rows.filter((row) => fields.mix.some((entry) => operations[entry.operationId]?.rows.includes(row))),
    },
    rateLimitPerMinute,
    thresholds: { p95Ms: promisedLatencyMs, rateTolerance },
    ...(options.faults ? { faults: options.faults } : {}),
    apiVersion: options.apiVersion ?? 'v2',
    pacing: options.pacing ?? 'ramp',
    poolSize: 5,
    targetProfile: options.targetProfile,
    httpPool: Math.min(1024, Math.max(16, Math.ceil(arrivalRate * 2))),
  });
}
