/**
 * node scripts/bench-stack.ts [--rates 100,250,500] [--seconds 10] [--warmup-seconds 3] [--max-in-flight 2000] [--profile FILE]
 *
 * Benchmarks the embedded reference implementation (Kafka on, events emitted, fault injection off)
 * under a mixed catalog load at fixed open-model rates: requests leave at their scheduled times
 * whatever the answers do, and latency counts from the scheduled time, so a slow stack cannot slow
 * the load down and hide its own queueing. The generator runs on a worker thread (its own core),
 * sends over keep-alive HTTP/1.1, and its event-loop utilisation is printed next to the stack's,
 * so a saturated generator shows. Operations are weighted by their catalog rows and spread over
 * the clients of the role load (each has its own 1000 req/min bucket on rate-limited operations).
 * --profile writes a CPU profile of the stack's thread over the measured steps (open it in Chrome DevTools).
 * Figures only: nothing here passes or fails.
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import type { Operation } from '../fixtures/catalog/model.ts';
import { plainestOperation } from '../fixtures/catalog/plainest.ts';
import { OAuthClient } from '../fixtures/clients/oauth-client.ts';
import { callFor } from '../fixtures/data/calls.ts';
import { buildConfig, buildRecordFields, fakerFor } from '../fixtures/data/factories.ts';
import { referenceProfile } from '../fixtures/profile/profile.ts';
import { urlOf, Wire } from '../fixtures/profile/wire.ts';
import type { ResourceEndpoint } from '../fixtures/schemas/resources.ts';
import { cliCommand, wholeNumber } from './cli.ts';

/** One request as the generator sends it, built beforehand so building costs the generator nothing. */
interface PlannedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  expected: number;
}

interface StepInput {
  rate: number;
  requests: PlannedRequest[];
  maxInFlight: number;
}

interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  completed: number;
  /** Scheduled time → last byte of the answer, ms. */
  latencies: number[];
  /** How late the generator sent, ms (its own lag: large values mean the generator is the bottleneck). */
  maxSendLagMs: number;
  p99SendLagMs: number;
  statuses: Record<string, number>;
  /** Requests not sent because maxInFlight were already waiting. */
  shed: number;
  /** From the first scheduled send to the last answer. */
  completionSeconds: number;
  generatorUtilization: number;
  /** The generator thread's CPU time over the step's wall time. */
  generatorCpuShare: number;
}

if (isMainThread) await main();
else await generate(workerData as StepInput);

// ---- the generator (worker thread) ----------------------------------------------------------

