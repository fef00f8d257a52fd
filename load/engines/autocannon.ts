/**
 * The same campaign through autocannon's API: the same plan, the suite's OAuth2 client, request
 * builder and data factory, and a report in Artillery's layout (the same metric names), so one
 * evaluator judges both engines. It runs in a process of its own, so its CPU time is its own.
 *
 * Unlike Artillery's open model, autocannon keeps a fixed set of connections busy and, with a rate,
 * releases each connection's quota at the top of each second: at a given rate its latencies are,
 * if anything, pessimistic.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type AutocannonRequest } from 'autocannon';
import { OAuthClient } from '../../fixtures/clients/oauth-client.ts';
import { newRecordBody } from '../../fixtures/data/bodies.ts';
import { buildConfig, fakerFor } from '../../fixtures/data/factories.ts';
import { loadWire, urlOf, Wire } from '../../fixtures/profile/wire.ts';
import type { ResourceEndpoint } from '../../fixtures/schemas/resources.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import type { ArtilleryReport, Period, Summary } from '../artillery-report.ts';
import { classify, loadCall, recordNeed } from '../calls.ts';
import { SmoothWeightedRoundRobin } from '../dispatch.ts';
import { metrics, operationStatus, operationTime } from '../metrics.ts';
import { type CampaignPlan, operationOf } from '../plan.ts';

export interface AutocannonJob {
  plan: CampaignPlan;
  /** Requests per second in all (autocannon's overallRate). */
  rate: number;
  connections: number;
  durationSeconds: number;
}

export interface AutocannonOutcome {
  report: ArtilleryReport;
  requests: number;
  cpuSeconds: number;
  wallSeconds: number;
}

/** Exact nearest-rank percentiles of a sample, in Artillery's summary layout. */
export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    count: sorted.length,
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
    p50: round(rank(50)),
    median: round(rank(50)),
    p75: round(rank(75)),
    p90: round(rank(90)),
    p95: round(rank(95)),
    p99: round(rank(99)),
    p999: round(rank(99.9)),
  };
}

interface Sample {
  operationId: string;
  sentAt: number;
  status: number;
  elapsed: number;
}

/** Samples as Artillery would have reported them: the aggregate and one period per 10 s. */
export function reportOf(plan: CampaignPlan, samples: readonly Sample[], failures: Record<string, number>, waves = 1): ArtilleryReport {
  const promised = new Set(plan.promisedLatency.operationIds);
  const periodOf = (group: readonly Sample[], period: number): Period => {
    const counters: Record<string, number> = {};
    const add = (name: string, value: number) => {
      counters[name] = (counters[name] ?? 0) + value;
    };
    const series = new Map<string, number[]>();
    const push = (name: string, value: number) => series.set(name, [...(series.get(name) ?? []), value]);
    for (const sample of group) {
      const operation = operationOf(plan, sample.operationId);
      const verdict = classify(operation, sample.status, new Wire(plan.targetProfile));
      add(metrics.expected, verdict.expected ? 1 : 0);
      add(metrics.rateLimited, verdict.limited ? 1 : 0);
      add(metrics.serverError, verdict.serverError ? 1 : 0);
      add(metrics.unexpected, verdict.unexpected ? 1 : 0);
      add(metrics.arrangeFailed, 0);
      add(operationStatus(sample.operationId, sample.status), 1);
      push(metrics.arrivalClock, sample.sentAt);
      push(metrics.firstSendClock, sample.sentAt);
      push(metrics.allTime, sample.elapsed);
      push(operationTime(sample.operationId), sample.elapsed);
      if (promised.has(sample.operationId)) push(metrics.promisedTime, sample.elapsed);
    }
    add('vusers.failed', 0);
    const summaries = Object.fromEntries([...series].map(([name, values]) => [name, summarize(values) as Summary]));
    const times = group.map((sample) => sample.sentAt);
    return { period, counters, rates: {}, summaries, firstMetricAt: Math.min(...times), lastMetricAt: Math.max(...times) };
  };
  const aggregate = periodOf(samples, samples[0]?.sentAt ?? 0);
  for (const [name, value] of Object.entries(failures)) aggregate.counters[`errors.${name}`] = value;
  // autocannon releases its quota in bursts, `waves` a second: n requests from the first burst to the last
  // took their span plus one burst interval. Encoded as the clocks the evaluator reads, (n - 1) / (max - min).
  const sent = samples.map((sample) => sample.sentAt);
  const first = Math.min(...sent);
  const effective = Math.max(...sent) - first + 1000 / waves;
  for (const name of [metrics.arrivalClock, metrics.firstSendClock]) {
    const clock = aggregate.summaries[name];
    if (clock) aggregate.summaries[name] = { ...clock, min: first, max: first + (effective * (samples.length - 1)) / samples.length };
  }
  const buckets = Map.groupBy(samples, (sample) => Math.floor(sample.sentAt / 10_000) * 10_000);
  return { aggregate, intermediate: [...buckets].map(([period, group]) => periodOf(group, period)).sort((a, b) => a.period - b.period) };
}

