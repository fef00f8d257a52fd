/**
 * npm run load -- --profile smoke|nominal|stress|soak [--target file.json] [--campaign rate-limit|latency|all]
 *   [--duration S] [--rate R] [--stack-rate-limit N] [--inject-latency-ms MS [--inject-latency-share F]]
 *   [--pacing ramp|uniform] [--generator-niceness -5] [--platform local|fargate|lambda --region R --count N] [--dry-run] [--verbose] [--no-allure]
 *
 * Generates the campaigns from the catalog, runs them with Artillery against the target (the embedded
 * stack unless --target or TD448_TARGET names a deployment), judges them, prints the figures and writes
 * Artillery's JSON reports, Allure results and Allure 3 performance metrics. Exits 1 on any failed threshold.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import { assertReachable, profileOf, readTargetFile, targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { campaignMetrics, campaignResults, perfFile, stressMetrics, stressResults, writeAllureFiles } from '../load/allure.ts';
import { artilleryCommand, cloudReachabilityProblems, DistributedOptions, shellLine } from '../load/distributed.ts';
import type { CampaignVerdict } from '../load/evaluate.ts';
import { CampaignKind, type CampaignPlan, Pacing, ProfileName } from '../load/plan.ts';
import { printCampaign, printStress } from '../load/print.ts';
import { describeProfile, type PlanOptions, planProfile, profiles } from '../load/profiles.ts';
import { projectRoot, runCampaign, writeCampaignFiles } from '../load/run-campaign.ts';
import { runStress, type StressSummary, stressFailures } from '../load/stress.ts';
import { startStack } from '../reference-implementation/stack.ts';
import { reportPaths } from '../reports/paths.ts';
import { onInterrupt } from './on-interrupt.ts';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'smoke' },
    target: { type: 'string' },
    campaign: { type: 'string', default: 'all' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    'stack-rate-limit': { type: 'string' },
    'inject-latency-ms': { type: 'string' },
    'inject-latency-share': { type: 'string', default: '1' },
    pacing: { type: 'string', default: 'ramp' },
    'generator-niceness': { type: 'string', default: '-5' },
    platform: { type: 'string', default: 'local' },
    region: { type: 'string' },
    count: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    'no-allure': { type: 'boolean', default: false },
  },
});

const Options = z.object({
  profile: ProfileName,
  target: z.string().optional(),
  campaign: z.union([z.literal('all'), CampaignKind]),
  duration: z.coerce.number().int().positive().optional(),
  rate: z.coerce.number().int().positive().optional(),
  stackRateLimit: z.coerce.number().int().positive().optional(),
  injectLatencyMs: z.coerce.number().int().positive().optional(),
  injectLatencyShare: z.coerce.number().gt(0).lte(1),
  pacing: Pacing,
  generatorNiceness: z.coerce.number().int().min(-20).max(19),
  distributed: DistributedOptions,
});
const parsed = Options.safeParse({
  profile: values.profile,
  target: values.target ?? process.env[targetFileVariable],
  campaign: values.campaign,
  duration: values.duration,
  rate: values.rate,
  stackRateLimit: values['stack-rate-limit'],
  injectLatencyMs: values['inject-latency-ms'],
  injectLatencyShare: values['inject-latency-share'],
  pacing: values.pacing,
  generatorNiceness: values['generator-niceness'],
  distributed: {
    platform: values.platform,
    ...(values.region ? { region: values.region } : {}),
    ...(values.count ? { count: Number(values.count) } : {}),
  },
});
if (!parsed.success) {
  console.error(
    `npm run load: ${z.prettifyError(parsed.error)}\nprofiles: ${Object.entries(profiles)
      .map(([name, spec]) => `${name} (${spec.description})`)
      .join('; ')}`,
  );
  process.exit(2);
}
const options = parsed.data;
const dryRun = values['dry-run'];
if (options.stackRateLimit && options.target) {
  console.error("--stack-rate-limit sets the embedded stack's limit; it cannot change a deployment named by --target");
  process.exit(2);
}
if (options.distributed.platform !== 'local' && !options.target) {
  console.error(`--platform ${options.distributed.platform} needs --target: cloud workers cannot reach the embedded stack on 127.0.0.1`);
  process.exit(2);
}

const started = performance.now();
const stamp = new Date()
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z');
const runId = `${options.profile}-${stamp}`;
const outputDir = join(reportPaths().loadRuns, runId);
const allureDir = reportPaths().allureResults;
mkdirSync(outputDir, { recursive: true });
const log = (line: string) => console.log(line);

let target: TargetDescription;
let stop = async () => {};
if (options.target) {
  target = readTargetFile(options.target);
  if (!dryRun) await assertReachable(target);
  log(`target: ${target.name} (${target.apiBaseUrl}) from ${options.target}`);
} else {
  const stackStarted = performance.now();
  const stack = await startStack({
    faultInjection: true,
    ...(options.stackRateLimit ? { rateLimitPerMinute: options.stackRateLimit } : {}),
  });
  target = stack.target;
  stop = stack.stop;
  log(
    `target: embedded stack started in ${((performance.now() - stackStarted) / 1000).toFixed(1)} s (${target.apiBaseUrl})` +
      (options.stackRateLimit ? `, its rate limit set by hand to ${options.stackRateLimit}/min` : ''),
  );
}
onInterrupt(() => stop());

const targetFile = join(outputDir, 'target.json');
writeFileSync(targetFile, JSON.stringify(target), { mode: 0o600 });
if (options.injectLatencyMs && !target.faultInjection) {
  console.error(`the target "${target.name}" refuses fault injection: --inject-latency-ms cannot be demonstrated on it`);
  await stop();
  process.exit(2);
}

const catalog = loadCatalog();
const planOptions: PlanOptions = {
  runId,
  catalog,
  clientIds: target.clients.filter((client) => client.roles.includes('load')).map((client) => client.clientId),
  targetProfile: profileOf(target),
  ...(options.campaign !== 'all' ? { campaigns: [options.campaign] } : {}),
  ...(options.duration ? { durationSeconds: options.duration } : {}),
  ...(options.rate ? { latencyRate: options.rate } : {}),
  ...(options.injectLatencyMs ? { faults: { latencyMs: options.injectLatencyMs, share: options.injectLatencyShare } } : {}),
  pacing: options.pacing,
};
const context = {
  outputDir,
  target,
  targetFile,
  distributed: options.distributed,
  verbose: values.verbose,
  generatorNiceness: options.generatorNiceness,
  log,
};

let exitCode = 0;
try {
  log(`load profile ${options.profile}: ${describeProfile(options.profile)}; run ${runId}`);
  if (dryRun) {
    const plans: CampaignPlan[] = options.profile === 'stress' ? [] : planProfile(options.profile, planOptions);
    for (const plan of plans) {
      const files = writeCampaignFiles(plan, context);
      const command = artilleryCommand(
        { script: files.script, report: files.report, targetFile, ...(files.dotenv ? { dotenv: files.dotenv } : {}) },
        options.distributed,
      );
      log(`\n${plan.slug}: ${plan.title}\n  script: ${relative(projectRoot, files.script)}\n  run:    ${shellLine(command)}`);
      for (const line of command.prerequisites) log(`  needs:  ${line}`);
    }
    for (const problem of options.distributed.platform === 'local'
      ? []
      : cloudReachabilityProblems([target.apiBaseUrl, target.tokenUrl ?? target.issuer]))
      log(`  warning: ${problem}`);
  } else {
    const verdicts: CampaignVerdict[] = [];
    let stress: StressSummary | undefined;
    const runStarted = Date.now();
    if (options.profile === 'stress') {
      const run = await runStress(context, planOptions);
      verdicts.push(...run.verdicts);
      stress = run.summary;
    } else {
      const plans = planProfile(options.profile, planOptions);
      const outcomes = await Promise.all(plans.map((plan) => runCampaign(plan, context)));
      verdicts.push(...outcomes.map((outcome) => outcome.verdict));
    }
    for (const verdict of verdicts) printCampaign(verdict, log);
    if (stress) printStress(stress, log);
    if (!values['no-allure']) {
      const files = verdicts.flatMap((verdict) => {
        const dir = join(outputDir, verdict.slug);
        const report = join(dir, 'artillery-report.json');
        const plan = join(dir, 'plan.json');
        return campaignResults(verdict, {
          ...(existsSync(report) ? { artilleryReport: readFileSync(report, 'utf8') } : {}),
          ...(existsSync(plan) ? { plan: readFileSync(plan, 'utf8') } : {}),
        });
      });
      // A stress run trends its knee; its steps break by design, so their figures are no metrics to hold a bound on.
      const perf = stress ? stressMetrics(stress, runId, runStarted, Date.now()) : verdicts.flatMap(campaignMetrics);
      if (stress) files.push(...stressResults(stress, stressFailures(stress), { runId, start: runStarted, stop: Date.now() }));
      writeAllureFiles(allureDir, [...files, perfFile(runId, perf)], { clear: true });
      log(
        `Allure: ${files.filter((file) => file.name.endsWith('-result.json')).length} results and ${perf.length} performance metrics in ${relative(projectRoot, allureDir)}`,
      );
    }
    writeFileSync(join(outputDir, 'summary.json'), `${JSON.stringify({ runId, profile: options.profile, verdicts, stress }, null, 2)}\n`);
    const failures = stress
      ? stressFailures(stress)
      : verdicts.filter((verdict) => verdict.status !== 'passed').map((verdict) => `${verdict.slug} ${verdict.status}`);
    exitCode = failures.length > 0 ? 1 : 0;
    log(
      `\nload ${options.profile}: ${exitCode === 0 ? 'passed' : `FAILED (${failures.join('; ')})`} in ${((performance.now() - started) / 1000).toFixed(1)} s; reports in ${relative(projectRoot, outputDir)}`,
    );
  }
} catch (error) {
  console.error(error instanceof Error ? (values.verbose ? (error.stack ?? error.message) : error.message) : error);
  exitCode = 1;
} finally {
  await stop();
}
process.exit(exitCode);
