import { promised } from '../fixtures/catalog/vocabulary.ts';
import type { LogAudit } from './log-audit.ts';
import { clientAllowed, clientLimited, clientNoAnswer, metrics } from './metrics.ts';
import { askedArrivals, type CampaignKind, type CampaignPlan, promisedLatencyMs, rateTolerance } from './plan.ts';
import type { CampaignVerdict, ThresholdVerdict, TimelinePoint, VerdictStatus } from './verdict.ts';

/** What a campaign's run measured, as the thresholds judge it (evaluate.ts computes it from Artillery's report). */
export type CampaignFigures = Pick<CampaignVerdict, 'generator' | 'latency' | 'responses' | 'clients' | 'operations'> & {
  timeline: () => TimelinePoint[];
  /** Answers without the rate-limit headers (or a 429 without Retry-After). */
  rateLimitHeadersMissing: number;
  /** The transaction-log audit of a rate-limit campaign, or why it did not run. */
  audit?: LogAudit;
  auditSkipped?: string;
};

/** An Allure 3 quality-gate bound on one performance metric (`load.<profile>.<campaign>.<figure>`) of the campaigns it judges. */
export interface GateBound {
  figure: string;
  rule: 'metricMax' | 'metricMin';
  value: number;
  /** The catalog promise or rule the bound stands for, shown by the gate. */
  why: string;
  /** The campaigns (by slug: `latency`, `rate-limit`, `stress-03`) whose metric it bounds; all of them when absent. */
  slugs?: (slug: string) => boolean;
}

/**
 * One threshold of a load campaign: its key, the campaigns it judges, its Artillery ensure conditions, its
 * verdict and its quality-gate bound (see `thresholds`).
 */
export interface Threshold {
  /**
   * The verdict's key; the per-client one gives one verdict per client, keyed by its role and place
   * (`over-limit-1`, `under-limit-1`) so that a row's check is named alike whatever a deployment calls its clients.
   */
  key: string;
  /** The campaigns it judges. */
  campaigns: readonly CampaignKind[];
  /** Only for some runs of those campaigns (the soak's every-period p95). */
  when?: (plan: CampaignPlan) => boolean;
  /** Artillery ensure: boolean expressions over its metrics, and percentile bounds (`{ "<metric>.p95": ms }`). */
  ensure?: (plan: CampaignPlan) => { conditions?: string[]; percentiles?: Record<string, number>[] };
  /** The verdict(s) from the run's figures. */
  judge: (plan: CampaignPlan, figures: CampaignFigures) => ThresholdVerdict | ThresholdVerdict[];
  gate?: GateBound;
}

const minimumSamplesPerOperation = 20;
const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const percent = (fraction: number) => `${(fraction * 100).toFixed(2)} %`;
const round = (value: number) => Math.round(value * 1000) / 1000;

function verdict(
  fields: Omit<ThresholdVerdict, 'checks' | 'rows' | 'message'> & Partial<Pick<ThresholdVerdict, 'checks' | 'rows' | 'message'>>,
): ThresholdVerdict {
  return { checks: [], rows: [], message: '', ...fields };
}

const transportErrors = (figures: CampaignFigures) => Object.values(figures.responses.transport).reduce((sum, value) => sum + value, 0);
/** 5xx, unexpected statuses, transport errors, failed arrangements and failed virtual users: what no campaign may have. */
const failures = (figures: CampaignFigures) =>
  figures.responses.serverError +
  figures.responses.unexpected +
  figures.responses.arrangeFailed +
  transportErrors(figures) +
  figures.responses.vusersFailed;
const errorBreakdown = (figures: CampaignFigures) =>
  `${figures.responses.serverError} 5xx, ${figures.responses.unexpected} unexpected statuses, ${transportErrors(figures)} transport errors, ${figures.responses.arrangeFailed} failed arrangements, ${figures.responses.vusersFailed} failed virtual users`;
/** The Artillery conditions of `failures`, counted by its own metrics. */
const noFailureConditions = [
  'vusers.failed == 0',
  `${metrics.serverError} == 0`,
  `${metrics.unexpected} == 0`,
  `${metrics.arrangeFailed} == 0`,
];
const rowsOfMix = (plan: CampaignPlan) => [...new Set(plan.mix.flatMap((entry) => entry.rows))].sort((a, b) => a - b);

