import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Attachment, Stage, Status, type StepResult, type TestResult } from 'allure-js-commons';
import { latencyChart } from './chart.ts';
import type { StressSummary } from './stress.ts';
import type { CampaignVerdict, OperationFigures, ThresholdVerdict, VerdictStatus } from './verdict.ts';

/** Allure's result format is allure-js-commons' own (TestResult, StepResult, Attachment): the files written here are read by Allure 3. */
const allureStatus: Record<VerdictStatus, Status> = {
  passed: Status.PASSED,
  failed: Status.FAILED,
  broken: Status.BROKEN,
  skipped: Status.SKIPPED,
};

/** One Allure 3 performance metric: the *-perf.json files hold arrays of these. */
export interface PerfMetric {
  id: string;
  key: string;
  value: number;
  start: number;
  stop: number;
  title: string;
  unit: string;
  better: 'lower' | 'higher';
  group: string;
  groupTitle: string;
}

export interface AllureFile {
  name: string;
  content: string | Buffer;
}

/** Every file this converter writes starts with it, so a new run can clear the previous run's files and nobody else's. */
export const filePrefix = 'td448-load-';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export function operationsCsv(operations: readonly OperationFigures[]): string {
  const statuses = [...new Set(operations.flatMap((operation) => Object.keys(operation.statuses)))].sort();
  const cell = (value: number) => (Number.isFinite(value) ? String(value) : '');
  const lines = [
    [
      'operation',
      'promises <1s',
      'rows',
      'requests',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      ...statuses.map((status) => `HTTP ${status}`),
    ].join(','),
    ...operations.map((operation) =>
      [
        `"${operation.operationId}"`,
        operation.promised ? 'yes' : 'no',
        `"${operation.rows.join(' ')}"`,
        operation.count,
        cell(operation.p50),
        cell(operation.p95),
        cell(operation.p99),
        cell(operation.max),
        ...statuses.map((status) => operation.statuses[status] ?? 0),
      ].join(','),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function timelineCsv(verdict: CampaignVerdict): string {
  const start = verdict.timeline[0]?.at ?? 0;
  return `${['second', 'responses', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'].join(',')}\n${verdict.timeline
    .map((point) => [(point.at - start) / 1000, point.responses, point.p50, point.p95, point.p99, point.errors].join(','))
    .join('\n')}\n`;
}

interface Converter {
  files: AllureFile[];
  attach(name: string, type: string, extension: string, content: string | Buffer): Attachment;
}

function converter(): Converter {
  const files: AllureFile[] = [];
  return {
    files,
    attach(name, type, extension, content) {
      const source = `${filePrefix}${randomUUID()}-attachment.${extension}`;
      files.push({ name: source, content });
      return { name, source, type };
    },
  };
}

const labelsOf = (verdict: Pick<CampaignVerdict, 'profile' | 'campaign'>, story: string, rows: readonly number[]) => [
  { name: 'epic', value: 'load' },
  { name: 'feature', value: verdict.campaign },
  { name: 'story', value: story },
  { name: 'parentSuite', value: 'load' },
  { name: 'suite', value: verdict.profile },
  { name: 'subSuite', value: verdict.campaign },
  { name: 'tag', value: '@load' },
  { name: 'tag', value: `@${verdict.campaign}` },
  { name: 'tag', value: `@profile-${verdict.profile}` },
  { name: 'framework', value: 'artillery' },
  { name: 'language', value: 'typescript' },
  ...rows.map((row) => ({ name: 'row', value: String(row) })),
];

function step(name: string, status: VerdictStatus, verdict: CampaignVerdict, message = '', steps: StepResult[] = []): StepResult {
  return {
    name,
    status: allureStatus[status],
    stage: Stage.FINISHED,
    statusDetails: message ? { message } : {},
    start: verdict.startedAt,
    stop: verdict.finishedAt,
    steps,
    attachments: [],
    parameters: [],
  };
}

function thresholdSteps(threshold: ThresholdVerdict, verdict: CampaignVerdict): StepResult[] {
  return threshold.checks.map((check) => step(`${check.name}: ${check.actual}`, check.status, verdict));
}

function result(fields: {
  fullName: string;
  name: string;
  status: VerdictStatus;
  message: string;
  verdict: CampaignVerdict;
  labels: TestResult['labels'];
}): TestResult {
  return {
    ...step(fields.name, fields.status, fields.verdict, fields.message),
    uuid: randomUUID(),
    fullName: fields.fullName,
    testCaseId: md5(fields.fullName),
    historyId: md5(fields.fullName),
    labels: fields.labels,
    links: [],
    parameters: [
      { name: 'profile', value: fields.verdict.profile },
      { name: 'asked rate', value: `${fields.verdict.generator.askedRate.toFixed(2)}/s` },
      { name: 'engine', value: fields.verdict.generator.engine },
    ],
  };
}

/**
 * A campaign as Allure results: one for the campaign (its thresholds as steps, the per-operation
 * figures, the latency chart and Artillery's report attached) and one per threshold.
 */
export function campaignResults(verdict: CampaignVerdict, extra: { artilleryReport?: string; plan?: string } = {}): AllureFile[] {
  const out = converter();
  const svg = latencyChart(verdict.timeline, {
    title: verdict.title,
    limitMs: 1000,
    ...(verdict.faults ? { faults: verdict.faults } : {}),
  });
  // A file of its own for every result that shows it: Allure 3 links an attachment file to one result only,
  // and marks it "missed" on any other that names the same file.
  const chart = () => out.attach('latency over time', 'image/svg+xml', 'svg', svg);
  const perOperation = () => out.attach('per-operation figures', 'text/csv', 'csv', operationsCsv(verdict.operations));
  const overTime = () => out.attach('latency over time (table)', 'text/csv', 'csv', timelineCsv(verdict));
  const generator = () =>
    out.attach('load applied (achieved vs asked)', 'application/json', 'json', JSON.stringify(verdict.generator, null, 2));
  const base = `load/${verdict.profile}/${verdict.slug}`;
  const allRows = [...new Set(verdict.thresholds.flatMap((threshold) => threshold.rows))].sort((a, b) => a - b);
  const campaign = result({
    fullName: base,
    name: `load · ${verdict.profile} · ${verdict.title}`,
    status: verdict.status,
    message: verdict.thresholds
      .filter((threshold) => threshold.status !== 'passed')
      .map((threshold) => `${threshold.title}: ${threshold.actual}${threshold.message ? ` — ${threshold.message}` : ''}`)
      .join('\n'),
    verdict,
    labels: labelsOf(verdict, 'campaign', allRows),
  });
  campaign.description = describeCampaign(verdict);
  campaign.steps = verdict.thresholds.map((threshold) =>
    step(`${threshold.title}: ${threshold.actual}`, threshold.status, verdict, threshold.message, thresholdSteps(threshold, verdict)),
  );
  campaign.attachments = [
    chart(),
    perOperation(),
    overTime(),
    generator(),
    ...(extra.artilleryReport ? [out.attach('Artillery JSON report', 'application/json', 'json', extra.artilleryReport)] : []),
    ...(extra.plan ? [out.attach('campaign plan (generated from the catalog)', 'application/json', 'json', extra.plan)] : []),
  ];
  const results = [campaign];
  for (const threshold of verdict.thresholds) {
    const item = result({
      fullName: `${base}/${threshold.key}`,
      name: `load · ${verdict.profile} · ${verdict.campaign} · ${threshold.title}`,
      status: threshold.status,
      message: [`expected: ${threshold.expected}`, `actual: ${threshold.actual}`, threshold.message].filter(Boolean).join('\n'),
      verdict,
      labels: labelsOf(verdict, threshold.key, threshold.rows),
    });
    item.steps = thresholdSteps(threshold, verdict);
    item.attachments = threshold.key.startsWith('p95')
      ? [chart(), perOperation()]
      : threshold.key === 'generator'
        ? [generator(), overTime()]
        : [];
    results.push(item);
  }
  for (const item of results) out.files.push({ name: `${filePrefix}${item.uuid}-result.json`, content: JSON.stringify(item, null, 2) });
  return out.files;
}

function describeCampaign(verdict: CampaignVerdict): string {
  const g = verdict.generator;
  const lat = verdict.latency.promised ?? verdict.latency.all;
  return [
    `${verdict.title} (${verdict.profile} profile, run ${verdict.runId}).`,
    `Load: asked ${g.askedArrivals} arrivals at ${g.askedRate.toFixed(2)}/s; ${g.engine} achieved ${g.arrivals} at ${g.arrivalRate.toFixed(2)}/s (${(g.deviation * 100).toFixed(2)} % off).`,
    lat
      ? `Latency (client-side total): p50 ${lat.p50} ms, p95 ${lat.p95} ms, p99 ${lat.p99} ms, max ${lat.max} ms over ${lat.count} requests.`
      : '',
    verdict.clients.some((client) => client.allowed + client.limited > 0)
      ? `Clients: ${verdict.clients.map((client) => `${client.clientId} ${client.allowed} × 2xx/allowed, ${client.limited} × 429`).join('; ')}.`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

const metric = (
  verdict: CampaignVerdict,
  key: string,
  value: number,
  title: string,
  unit: string,
  better: PerfMetric['better'],
): PerfMetric => ({
  id: randomUUID(),
  key: `load.${verdict.profile}.${verdict.slug}.${key}`,
  value,
  start: verdict.startedAt,
  stop: verdict.finishedAt,
  title: `${verdict.profile} · ${verdict.slug} · ${title}`,
  unit,
  better,
  group: `load-${verdict.profile}`,
  groupTitle: `Load · ${verdict.profile}`,
});

/** Allure 3's performance metrics for a campaign: its Metrics section compares them run over run by key. */
export function campaignMetrics(verdict: CampaignVerdict): PerfMetric[] {
  const latency = verdict.campaign === 'latency' ? verdict.latency.promised : verdict.latency.all;
  const errors =
    verdict.responses.serverError +
    verdict.responses.unexpected +
    verdict.responses.arrangeFailed +
    verdict.responses.vusersFailed +
    Object.values(verdict.responses.transport).reduce((sum, value) => sum + value, 0);
  const metrics = [
    metric(verdict, 'achieved_rate', round(verdict.generator.arrivalRate, 3), 'achieved arrival rate', 'req/s', 'higher'),
    metric(verdict, 'rate_deviation', round(verdict.generator.deviation * 100, 3), 'achieved vs asked', '%', 'lower'),
    metric(verdict, 'errors', errors, 'errors', 'count', 'lower'),
  ];
  if (latency) {
    metrics.push(
      metric(verdict, 'p50', latency.p50, 'p50', 'ms', 'lower'),
      metric(verdict, 'p95', latency.p95, 'p95', 'ms', 'lower'),
      metric(verdict, 'p99', latency.p99, 'p99', 'ms', 'lower'),
    );
  }
  if (verdict.campaign === 'rate-limit') {
    const over = verdict.clients.filter((client) => client.role === 'over-limit');
    metrics.push(
      metric(
        verdict,
        'allowed_per_client',
        round(over.reduce((sum, client) => sum + client.allowed, 0) / Math.max(1, over.length), 1),
        'allowed per over-limit client',
        'requests',
        'lower',
      ),
      metric(verdict, 'rate_limited', verdict.responses.rateLimited, '429 answers', 'count', 'higher'),
    );
  }
  return metrics;
}

export function stressCsv(summary: StressSummary): string {
  const cell = (value: number) => (Number.isFinite(value) ? String(value) : '');
  return `${['asked req/s', 'engine', 'achieved req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'verdict', 'reason'].join(',')}\n${summary.steps
    .map((step) =>
      [
        step.rate,
        step.engine,
        step.achievedRate.toFixed(2),
        cell(step.p50),
        cell(step.p95),
        cell(step.p99),
        step.errors,
        step.status,
        `"${step.reason}"`,
      ].join(','),
    )
    .join('\n')}\n`;
}

/** The stress run as one Allure result: the knee (or why there is none), the staircase as steps, each step's engine named. */
export function stressResults(
  summary: StressSummary,
  failures: readonly string[],
  run: { runId: string; start: number; stop: number },
): AllureFile[] {
  const out = converter();
  const staircase = out.attach('stress staircase (engine per step)', 'text/csv', 'csv', stressCsv(summary));
  const fullName = 'load/stress/knee';
  const status: VerdictStatus = failures.length > 0 ? 'failed' : 'passed';
  const knee = summary.knee
    ? `knee at ${summary.knee.rate} req/s [${summary.knee.engine}] (${summary.knee.reason}); highest rate that held: ${summary.knee.lastGoodRate ?? 'none'} req/s`
    : `no knee found (${summary.stoppedBecause}); highest rate that held: ${summary.highestPassingRate ?? 'none'} req/s`;
  const item: TestResult = {
    name: `load · stress · ${knee}`,
    status: allureStatus[status],
    stage: Stage.FINISHED,
    statusDetails: { message: [knee, ...failures, ...summary.notes].join('\n') },
    start: run.start,
    stop: run.stop,
    steps: summary.steps.map((step) => ({
      name: `${step.rate} req/s [${step.engine}]: achieved ${step.achievedRate.toFixed(1)}/s, p95 ${step.p95} ms, p99 ${step.p99} ms, ${step.errors} errors: ${step.status}`,
      status: step.status === 'passed' ? Status.PASSED : step.status === 'broke' ? Status.FAILED : Status.BROKEN,
      stage: Stage.FINISHED,
      statusDetails: { message: step.reason },
      start: run.start,
      stop: run.stop,
      steps: [],
      attachments: [],
      parameters: [],
    })),
    attachments: [staircase],
    parameters: [{ name: 'profile', value: 'stress' }],
    uuid: randomUUID(),
    fullName,
    testCaseId: md5(fullName),
    historyId: md5(fullName),
    labels: [...labelsOf({ profile: 'stress', campaign: 'latency' }, 'knee', []), { name: 'tag', value: '@stress' }],
    links: [],
  };
  out.files.push({ name: `${filePrefix}${item.uuid}-result.json`, content: JSON.stringify(item, null, 2) });
  return out.files;
}

export function stressMetrics(summary: StressSummary, runId: string, start: number, stop: number): PerfMetric[] {
  if (!summary.knee && summary.highestPassingRate === undefined) return [];
  const base = {
    id: randomUUID(),
    start,
    stop,
    unit: 'req/s',
    better: 'higher' as const,
    group: 'load-stress',
    groupTitle: 'Load · stress',
  };
  return [
    ...(summary.knee
      ? [{ ...base, key: 'load.stress.knee', value: summary.knee.rate, title: `stress · knee (${summary.knee.engine}, run ${runId})` }]
      : []),
    ...(summary.highestPassingRate !== undefined
      ? [
          {
            ...base,
            id: randomUUID(),
            key: 'load.stress.highest_passing_rate',
            value: summary.highestPassingRate,
            title: 'stress · highest rate within the promise',
          },
        ]
      : []),
  ];
}

export const perfFile = (runId: string, metrics: readonly PerfMetric[]): AllureFile => ({
  name: `${filePrefix}${runId}-perf.json`,
  content: `${JSON.stringify(metrics, null, 2)}\n`,
});

/** Removes the previous load run's files (and only those), then writes these. */
export function writeAllureFiles(dir: string, files: readonly AllureFile[], options: { clear: boolean }) {
  mkdirSync(dir, { recursive: true });
  if (options.clear) {
    for (const name of readdirSync(dir)) if (name.startsWith(filePrefix)) rmSync(join(dir, name), { force: true });
  }
  for (const file of files) writeFileSync(join(dir, file.name), file.content);
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
