/**
 * npm run bench:load -- [--target file.json] [--rates 50,100,200,300,400] [--seconds 20] [--pacing ramp|uniform]
 *
 * The load generators measured against the reference implementation, side by side, at each asked rate:
 * - the arrival rate Artillery achieved against the one asked for (goal: within 1 %);
 * - its cost in CPU (the artillery process, worker threads included, between "Phase started" and
 *   "Phase completed") and so its ceiling in requests per second per core;
 * - the same mix (the stress mix: catalog rows outside the rate limit) through autocannon in the same run (a process of its own, its CPU time
 *   from process.cpuUsage), as the reference ratio.
 * The target runs in a child process of its own (npm run stack), so no generator shares its event loop.
 * Stops climbing at the first rate where Artillery falls behind or the target breaks its promise.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { writePrivateTargetFile } from '../fixtures/target/private-target-file.ts';
import { startEmbeddedStack } from '../fixtures/target/provide-target.ts';
import { assertReachable, profileOf, readTargetFile } from '../fixtures/target/resolve-target.ts';
import { counter, readArtilleryReport } from '../load/artillery-report.ts';
import { runAutocannonChild } from '../load/engines/autocannon.ts';
import { evaluateCampaign } from '../load/evaluate.ts';
import { Pacing } from '../load/plan.ts';
import { limiterSafeRate, planStressStep } from '../load/profiles.ts';
import { projectRoot, runCampaign } from '../load/run-campaign.ts';
import { connectionsFor } from '../load/stress.ts';
import { cliCommand } from './cli.ts';

const values = cliCommand(
  'npm run bench:load --',
  'The load generators measured side by side at each rate: the arrival rate Artillery achieved against the one asked for, its CPU cost and ceiling per core, and autocannon on the same mix as the reference ratio. Figures only.',
  ['npm run bench:load', 'npm run bench:load -- --rates 100,200 --seconds 30', 'npm run bench:load -- --target targets/deployment.json'],
)
  .option('--target <file>', 'a target description (default: the embedded stack, in a process of its own)')
  .option('--rates <list>', 'the arrival rates to climb, requests per second, comma-separated', '50,100,200,300,400')
  .option('--seconds <s>', 'the length of each step (5 to 120)', '20')
  .option('--pacing <how>', 'ramp or uniform arrivals', 'ramp')
  .parse()
  .opts<{ target?: string; rates: string; seconds: string; pacing: string }>();
const rates = z.array(z.coerce.number().int().positive()).min(1).parse(values.rates.split(','));
const seconds = z.coerce.number().int().min(5).max(120).parse(values.seconds);
const pacing = Pacing.parse(values.pacing);

const runId = `bench-${new Date()
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z')}`;
const outputDir = join(projectRoot, 'reports', 'output', 'load', runId);
mkdirSync(outputDir, { recursive: true });

const started = performance.now();
const stack = values.target
  ? { target: readTargetFile(values.target), stop: async () => {} }
  : await startEmbeddedStack({ faultInjection: true });
const { target } = stack;
if (values.target) await assertReachable(target);
// The user's own file, or the stack's description in a private file (no output collects its secrets).
const privateFile = values.target ? undefined : writePrivateTargetFile(target);
const targetFile = values.target ?? (privateFile?.file as string);
const catalog = loadCatalog();
const options = {
  runId,
  catalog,
  clientIds: target.clients.filter((client) => client.roles.includes('load')).map((client) => client.clientId),
  targetProfile: profileOf(target),
  pacing,
};
const safe = limiterSafeRate(catalog, 20);
const context = { outputDir, target, targetFile, log: (line: string) => console.log(line) };

interface Row {
  asked: number;
  artillery: { achieved: number; deviation: number; requests: number; cpu: number; wall: number; p95: number; errors: number };
  autocannon?: { achieved: number; deviation: number; requests: number; cpu: number; wall: number; p95: number; errors: number };
}
const rows: Row[] = [];
const errorsOf = (verdict: ReturnType<typeof evaluateCampaign>) =>
  verdict.responses.serverError + verdict.responses.unexpected + verdict.responses.arrangeFailed + verdict.responses.vusersFailed;

console.log(
  `bench: ${target.name} (${target.apiBaseUrl}), ${cpus().length} cores, rates ${rates.join(', ')} req/s for ${seconds} s each; run ${runId}`,
);
try {
  // A cold target (JIT, first records, first tokens) takes the CPU Artillery's timers need: warm it up unmeasured.
  const warmUp = planStressStep({ ...options, durationSeconds: 10 }, 0, rates[0] as number, 1);
  await runCampaign({ ...warmUp, slug: 'warm-up', title: `bench · warm-up at ${rates[0]} req/s (not measured)` }, context);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  for (const [index, rate] of rates.entries()) {
    if (rate > safe) {
      console.log(`  ${rate} req/s skipped: above ${safe} req/s the per-client limit would answer, not the target`);
      continue;
    }
    const base = planStressStep({ ...options, durationSeconds: seconds }, index, rate, rates.length);
    const artilleryPlan = { ...base, slug: `artillery-${rate}`, title: `bench · Artillery at ${rate} req/s` };
    const outcome = await runCampaign(artilleryPlan, context);
    const report = readArtilleryReport(outcome.files.report);
    const artillery = {
      achieved: outcome.verdict.generator.arrivalRate,
      deviation: outcome.verdict.generator.deviation,
      requests: counter(report.aggregate, 'http.requests'),
      cpu: outcome.run.phaseCpuSeconds ?? Number.NaN,
      wall: outcome.run.phaseWallSeconds ?? Number.NaN,
      p95: outcome.verdict.latency.promised?.p95 ?? Number.NaN,
      errors: errorsOf(outcome.verdict),
    };
    const row: Row = { asked: rate, artillery };
    rows.push(row);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const autocannonPlan = { ...base, slug: `autocannon-${rate}`, title: `bench · autocannon at ${rate} req/s` };
    const acStarted = Date.now();
    const ac = await runAutocannonChild(
      { plan: autocannonPlan, rate, connections: connectionsFor(rate), durationSeconds: seconds },
      targetFile,
      join(outputDir, autocannonPlan.slug),
    );
    const acVerdict = evaluateCampaign(autocannonPlan, ac.report, { startedAt: acStarted, finishedAt: Date.now() });
    row.autocannon = {
      achieved: acVerdict.generator.arrivalRate,
      deviation: acVerdict.generator.deviation,
      requests: ac.requests,
      cpu: ac.cpuSeconds,
      wall: ac.wallSeconds,
      p95: acVerdict.latency.promised?.p95 ?? Number.NaN,
      errors: errorsOf(acVerdict),
    };
    console.log(
      `  ${rate} req/s: Artillery ${artillery.achieved.toFixed(2)}/s (${(artillery.deviation * 100).toFixed(2)} % off), ${(artillery.cpu / artillery.wall).toFixed(2)} cores; ` +
        `autocannon ${row.autocannon.achieved.toFixed(2)}/s, ${(ac.cpuSeconds / ac.wallSeconds).toFixed(2)} cores; target p95 ${artillery.p95} ms, ${artillery.errors} errors`,
    );
    if (artillery.deviation > 0.01 || artillery.errors > 0 || !(artillery.p95 < 1000)) {
      console.log(
        `  stopping here: ${artillery.deviation > 0.01 ? 'Artillery fell behind its schedule' : 'the target broke its promise (p95 ≥ 1 s or errors)'}`,
      );
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
} finally {
  privateFile?.remove();
  await stack.stop();
}

const perCore = (figures: { requests: number; cpu: number; wall: number }) =>
  figures.requests / figures.wall / (figures.cpu / figures.wall);
const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
console.log('\nload generators against the reference implementation (catalog rows outside the rate limit, 20 OAuth2 clients):');
console.log(
  '  asked/s │ Artillery: achieved/s    Δ %  ≤1 %  cores  req/s per core │ autocannon: achieved/s  cores  req/s per core │ per-core ratio ac/art │ target p95 (art)',
);
for (const row of rows) {
  const a = row.artillery;
  const c = row.autocannon;
  console.log(
    `  ${String(row.asked).padStart(7)} │ ${fmt(a.achieved, 2).padStart(20)} ${fmt(a.deviation * 100, 2).padStart(6)}  ${a.deviation <= 0.01 ? ' yes' : '  NO'}  ${fmt(a.cpu / a.wall, 2).padStart(5)}  ${fmt(perCore(a)).padStart(14)} │ ` +
      `${c ? fmt(c.achieved, 2).padStart(22) : 'n/a'.padStart(22)}  ${c ? fmt(c.cpu / c.wall, 2).padStart(5) : '  n/a'}  ${c ? fmt(perCore(c)).padStart(14) : 'n/a'.padStart(14)} │ ` +
      `${c ? fmt(perCore(c) / perCore(a), 1).padStart(21) : 'n/a'.padStart(21)} │ ${fmt(a.p95).padStart(6)} ms`,
  );
}
const held = rows.filter((row) => row.artillery.deviation <= 0.01);
const best = held.at(-1);
if (best) {
  console.log(
    `\nArtillery kept its schedule (within 1 %) up to ${best.asked} req/s on this machine, sharing its ${cpus().length} cores with the target. ` +
      `Its cost there: ${fmt(perCore(best.artillery))} requests per CPU-second, the ceiling of one dedicated generator core by that measure; ` +
      `autocannon ${best.autocannon ? fmt(perCore(best.autocannon)) : 'n/a'} (×${best.autocannon ? fmt(perCore(best.autocannon) / perCore(best.artillery), 1) : 'n/a'}).`,
  );
}
writeFileSync(join(outputDir, 'bench.json'), `${JSON.stringify({ runId, cores: cpus().length, seconds, pacing, rows }, null, 2)}\n`);
console.log(
  `bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s; figures in ${join('reports', 'output', 'load', runId, 'bench.json')}`,
);
process.exit(0);
