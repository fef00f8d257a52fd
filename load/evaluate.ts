import { stripVTControlCharacters } from 'node:util';
import { type ArtilleryReport, counter, countersMatching, type Period, type Summary } from './artillery-report.ts';
import type { LogAudit } from './log-audit.ts';
import { clientAllowed, clientLimited, clientNoAnswer, metrics, operationStatusPattern, operationTimePattern } from './metrics.ts';
import { askedArrivals, type CampaignPlan, type ClientRole } from './plan.ts';

export type VerdictStatus = 'passed' | 'failed' | 'broken' | 'skipped';

export interface ThresholdVerdict {
  key: string;
  title: string;
  status: VerdictStatus;
  expected: string;
  actual: string;
  message: string;
  rows: number[];
  /** Sub-checks (per operation, per client), shown as steps. */
  checks: { name: string; status: VerdictStatus; actual: string }[];
}

export interface GeneratorFigures {
  engine: 'artillery' | 'autocannon';
  askedRate: number;
  askedArrivals: number;
  arrivals: number;
  /** Arrivals per second between the first and the last arrival. */
  arrivalRate: number;
  firstSends: number;
  /** Virtual users' first requests per second, from the first arrival to the last first request. */
  sendRate: number;
  /** The larger relative gap between asked and achieved, as a fraction. */
  deviation: number;
  bound: boolean;
}

