import type { StressSummary } from './stress.ts';
import type { CampaignVerdict } from './verdict.ts';

const mark = { passed: '✔', failed: '✘', broken: '!', skipped: '–' } as const;
const num = (value: number | undefined, digits = 0) => (value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The figures of one campaign, as a person reads them at the end of a run. */
export function printCampaign(verdict: CampaignVerdict, log: (line: string) => void) {
  const g = verdict.generator;
  log(`\n${mark[verdict.status]} ${verdict.slug} · ${verdict.title}: ${verdict.status.toUpperCase()}`);
  log(
    `  load applied [${g.engine}]: asked ${g.askedArrivals} arrivals at ${num(g.askedRate, 3)}/s; achieved ${g.arrivals} at ${num(g.arrivalRate, 3)}/s, ` +
      `first requests at ${num(g.sendRate, 3)}/s → ${(g.deviation * 100).toFixed(2)} % off (limit ${(1).toFixed(0)} %)${g.bound ? '  GENERATOR-BOUND' : ''}`,
  );
  for (const [label, figures] of [
    ['promising <1s', verdict.latency.promised],
    ['all operations', verdict.latency.all],
  ] as const) {
    if (figures)
      log(
        `  latency, ${label}: p50 ${num(figures.p50)} ms, p95 ${num(figures.p95)} ms, p99 ${num(figures.p99)} ms, max ${num(figures.max)} ms (${figures.count} requests)`,
      );
  }
  const r = verdict.responses;
  const transport = Object.entries(r.transport).map(([name, value]) => `${name} ${value}`);
  log(
    `  answers: ${r.expected} expected, ${r.rateLimited} × 429, ${r.serverError} × 5xx, ${r.unexpected} unexpected; ` +
      `${r.arrangeFailed} failed arrangements, ${r.vusersFailed} failed virtual users${transport.length ? `; transport: ${transport.join(', ')}` : ''}`,
  );
  for (const client of verdict.clients.filter((c) => c.allowed + c.limited > 0)) {
    log(
      `  ${client.clientId.padEnd(8)} ${client.role.padEnd(11)} ${String(client.perMinute).padStart(5)}/min: ${String(client.allowed).padStart(5)} allowed (2xx), ${String(client.limited).padStart(4)} × 429`,
    );
  }
  for (const threshold of verdict.thresholds) {
    log(`  ${mark[threshold.status]} ${threshold.title}: ${threshold.actual}`);
    if (threshold.status !== 'passed' && threshold.message) for (const line of threshold.message.split('\n')) log(`      ${line}`);
    for (const check of threshold.checks.filter((c) => c.status === 'failed')) log(`      ✘ ${check.name}: ${check.actual}`);
  }
  if (verdict.artillery) {
    const failedChecks = verdict.artillery.checks.filter((check) => !check.ok);
    log(
      `  Artillery ensure: exit ${verdict.artillery.exitCode}, ${verdict.artillery.checks.length - failedChecks.length}/${verdict.artillery.checks.length} checks ok` +
        (failedChecks.length ? ` (failed: ${failedChecks.map((check) => check.expression).join('; ')})` : ''),
    );
  }
}

export function printStress(summary: StressSummary, log: (line: string) => void) {
  log('\nstress staircase (engine per step):');
  log('  rate/s  engine      achieved/s    p50    p95    p99  errors  verdict');
  for (const step of summary.steps) {
    log(
      `  ${String(step.rate).padStart(6)}  ${step.engine.padEnd(10)}  ${num(step.achievedRate, 1).padStart(10)}  ${num(step.p50).padStart(5)}  ${num(step.p95).padStart(5)}  ${num(step.p99).padStart(5)}  ${String(step.errors).padStart(6)}  ${step.status}${step.status === 'passed' ? '' : ` (${step.reason})`}`,
    );
  }
  if (summary.knee) {
    log(
      `  knee: ${summary.knee.rate} req/s [${summary.knee.engine}] (${summary.knee.reason}); highest rate that held: ${summary.knee.lastGoodRate ?? 'none'} req/s`,
    );
  } else {
    log(`  no knee found (${summary.stoppedBecause}); highest rate that held: ${summary.highestPassingRate ?? 'none'} req/s`);
  }
  for (const note of summary.notes) log(`  note: ${note}`);
}