async function generate({ rate, requests, maxInFlight }: StepInput) {
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight, maxFreeSockets: maxInFlight });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let inFlight = 0;
  let completed = 0;
  let shed = 0;
  let maxSendLagMs = 0;
  const lags: number[] = [];
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const interval = 1000 / rate;
  const utilizationBefore = performance.eventLoopUtilization();
  const cpuBefore = process.threadCpuUsage();
  const started = performance.now();
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const settle = (scheduled: number, key: string) => {
    latencies.push(performance.now() - scheduled);
    count(key);
    inFlight--;
    completed++;
    if (completed + shed === requests.length) allDone();
  };

  const fire = (planned: PlannedRequest, scheduled: number) => {
    const lag = performance.now() - scheduled;
    lags.push(lag);
    maxSendLagMs = Math.max(maxSendLagMs, lag);
    if (inFlight >= maxInFlight) {
      shed++;
      count('shed');
      if (completed + shed === requests.length) allDone();
      return;
    }
    inFlight++;
    const outgoing = request(planned.url, { method: planned.method, headers: planned.headers, agent }, (response) => {
      response.resume();
      response.on('end', () =>
        settle(scheduled, response.statusCode === planned.expected ? String(response.statusCode) : `unexpected ${response.statusCode}`),
      );
    });
    outgoing.on('error', (error) => settle(scheduled, `error ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    outgoing.end(planned.body);
  };

  let next = 0;
  while (next < requests.length) {
    const now = performance.now();
    while (next < requests.length && started + next * interval <= now) {
      fire(requests[next] as PlannedRequest, started + next * interval);
      next++;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(5, started + next * interval - performance.now()))));
  }
  const sendingSeconds = (performance.now() - started) / 1000;
  await finished;
  const completionSeconds = (performance.now() - started) / 1000;
  const cpu = process.threadCpuUsage(cpuBefore);
  agent.destroy();
  const result: StepResult = {
    rate,
    seconds: sendingSeconds,
    sent: requests.length - shed,
    completed,
    latencies,
    maxSendLagMs,
    p99SendLagMs: lags.toSorted((a, b) => a - b)[Math.max(0, Math.ceil(0.99 * lags.length) - 1)] ?? 0,
    statuses,
    shed,
    completionSeconds,
    generatorUtilization: performance.eventLoopUtilization(utilizationBefore).utilization,
    generatorCpuShare: (cpu.user + cpu.system) / 1000 / (completionSeconds * 1000),
  };
  parentPort?.postMessage(result);
}

// ---- the bench (main thread: the stack, the plan, the table) --------------------------------

async function main() {
  const values = cliCommand(
    'npm run bench:stack --',
    'Benchmarks the embedded reference implementation under a mixed catalog load at fixed open-model rates (latency from the scheduled time), with the generator’s and the stack’s event-loop utilisation side by side. Figures only.',
    ['npm run bench:stack', 'npm run bench:stack -- --rates 200,400 --seconds 20', 'npm run bench:stack -- --profile stack.cpuprofile'],
  )
    .option('--rates <list>', 'the arrival rates, requests per second, comma-separated', '100,250,500')
    .option('--seconds <s>', 'the length of each measured step', wholeNumber(1, 3600), 10)
    .option('--warmup-seconds <s>', 'the warm-up before each step', wholeNumber(0, 600), 3)
    .option('--max-in-flight <n>', 'requests in flight at most before the generator counts drops', wholeNumber(1, 100_000), 2000)
    .option('--profile <file>', 'write a CPU profile of the stack’s thread over the measured steps (open it in Chrome DevTools)')
    .parse()
    .opts<{ rates: string; seconds: number; warmupSeconds: number; maxInFlight: number; profile?: string }>();
  const rates = values.rates.split(',').map(Number);
  const { seconds, warmupSeconds, maxInFlight } = values;

  const { startStack } = await import('../reference-implementation/stack.ts');
  const catalog = loadCatalog();
  const started = performance.now();
  const stack = await startStack({ faultInjection: false });
  console.error(
    `stack started in ${((performance.now() - started) / 1000).toFixed(1)} s (${stack.target.apiBaseUrl}, Kafka ${stack.target.kafkaBootstrap})`,
  );
  try {
    const wire = new Wire(referenceProfile);
    const oauth = new OAuthClient(stack.target, referenceProfile);
    const clients = oauth.clientsFor('load').map((client) => client.clientId);
    const authorizations = await Promise.all(clients.map((client) => oauth.authorization(client)));
    const baseUrl = stack.target.apiBaseUrl;

    // Weighted by rows: an operation stated on 4 rows is drawn 4 times as often as one on 1 row.
    const weighted = catalog.operations.flatMap((operation) => operation.rows.map(() => operation));
    const faker = fakerFor(448);
    const plans = [
      warmupSeconds > 0 ? { rate: 50, count: 50 * warmupSeconds, warmup: true } : undefined,
      ...rates.map((rate) => ({ rate, count: rate * seconds, warmup: false })),
    ]
      .filter((plan) => plan !== undefined)
      .map((plan) => ({ ...plan, operations: Array.from({ length: plan.count }, () => faker.helpers.arrayElement(weighted)) }));

    // Arrange: a few records per endpoint to read and reconfigure, and one record per planned delete.
    const endpoints = [...new Set(catalog.operations.map((operation) => operation.endpoint))] as ResourceEndpoint[];
    const seedOperation = (endpoint: string) => plainestOperation(catalog, endpoint, 'create');
    const stable = new Map<string, string[]>();
    const deletable = new Map<string, string[]>();
    const arrange: { endpoint: ResourceEndpoint; into: Map<string, string[]> }[] = [];
    for (const endpoint of endpoints) {
      const deletes = plans.flatMap((plan) => plan.operations).filter((op) => op.endpoint === endpoint && op.actionKey === 'delete').length;
      for (let i = 0; i < 20; i++) arrange.push({ endpoint, into: stable });
      for (let i = 0; i < deletes; i++) arrange.push({ endpoint, into: deletable });
    }
    const arrangeStarted = performance.now();
    let cursor = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (cursor < arrange.length) {
          const { endpoint, into } = arrange[cursor++] as (typeof arrange)[number];
          const spec = wire.request(seedOperation(endpoint), {
            fields: buildRecordFields(endpoint, faker),
            authorization: authorizations[0] as string,
          });
          const response = await fetch(urlOf(baseUrl, spec), {
            method: spec.method,
            headers: spec.headers,
            ...(spec.body ? { body: spec.body } : {}),
          });
          const body = (await response.json()) as { id?: string };
          if (response.status !== 201 || !body.id)
            throw new Error(`arranging a record on ${endpoint} failed: ${response.status} ${JSON.stringify(body)}`);
          into.set(endpoint, [...(into.get(endpoint) ?? []), body.id]);
        }
      }),
    );
    console.error(`arranged ${arrange.length} records in ${((performance.now() - arrangeStarted) / 1000).toFixed(1)} s`);

    let sequence = 0;
    const planRequest = (operation: Operation): PlannedRequest => {
      const endpoint = operation.endpoint as ResourceEndpoint;
      const pick = () => faker.helpers.arrayElement(stable.get(endpoint) ?? []);
      // Export too addresses one record: a collection export's cost grows with the table the creates keep filling.
      const call = callFor(operation, wire, {
        fields: () => buildRecordFields(endpoint, faker),
        config: () => buildConfig(faker),
        recordId: operation.actionKey === 'create' ? undefined : operation.actionKey === 'delete' ? deletable.get(endpoint)?.pop() : pick(),
      });
      const authorization = authorizations[sequence++ % authorizations.length] as string;
      const spec = wire.request(operation, { ...call, authorization, requestId: `bench-${sequence}` });
      return {
        method: spec.method,
        url: urlOf(baseUrl, spec),
        headers: spec.headers,
        body: spec.body,
        expected: wire.successStatus(operation.actionKey),
      };
    };

    const rows: string[][] = [];
    const profiler = values.profile ? new Session() : undefined;
    for (const plan of plans) {
      const requests = plan.operations.map(planRequest);
      if (profiler && !plan.warmup && plans.indexOf(plan) === plans.findIndex((p) => !p.warmup)) {
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      }
      const utilizationBefore = performance.eventLoopUtilization();
      const cpuBefore = process.threadCpuUsage();
      const wallBefore = performance.now();
      const result = await new Promise<StepResult>((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { rate: plan.rate, requests, maxInFlight } satisfies StepInput });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      const stackUtilization = performance.eventLoopUtilization(utilizationBefore).utilization;
      const cpu = process.threadCpuUsage(cpuBefore);
      const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
      const pending = stack.pendingEvents();
      const drainStarted = performance.now();
      while (stack.pendingEvents() > 0 && performance.now() - drainStarted < 30_000)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const drainMs = performance.now() - drainStarted;

      const sorted = result.latencies.toSorted((a, b) => a - b);
      const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
      const errors = Object.entries(result.statuses).filter(([key]) => !/^\d+$/.test(key));
      rows.push([
        plan.warmup ? `${plan.rate} (warm-up)` : String(plan.rate),
        (result.sent / result.seconds).toFixed(1),
        (result.completed / result.completionSeconds).toFixed(1),
        at(0.5).toFixed(1),
        at(0.99).toFixed(1),
        (sorted.at(-1) ?? Number.NaN).toFixed(1),
        String(errors.reduce((sum, [, n]) => sum + n, 0)),
        String(pending),
        `${drainMs.toFixed(0)} ms`,
        `${(stackUtilization * 100).toFixed(0)}% / ${(cpuShare * 100).toFixed(0)}%`,
        ((cpu.user + cpu.system) / 1000 / result.completed).toFixed(2),
        `${(result.generatorUtilization * 100).toFixed(0)}% / ${(result.generatorCpuShare * 100).toFixed(0)}%`,
        `${result.p99SendLagMs.toFixed(1)} / ${result.maxSendLagMs.toFixed(1)}`,
        (loadavg()[0] ?? 0).toFixed(1),
      ]);
      if (errors.length > 0) console.error(`rate ${plan.rate}: ${errors.map(([key, n]) => `${n} × ${key}`).join(', ')}`);
    }

    if (profiler && values.profile) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(values.profile, JSON.stringify(profile));
      profiler.disconnect();
      console.error(`CPU profile of the stack's thread: ${values.profile}`);
    }
    const header = [
      'asked req/s',
      'sent req/s',
      'done req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'errors',
      'outbox pending',
      'drained in',
      'stack loop / CPU',
      'stack CPU ms/req',
      'generator loop / CPU',
      'send lag p99 / max ms',
      'load avg',
    ];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
    const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    console.log(
      [
        'latency: scheduled send → last byte of the answer; outbox pending: events and audit entries not yet on Kafka when the step ended;',
        `loop: event-loop utilisation; CPU: the thread's CPU time over wall time; send lag: how late the generator sent;`,
        `load avg: 1-minute, on ${availableParallelism()} cores (other work on the machine shows there)`,
      ].join('\n'),
    );
  } finally {
    await stack.stop();
  }
}