export interface OperationFigures {
  operationId: string;
  promised: boolean;
  rows: number[];
  count: number;
  statuses: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface TimelinePoint {
  at: number;
  responses: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

export interface ClientFigures {
  clientId: string;
  role: ClientRole;
  perMinute: number;
  allowed: number;
  limited: number;
  noAnswer: number;
}

export interface CampaignVerdict {
  runId: string;
  profile: CampaignPlan['profile'];
  campaign: CampaignPlan['campaign'];
  slug: string;
  title: string;
  status: VerdictStatus;
  startedAt: number;
  finishedAt: number;
  generator: GeneratorFigures;
  latency: { promised?: LatencyFigures; all?: LatencyFigures };
  responses: {
    expected: number;
    rateLimited: number;
    serverError: number;
    unexpected: number;
    arrangeFailed: number;
    transport: Record<string, number>;
    vusersFailed: number;
  };
  clients: ClientFigures[];
  operations: OperationFigures[];
  timeline: TimelinePoint[];
  thresholds: ThresholdVerdict[];
  artillery?: { exitCode: number | null; checks: { ok: boolean; expression: string }[] };
  /** Faults made during the campaign (the broker cut through the target's fault port): what, from and to (ms since the epoch). */
  faults?: FaultWindow[];
}

/** A fault made during a campaign, drawn on its latency chart: `from` and `to` in ms since the epoch. */
export interface FaultWindow {
  label: string;
  from: number;
  to: number;
}

export interface LatencyFigures {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const minimumSamplesPerOperation = 20;

/** Achieved against asked, from the exact first and last clocks of the arrivals and of the first requests. */
export function generatorFigures(plan: CampaignPlan, aggregate: Period): GeneratorFigures {
  const asked = askedArrivals(plan);
  const rateOf = (summary: Summary | undefined) =>
    summary && summary.count > 1 && summary.max > summary.min ? ((summary.count - 1) * 1000) / (summary.max - summary.min) : 0;
  const arrivals = aggregate.summaries[metrics.arrivalClock];
  const sends = aggregate.summaries[metrics.firstSendClock];
  const arrivalRate = rateOf(arrivals);
  // From the first arrival (the schedule's start) to the last first-request: a slow start does not count, a late end does.
  const sendRate =
    arrivals && sends && sends.count > 1 && sends.max > arrivals.min ? ((sends.count - 1) * 1000) / (sends.max - arrivals.min) : 0;
  const deviation = Math.max(
    Math.abs(arrivalRate - plan.arrivalRate) / plan.arrivalRate,
    Math.abs(sendRate - plan.arrivalRate) / plan.arrivalRate,
    Math.max(0, asked - (arrivals?.count ?? 0)) / asked,
  );
  return {
    engine: 'artillery',
    askedRate: plan.arrivalRate,
    askedArrivals: asked,
    arrivals: arrivals?.count ?? 0,
    arrivalRate,
    firstSends: sends?.count ?? 0,
    sendRate,
    deviation,
    bound: deviation > plan.thresholds.rateTolerance,
  };
}

const latencyOf = (summary: Summary | undefined): LatencyFigures | undefined =>
  summary ? { count: summary.count, p50: summary.p50, p95: summary.p95, p99: summary.p99, max: summary.max } : undefined;

/** Per catalog operation: how often, which statuses, how fast (client-side total time). */
export function operationFigures(plan: CampaignPlan, aggregate: Period): OperationFigures[] {
  const promised = new Set(plan.promisedLatency.operationIds);
  const statuses = new Map<string, Record<string, number>>();
  for (const [name, value] of Object.entries(aggregate.counters)) {
    const match = operationStatusPattern.exec(name);
    if (!match) continue;
    const [, operationId, status] = match as unknown as [string, string, string];
    statuses.set(operationId, { ...statuses.get(operationId), [status]: value });
  }
  return plan.mix.map((entry) => {
    const summary = Object.entries(aggregate.summaries).find(([name]) => operationTimePattern.exec(name)?.[1] === entry.operationId)?.[1];
    const byStatus = statuses.get(entry.operationId) ?? {};
    return {
      operationId: entry.operationId,
      promised: promised.has(entry.operationId),
      rows: entry.rows,
      count: Object.values(byStatus).reduce((sum, value) => sum + value, 0),
      statuses: byStatus,
      p50: summary?.p50 ?? Number.NaN,
      p95: summary?.p95 ?? Number.NaN,
      p99: summary?.p99 ?? Number.NaN,
      max: summary?.max ?? Number.NaN,
    };
  });
}

function errorsIn(period: Period): number {
  return (
    counter(period, metrics.serverError) +
    counter(period, metrics.unexpected) +
    counter(period, metrics.arrangeFailed) +
    countersMatching(period, /^errors\./) +
    counter(period, 'vusers.failed')
  );
}

/** Latency and errors per 10 s period: the chart of the run. */
export function timeline(plan: CampaignPlan, report: ArtilleryReport): TimelinePoint[] {
  const name = plan.campaign === 'latency' ? metrics.promisedTime : metrics.allTime;
  return report.intermediate
    .map((period) => {
      const summary = period.summaries[name] ?? period.summaries[metrics.allTime];
      return {
        at: period.period,
        responses: period.summaries[metrics.allTime]?.count ?? 0,
        p50: summary?.p50 ?? Number.NaN,
        p95: summary?.p95 ?? Number.NaN,
        p99: summary?.p99 ?? Number.NaN,
        errors: errorsIn(period) + (plan.campaign === 'latency' ? counter(period, metrics.rateLimited) : 0),
      };
    })
    .sort((a, b) => a.at - b.at);
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const percent = (fraction: number) => `${(fraction * 100).toFixed(2)} %`;

function verdict(
  fields: Omit<ThresholdVerdict, 'checks' | 'rows' | 'message'> & Partial<Pick<ThresholdVerdict, 'checks' | 'rows' | 'message'>>,
): ThresholdVerdict {
  return { checks: [], rows: [], message: '', ...fields };
}

/**
 * The campaign's verdicts from Artillery's JSON report (and, for the rate limit, the log audit).
 * When the generator fell behind, the target's figures are not judged: they describe a load that
 * was never applied.
 */
export function evaluateCampaign(
  plan: CampaignPlan,
  report: ArtilleryReport,
  options: {
    audit?: LogAudit;
    auditSkipped?: string;
    startedAt?: number;
    finishedAt?: number;
    artillery?: CampaignVerdict['artillery'];
  } = {},
): CampaignVerdict {
  const { aggregate } = report;
  const generator = generatorFigures(plan, aggregate);
  const transport = Object.fromEntries(Object.entries(aggregate.counters).filter(([name]) => name.startsWith('errors.')));
  const responses = {
    expected: counter(aggregate, metrics.expected),
    rateLimited: counter(aggregate, metrics.rateLimited),
    serverError: counter(aggregate, metrics.serverError),
    unexpected: counter(aggregate, metrics.unexpected),
    arrangeFailed: counter(aggregate, metrics.arrangeFailed),
    transport,
    vusersFailed: counter(aggregate, 'vusers.failed'),
  };
  const clients = plan.clients.map((client) => ({
    clientId: client.clientId,
    role: client.role,
    perMinute: client.perMinute,
    allowed: counter(aggregate, clientAllowed(client.clientId)),
    limited: counter(aggregate, clientLimited(client.clientId)),
    noAnswer: counter(aggregate, clientNoAnswer(client.clientId)),
  }));
  const operations = operationFigures(plan, aggregate);
  const latency = { promised: latencyOf(aggregate.summaries[metrics.promisedTime]), all: latencyOf(aggregate.summaries[metrics.allTime]) };

  const thresholds: ThresholdVerdict[] = [
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
  ];
  const transportErrors = Object.values(transport).reduce((sum, value) => sum + value, 0);
  const errorBreakdown = `${responses.serverError} 5xx, ${responses.unexpected} unexpected statuses, ${transportErrors} transport errors, ${responses.arrangeFailed} failed arrangements, ${responses.vusersFailed} failed virtual users`;

  if (plan.campaign === 'latency') {
    const promised = latency.promised;
    thresholds.push(
      verdict({
        key: 'p95-promised',
        title: `p95 under ${plan.thresholds.p95Ms} ms on the rows promising "Thành công <1s"`,
        status: !promised ? 'broken' : promised.p95 < plan.thresholds.p95Ms ? 'passed' : 'failed',
        expected: `p95 < ${plan.thresholds.p95Ms} ms`,
        actual: promised
          ? `p95 ${fmt(promised.p95)} ms (p50 ${fmt(promised.p50)}, p99 ${fmt(promised.p99)}, max ${fmt(promised.max)}; ${promised.count} requests)`
          : 'no response measured',
        rows: plan.promisedLatency.rows,
      }),
    );
    const judged = operations.filter((operation) => operation.promised);
    const checks = judged.map((operation) => ({
      name: `${operation.operationId} (rows ${operation.rows.join(', ')})`,
      status: (operation.count < minimumSamplesPerOperation
        ? 'skipped'
        : operation.p95 < plan.thresholds.p95Ms
          ? 'passed'
          : 'failed') as VerdictStatus,
      actual: `p95 ${fmt(operation.p95)} ms, p99 ${fmt(operation.p99)} ms, ${operation.count} requests${operation.count < minimumSamplesPerOperation ? ` (fewer than ${minimumSamplesPerOperation}: not judged alone)` : ''}`,
    }));
    const failing = checks.filter((check) => check.status === 'failed');
    thresholds.push(
      verdict({
        key: 'p95-per-operation',
        title: `p95 under ${plan.thresholds.p95Ms} ms for each promising operation with at least ${minimumSamplesPerOperation} requests`,
        status: failing.length > 0 ? 'failed' : checks.some((check) => check.status === 'passed') ? 'passed' : 'skipped',
        expected: `p95 < ${plan.thresholds.p95Ms} ms per operation`,
        actual: `${checks.filter((check) => check.status === 'passed').length} passed, ${failing.length} failed, ${checks.filter((check) => check.status === 'skipped').length} with too few requests`,
        rows: plan.promisedLatency.rows,
        checks,
      }),
    );
    const errors =
      responses.serverError +
      responses.unexpected +
      responses.arrangeFailed +
      transportErrors +
      responses.vusersFailed +
      responses.rateLimited;
    thresholds.push(
      verdict({
        key: 'errors',
        title: 'zero errors under the nominal mix',
        status: errors === 0 ? 'passed' : 'failed',
        expected: '0 errors',
        actual: `${errors} errors: ${errorBreakdown}, ${responses.rateLimited} rate-limited`,
      }),
    );
    if (plan.profile === 'soak') {
      // Held for the whole run, not on average: every 10 s period keeps the promise (no drift, no slow leak).
      const periods = timeline(plan, report).filter((point) => Number.isFinite(point.p95));
      const worst = periods.reduce<TimelinePoint | undefined>((max, point) => (!max || point.p95 > max.p95 ? point : max), undefined);
      const start = periods[0]?.at ?? 0;
      const breaking = periods.filter((point) => !(point.p95 < plan.thresholds.p95Ms));
      thresholds.push(
        verdict({
          key: 'p95-every-period',
          title: `p95 under ${plan.thresholds.p95Ms} ms in every 10 s period of the soak`,
          status: periods.length === 0 ? 'broken' : breaking.length === 0 ? 'passed' : 'failed',
          expected: `p95 < ${plan.thresholds.p95Ms} ms in each of ${periods.length} periods`,
          actual: worst
            ? `worst period: p95 ${fmt(worst.p95)} ms at ${Math.round((worst.at - start) / 1000)} s; ${breaking.length} periods over`
            : 'no period measured',
          rows: plan.promisedLatency.rows,
        }),
      );
    }
  } else {
    const rows = [...new Set(plan.mix.flatMap((entry) => entry.rows))].sort((a, b) => a - b);
    for (const client of clients) {
      const sent = client.allowed + client.limited;
      if (client.role === 'over-limit') {
        const ok =
          client.allowed <= plan.rateLimitPerMinute && client.allowed + client.noAnswer >= plan.rateLimitPerMinute && client.limited > 0;
        thresholds.push(
          verdict({
            key: `client-${client.clientId}`,
            title: `${client.clientId} at ${client.perMinute} req/min: ${plan.rateLimitPerMinute} allowed, the rest 429`,
            status: ok ? 'passed' : 'failed',
            expected: `${plan.rateLimitPerMinute} allowed, ${Math.max(0, sent - plan.rateLimitPerMinute)} × 429`,
            actual: `${client.allowed} allowed, ${client.limited} × 429 of ${sent}${client.noAnswer ? ` (and ${client.noAnswer} unanswered)` : ''}`,
            rows,
          }),
        );
      } else {
        thresholds.push(
          verdict({
            key: `client-${client.clientId}`,
            title: `${client.clientId} just under the limit (${client.perMinute} req/min): no 429`,
            status: client.limited === 0 && sent > 0 ? 'passed' : 'failed',
            expected: '0 × 429',
            actual: `${client.allowed} allowed, ${client.limited} × 429 of ${sent}${client.noAnswer ? ` (and ${client.noAnswer} unanswered)` : ''}`,
            rows,
          }),
        );
      }
    }
    const missing = counter(aggregate, metrics.rateLimitHeadersMissing);
    thresholds.push(
      verdict({
        key: 'rate-limit-headers',
        title: `every 429 carries Retry-After (${plan.targetProfile.rateLimit.retryAfter}), every answer the ${plan.targetProfile.rateLimit.headers} rate-limit headers`,
        status: missing === 0 ? 'passed' : 'failed',
        expected: '0 answers without them',
        actual: `${missing} answers without them`,
        rows,
      }),
    );
    const failures = responses.serverError + responses.unexpected + responses.arrangeFailed + transportErrors + responses.vusersFailed;
    thresholds.push(
      verdict({
        key: 'no-5xx',
        title: 'no 5xx and no other unexpected answer beyond the limit',
        status: failures === 0 ? 'passed' : 'failed',
        expected: '0',
        actual: errorBreakdown,
        rows,
      }),
    );
    const { audit } = options;
    thresholds.push(
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
        message: audit ? audit.message : (options.auditSkipped ?? 'the log audit did not run'),
        rows,
        checks: (audit?.clients ?? []).map((c) => ({
          name: `${c.clientId} (${c.role})`,
          status: c.problems.length === 0 ? 'passed' : 'failed',
          actual: `${c.logged} logged, ${c.reachedDownstream} reached the downstream (busiest window ${c.reachedInBusiestWindow}), ${c.rateLimited} rate-limited; the client saw ${c.observed.allowed} allowed, ${c.observed.limited} × 429`,
        })),
      }),
    );
  }

  if (generator.bound) {
    for (const threshold of thresholds.slice(1)) {
      threshold.status = 'broken';
      threshold.message =
        `not judged: the generator was bound (${percent(generator.deviation)} off the asked rate). ${threshold.message}`.trim();
    }
  }
  const artilleryFailed = options.artillery !== undefined && options.artillery.exitCode !== 0;
  const statuses = thresholds.map((threshold) => threshold.status);
  const status: VerdictStatus = statuses.includes('failed')
    ? 'failed'
    : statuses.includes('broken') || artilleryFailed
      ? 'broken'
      : 'passed';
  return {
    runId: plan.runId,
    profile: plan.profile,
    campaign: plan.campaign,
    slug: plan.slug,
    title: plan.title,
    status,
    startedAt: options.startedAt ?? aggregate.firstMetricAt ?? 0,
    finishedAt: options.finishedAt ?? aggregate.lastMetricAt ?? 0,
    generator,
    latency,
    responses,
    clients,
    operations,
    timeline: timeline(plan, report),
    thresholds,
    ...(options.artillery ? { artillery: options.artillery } : {}),
  };
}

/** Artillery's own ensure lines ("ok: …" / "fail: …") from its console output. */
export function parseEnsureOutput(output: string): { ok: boolean; expression: string }[] {
  const plain = stripVTControlCharacters(output);
  return [...plain.matchAll(/^(ok|fail): (.+?)(?: \(optional\))?$/gm)].map((match) => ({
    ok: match[1] === 'ok',
    expression: match[2] as string,
  }));
}