/** The most staggered instances, up to 10, that split `rate` into whole requests per second. */
export function wavesFor(rate: number): number {
  for (let waves = Math.min(10, rate); waves > 1; waves--) if (rate % waves === 0) return waves;
  return 1;
}

/** Runs a job in this process (call it from a process of its own: see runAutocannonChild). */
export async function runAutocannon(job: AutocannonJob, target: TargetDescription): Promise<AutocannonOutcome> {
  const { plan } = job;
  const wire = await loadWire(plan.targetProfile);
  const oauth = new OAuthClient(target, plan.targetProfile);
  const faker = fakerFor(4242);
  const fields = (endpoint: string) => newRecordBody(plan.targetProfile, endpoint as ResourceEndpoint, faker);
  const config = () => buildConfig(faker);
  const tokens = new Map<string, string>();
  const refreshTokens = async () => {
    for (const client of plan.clients) tokens.set(client.clientId, await oauth.authorization(client.clientId));
  };
  await refreshTokens();
  const refresher = setInterval(() => void refreshTokens().catch(() => {}), 60_000);

  // The exact sequence of operations is known in advance (smooth weighted round robin), so is every record it consumes.
  const expected = Math.ceil(job.rate * job.durationSeconds * 1.1) + 50;
  const picker = new SmoothWeightedRoundRobin(plan.mix.map((entry) => ({ value: entry.operationId, weight: entry.weight })));
  const sequence = Array.from({ length: expected }, () => picker.next());
  const clientPicker = new SmoothWeightedRoundRobin(plan.clients.map((client) => ({ value: client.clientId, weight: client.perMinute })));
  const fresh = new Map<string, string[]>();
  const pools = new Map<string, string[]>();
  const arrangeRecord = async (endpoint: string) => {
    const arrange = operationOf(plan, plan.arrange[endpoint] as string);
    const spec = wire.request(arrange, {
      version: plan.apiVersion,
      fields: fields(endpoint),
      authorization: tokens.get(plan.clients[0]?.clientId as string) as string,
    });
    const response = await fetch(urlOf(target.apiBaseUrl, spec), {
      method: spec.method,
      headers: spec.headers,
      ...(spec.body !== undefined ? { body: spec.body } : {}),
    });
    const body = await response.text();
    const created = response.status === wire.successStatus('create');
    const id = created ? wire.createdId(Object.fromEntries(response.headers), () => JSON.parse(body)) : undefined;
    if (!created || !id) throw new Error(`arranging a record on ${endpoint} failed: ${response.status}`);
    return id;
  };
  const wanted = new Map<string, { fresh: number; pool: number }>();
  for (const operationId of new Set(sequence)) {
    const operation = operationOf(plan, operationId);
    const need = recordNeed(operation);
    const entry = wanted.get(operation.endpoint) ?? { fresh: 0, pool: 0 };
    if (need === 'fresh') entry.fresh += sequence.filter((id) => id === operationId).length;
    if (need === 'pool') entry.pool = plan.poolSize;
    wanted.set(operation.endpoint, entry);
  }
  const arrangeAll = async (endpoint: string, count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 16)
      ids.push(...(await Promise.all(Array.from({ length: Math.min(16, count - i) }, () => arrangeRecord(endpoint)))));
    return ids;
  };
  for (const [endpoint, need] of wanted) {
    fresh.set(endpoint, await arrangeAll(endpoint, need.fresh));
    pools.set(endpoint, await arrangeAll(endpoint, need.pool));
  }

  const samples: Sample[] = [];
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // autocannon releases each connection's quota at the top of each second; staggered instances ("waves")
  // split that burst into smaller ones spread over the second.
  const waves = wavesFor(job.rate);
  const requestSpec: AutocannonRequest = {
    setupRequest: (request, context) => {
      const operation = operationOf(plan, sequence[next++ % sequence.length] as string);
      const need = recordNeed(operation);
      const recordId =
        need === 'fresh'
          ? fresh.get(operation.endpoint)?.pop()
          : need === 'pool'
            ? pools.get(operation.endpoint)?.[next % plan.poolSize]
            : undefined;
      const call = loadCall(operation, wire, { fields, config, ...(recordId ? { recordId } : {}) });
      const spec = wire.request(operation, {
        ...call,
        version: plan.apiVersion,
        authorization: tokens.get(clientPicker.next()) as string,
        requestId: `td448-load-${plan.runId}-${plan.slug}-ac-${next}`,
      });
      context.operationId = operation.id;
      context.sentAt = Date.now();
      context.started = performance.now();
      const search = new URLSearchParams(spec.query).toString();
      return {
        ...request,
        method: spec.method,
        path: `${spec.path}${search ? `?${search}` : ''}`,
        headers: spec.headers,
        ...(spec.body !== undefined ? { body: spec.body } : { body: '' }),
      };
    },
    onResponse: (status, _body, context) => {
      samples.push({
        operationId: context.operationId as string,
        sentAt: context.sentAt as number,
        status,
        elapsed: performance.now() - (context.started as number),
      });
    },
  };
  const results = await Promise.all(
    Array.from({ length: waves }, async (_, wave) => {
      await new Promise((resolve) => setTimeout(resolve, (wave * 1000) / waves));
      return autocannon({
        url: target.apiBaseUrl,
        connections: Math.max(1, Math.floor(job.connections / waves)),
        duration: job.durationSeconds + 1,
        overallRate: job.rate / waves,
        // Exactly the asked number of requests: how long they took tells whether autocannon kept up.
        amount: (job.rate / waves) * job.durationSeconds,
        timeout: 10,
        requests: [requestSpec],
      });
    }),
  );
  const result = { errors: results.reduce((sum, r) => sum + r.errors, 0), timeouts: results.reduce((sum, r) => sum + r.timeouts, 0) };
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(refresher);
  return {
    report: reportOf(
      plan,
      samples,
      {
        ...(result.errors ? { autocannon: result.errors } : {}),
        ...(result.timeouts ? { ETIMEDOUT: result.timeouts } : {}),
      },
      waves,
    ),
    requests: samples.length,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds,
  };
}

const childEntry = fileURLToPath(new URL('./autocannon-child.ts', import.meta.url));

/** Runs a job in a child process (its CPU time its own, the target's event loop untouched) and returns its outcome. */
export function runAutocannonChild(job: AutocannonJob, targetFile: string, workDir: string): Promise<AutocannonOutcome> {
  mkdirSync(workDir, { recursive: true });
  const jobFile = join(workDir, `autocannon-${job.plan.slug}.json`);
  const outFile = join(workDir, `autocannon-${job.plan.slug}-outcome.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childEntry, jobFile, targetFile, outFile], {
      stdio: ['ignore', 'inherit', 'inherit'],
      cwd: dirname(childEntry),
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the autocannon engine exited ${code}`));
      resolve(JSON.parse(readFileSync(outFile, 'utf8')) as AutocannonOutcome);
    });
  });
}