/**
 * Every threshold of the load campaigns, stated once: which campaigns it judges, the Artillery `ensure` conditions
 * that enforce it while the run happens (a miss makes Artillery exit 1), how the campaign's verdict judges it from
 * the run's figures, and the Allure quality-gate bound on the performance metric it stands for. The generated
 * script (artillery-script.ts), the verdict (evaluate.ts), the gate (reports/quality-gate.ts) and the report read
 * these declarations; none of them writes a threshold of its own. Sources: the catalog's "Thành công <1s"
 * (promisedLatencyMs) and "Giới hạn rate-limit 1000 req/min" (promised.rateLimitPerMinute) columns; the rate
 * tolerance is the suite's own honesty rule (a load not applied as asked is not judged).
 */
export const thresholds: readonly Threshold[] = [
  {
    key: 'generator',
    campaigns: ['latency', 'rate-limit'],
    // Rates from the exact first and last clocks: a generator that fell behind its schedule fails here instead of passing quietly.
    ensure: (plan) => {
      const tolerance = plan.thresholds.rateTolerance;
      const rateOf = (clock: string) => `((${clock}.count - 1) * 1000 / (${clock}.max - ${clock}.min))`;
      const within = (expression: string, value: number) => [
        `${expression} >= ${round(value * (1 - tolerance))}`,
        `${expression} <= ${round(value * (1 + tolerance))}`,
      ];
      return {
        conditions: [
          `${metrics.arrivalClock}.count >= ${Math.ceil(askedArrivals(plan) * (1 - tolerance))}`,
          ...within(rateOf(metrics.arrivalClock), plan.arrivalRate),
          ...within(
            `((${metrics.firstSendClock}.count - 1) * 1000 / (${metrics.firstSendClock}.max - ${metrics.arrivalClock}.min))`,
            plan.arrivalRate,
          ),
        ],
      };
    },
    judge: (plan, { generator }) =>
      verdict({
        key: 'generator',
        title: `load applied as asked: ${fmt(plan.arrivalRate, 2)} arrivals/s within ${percent(plan.thresholds.rateTolerance)}`,
        status: generator.bound ? 'failed' : 'passed',
        expected: `${generator.askedArrivals} arrivals at ${fmt(generator.askedRate, 3)}/s (±${percent(plan.thresholds.rateTolerance)})`,
        actual: `${generator.arrivals} arrivals at ${fmt(generator.arrivalRate, 3)}/s, first requests at ${fmt(generator.sendRate, 3)}/s (off by ${percent(generator.deviation)})`,
        message: generator.bound
          ? `generator-bound: Artillery achieved ${fmt(generator.arrivalRate, 2)}/s of the ${fmt(generator.askedRate, 2)}/s asked; the target's figures below describe a load that was not applied`
          : 'the generator kept its schedule',
      }),
    gate: { figure: 'rate_deviation', rule: 'metricMax', value: rateTolerance * 100, why: 'the load applied as asked (else not judged)' },
  },
  {
    key: 'p95-promised',
    campaigns: ['latency'],
    ensure: (plan) => ({ percentiles: [{ [`${metrics.promisedTime}.p95`]: plan.thresholds.p95Ms }] }),
    judge: (plan, { latency }) => {
      const promisedLatency = latency.promised;
      return verdict({
        key: 'p95-promised',
        title: `p95 under ${plan.thresholds.p95Ms} ms on the rows promising "Thành công <1s"`,
        status: !promisedLatency ? 'broken' : promisedLatency.p95 < plan.thresholds.p95Ms ? 'passed' : 'failed',
        expected: `p95 < ${plan.thresholds.p95Ms} ms`,
        actual: promisedLatency
          ? `p95 ${fmt(promisedLatency.p95)} ms (p50 ${fmt(promisedLatency.p50)}, p99 ${fmt(promisedLatency.p99)}, max ${fmt(promisedLatency.max)}; ${promisedLatency.count} requests)`
          : 'no response measured',
        rows: plan.promisedLatency.rows,
      });
    },
    // The latency campaign's p95 only: a stress step's job is to find where the promise breaks, not to keep it.
    gate: {
      figure: 'p95',
      rule: 'metricMax',
      value: promisedLatencyMs,
      why: 'Thành công <1s: p95 under load',
      slugs: (slug) => slug === 'latency',
    },
  },
  {
    key: 'p95-per-operation',
    campaigns: ['latency'],
    judge: (plan, { operations }) => {
      const checks = operations
        .filter((operation) => operation.promised)
        .map((operation) => ({
          name: `${operation.operationId} (rows ${operation.rows.join(', ')})`,
          status: (operation.count < minimumSamplesPerOperation
            ? 'skipped'
            : operation.p95 < plan.thresholds.p95Ms
              ? 'passed'
              : 'failed') as VerdictStatus,
          actual: `p95 ${fmt(operation.p95)} ms, p99 ${fmt(operation.p99)} ms, ${operation.count} requests${operation.count < minimumSamplesPerOperation ? ` (fewer than ${minimumSamplesPerOperation}: not judged alone)` : ''}`,
        }));
      const failing = checks.filter((check) => check.status === 'failed');
      return verdict({
        key: 'p95-per-operation',
        title: `p95 under ${plan.thresholds.p95Ms} ms for each promising operation with at least ${minimumSamplesPerOperation} requests`,
        status: failing.length > 0 ? 'failed' : checks.some((check) => check.status === 'passed') ? 'passed' : 'skipped',
        expected: `p95 < ${plan.thresholds.p95Ms} ms per operation`,
        actual: `${checks.filter((check) => check.status === 'passed').length} passed, ${failing.length} failed, ${checks.filter((check) => check.status === 'skipped').length} with too few requests`,
        rows: plan.promisedLatency.rows,
        checks,
      });
    },
  },
  {
    key: 'errors',
    campaigns: ['latency'],
    ensure: () => ({ conditions: [...noFailureConditions, `${metrics.rateLimited} == 0`] }),
    judge: (_plan, figures) => {
      const errors = failures(figures) + figures.responses.rateLimited;
      return verdict({
        key: 'errors',
        title: 'zero errors under the nominal mix',
        status: errors === 0 ? 'passed' : 'failed',
        expected: '0 errors',
        actual: `${errors} errors: ${errorBreakdown(figures)}, ${figures.responses.rateLimited} rate-limited`,
      });
    },
    gate: { figure: 'errors', rule: 'metricMax', value: 0, why: 'no error under load' },
  },
  {
    key: 'p95-every-period',
    campaigns: ['latency'],
    // Held for the whole run, not on average: every 10 s period keeps the promise (no drift, no slow leak).
    when: (plan) => plan.profile === 'soak',
    judge: (plan, figures) => {
      const periods = figures.timeline().filter((point) => Number.isFinite(point.p95));
      const worst = periods.reduce<TimelinePoint | undefined>((max, point) => (!max || point.p95 > max.p95 ? point : max), undefined);
      const start = periods[0]?.at ?? 0;
      const breaking = periods.filter((point) => !(point.p95 < plan.thresholds.p95Ms));
      return verdict({
        key: 'p95-every-period',
        title: `p95 under ${plan.thresholds.p95Ms} ms in every 10 s period of the soak`,
        status: periods.length === 0 ? 'broken' : breaking.length === 0 ? 'passed' : 'failed',
        expected: `p95 < ${plan.thresholds.p95Ms} ms in each of ${periods.length} periods`,
        actual: worst
          ? `worst period: p95 ${fmt(worst.p95)} ms at ${Math.round((worst.at - start) / 1000)} s; ${breaking.length} periods over`
          : 'no period measured',
        rows: plan.promisedLatency.rows,
      });
    },
  },
  {
    key: '<role>-<n>',
    campaigns: ['rate-limit'],
    ensure: (plan) => ({
      conditions: plan.clients.flatMap((client) =>
        client.role === 'over-limit'
          ? // Exactly the limit allowed; a request that got no answer may have spent one unit of it.
            [
              `${clientAllowed(client.clientId)} <= ${plan.rateLimitPerMinute}`,
              `${clientAllowed(client.clientId)} + ${clientNoAnswer(client.clientId)} >= ${plan.rateLimitPerMinute}`,
              `${clientLimited(client.clientId)} > 0`,
            ]
          : [`${clientLimited(client.clientId)} == 0`],
      ),
    }),
    judge: (plan, { clients }) =>
      clients.map((client) => {
        const place = clients.filter((other) => other.role === client.role).indexOf(client) + 1;
        const sent = client.allowed + client.limited;
        const unanswered = client.noAnswer ? ` (and ${client.noAnswer} unanswered)` : '';
        if (client.role === 'over-limit') {
          const ok =
            client.allowed <= plan.rateLimitPerMinute && client.allowed + client.noAnswer >= plan.rateLimitPerMinute && client.limited > 0;
          return verdict({
            key: `${client.role}-${place}`,
            title: `${client.clientId} at ${client.perMinute} req/min: ${plan.rateLimitPerMinute} allowed, the rest 429`,
            status: ok ? 'passed' : 'failed',
            expected: `${plan.rateLimitPerMinute} allowed, ${Math.max(0, sent - plan.rateLimitPerMinute)} × 429`,
            actual: `${client.allowed} allowed, ${client.limited} × 429 of ${sent}${unanswered}`,
            rows: rowsOfMix(plan),
          });
        }
        return verdict({
          key: `${client.role}-${place}`,
          title: `${client.clientId} just under the limit (${client.perMinute} req/min): no 429`,
          status: client.limited === 0 && sent > 0 ? 'passed' : 'failed',
          expected: '0 × 429',
          actual: `${client.allowed} allowed, ${client.limited} × 429 of ${sent}${unanswered}`,
          rows: rowsOfMix(plan),
        });
      }),
    gate: {
      figure: 'allowed_per_client',
      rule: 'metricMax',
      value: promised.rateLimitPerMinute,
      why: 'Giới hạn rate-limit 1000 req/min per client',
    },
  },
  {
    key: 'rate-limit-headers',
    campaigns: ['rate-limit'],
    ensure: () => ({ conditions: [`${metrics.rateLimitHeadersMissing} == 0`] }),
    judge: (plan, { rateLimitHeadersMissing }) =>
      verdict({
        key: 'rate-limit-headers',
        title: `every 429 carries Retry-After (${plan.targetProfile.rateLimit.retryAfter}), every answer the ${plan.targetProfile.rateLimit.headers} rate-limit headers`,
        status: rateLimitHeadersMissing === 0 ? 'passed' : 'failed',
        expected: '0 answers without them',
        actual: `${rateLimitHeadersMissing} answers without them`,
        rows: rowsOfMix(plan),
      }),
  },
  {
    key: 'no-5xx',
    campaigns: ['rate-limit'],
    ensure: () => ({ conditions: noFailureConditions }),
    judge: (plan, figures) =>
      verdict({
        key: 'no-5xx',
        title: 'no 5xx and no other unexpected answer beyond the limit',
        status: failures(figures) === 0 ? 'passed' : 'failed',
        expected: '0',
        actual: errorBreakdown(figures),
        rows: rowsOfMix(plan),
      }),
    gate: { figure: 'errors', rule: 'metricMax', value: 0, why: 'no error under load' },
  },
  {
    key: 'log-downstream',
    campaigns: ['rate-limit'],
    judge: (plan, { audit, auditSkipped }) =>
      verdict({
        key: 'log-downstream',
        title: 'transaction log: nothing beyond the limit reached the downstream',
        status: audit ? audit.status : 'skipped',
        expected: `rate-limited entries with 0 attempts; at most ${plan.rateLimitPerMinute} reached per client and window`,
        actual: audit
          ? audit.clients
              .map(
                (c) =>
                  `${c.clientId}: ${c.reachedDownstream} reached, ${c.rateLimited} rate-limited (${c.rateLimitedButReached} of them reached), ${c.windows} window(s)`,
              )
              .join('; ')
          : 'not run',
        message: audit ? audit.message : (auditSkipped ?? 'the log audit did not run'),
        rows: rowsOfMix(plan),
        checks: (audit?.clients ?? []).map((c) => ({
          name: `${c.clientId} (${c.role})`,
          status: c.problems.length === 0 ? 'passed' : 'failed',
          actual: `${c.logged} logged, ${c.reachedDownstream} reached the downstream (busiest window ${c.reachedInBusiestWindow}), ${c.rateLimited} rate-limited; the client saw ${c.observed.allowed} allowed, ${c.observed.limited} × 429`,
        })),
      }),
  },
];

/** The thresholds that judge a campaign, in the order its verdict lists them. */
export const thresholdsOf = (plan: CampaignPlan) =>
  thresholds.filter((threshold) => threshold.campaigns.includes(plan.campaign) && (threshold.when?.(plan) ?? true));

/**
 * The gate's bound on one performance metric of a campaign (`load.<profile>.<slug>.<figure>`), from the first
 * threshold that declares one for that figure and slug (thresholds sharing a figure declare the same bound).
 */
export const gateBoundOf = (slug: string, figure: string): GateBound | undefined =>
  thresholds.find((threshold) => threshold.gate?.figure === figure && (threshold.gate.slugs?.(slug) ?? true))?.gate;
