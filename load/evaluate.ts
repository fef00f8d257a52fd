import { stripVTControlCharacters } from 'node:util';
import { type ArtilleryReport, counter, countersMatching, type Period, type Summary } from './artillery-report.ts';
import type { LogAudit } from './log-audit.ts';
import { clientAllowed, clientLimited, clientNoAnswer, metrics, operationStatusPattern, operationTimePattern } from './metrics.ts';
import { askedArrivals, type CampaignPlan } from './plan.ts';
import { type CampaignFigures, thresholdsOf } from './thresholds.ts';
import type {
  CampaignVerdict,
  GeneratorFigures,
  LatencyFigures,
  OperationFigures,
  ThresholdVerdict,
  TimelinePoint,
  VerdictStatus,
} from './verdict.ts';

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

/**
 * The campaign's verdicts from Artillery's JSON report (and, for the rate limit, the log audit): the figures of the
 * run, each threshold of the campaign judged as load/thresholds.ts declares it. When the generator fell behind, the
 * target's figures are not judged: they describe a load that was never applied.
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
  const figures: CampaignFigures = {
    generator,
    latency,
    responses,
    clients,
    operations,
    timeline: () => timeline(plan, report),
    rateLimitHeadersMissing: counter(aggregate, metrics.rateLimitHeadersMissing),
    ...(options.audit ? { audit: options.audit } : {}),
    ...(options.auditSkipped ? { auditSkipped: options.auditSkipped } : {}),
  };
  const thresholds: ThresholdVerdict[] = thresholdsOf(plan).flatMap((threshold) => threshold.judge(plan, figures));

  if (generator.bound) {
    for (const threshold of thresholds.filter((threshold) => threshold.key !== 'generator')) {
      threshold.status = 'broken';
      threshold.message =
        `not judged: the generator was bound (${(generator.deviation * 100).toFixed(2)} % off the asked rate). ${threshold.message}`.trim();
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
