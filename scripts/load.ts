/**
 * npm run load -- --profile smoke|nominal|stress|soak [--target file.json] [--campaign rate-limit|latency|all]
 *   [--duration S] [--rate R] [--stack-rate-limit N] [--inject-latency-ms MS [--inject-latency-share F]]
 *   [--pacing ramp|uniform] [--generator-niceness -5] [--platform local|fargate|lambda --region R --count N] [--dry-run] [--verbose] [--no-allure]
 *
 * Generates the campaigns from the catalog, runs them with Artillery against the target (the embedded
 * stack unless --target or TD448_TARGET names a deployment), judges them, prints the figures and writes
 * Artillery's JSON reports, Allure results and Allure 3 performance metrics. Exits 1 on any failed threshold.
 */

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import { createdRecordsVariable, ledgers, readCreatedRecords, removeCreatedRecords } from '../fixtures/target/created-records.ts';
import { writePrivateTargetFile } from '../fixtures/target/private-target-file.ts';
import { defectsVariable, disposableTargetVariable, embeddedProfileVariable } from '../fixtures/target/provide-target.ts';
import { assertReachable, profileOf, readTargetFile, targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { campaignMetrics, campaignResults, perfFile, stressMetrics, stressResults, writeAllureFiles } from '../load/allure.ts';
import { artilleryCommand, cloudReachabilityProblems, DistributedOptions, shellLine } from '../load/distributed.ts';
import { CampaignKind, type CampaignPlan, Pacing, ProfileName } from '../load/plan.ts';
import { printCampaign, printStress } from '../load/print.ts';
import { describeProfile, loadSelection, type PlanOptions, planProfile, profiles } from '../load/profiles.ts';
import { projectRoot, runCampaign, scheduleBrokerOutage, writeCampaignFiles } from '../load/run-campaign.ts';
import { runStress, type StressSummary, stressFailures } from '../load/stress.ts';
import type { CampaignVerdict } from '../load/verdict.ts';
import { parseDefects } from '../reference-implementation/defects.ts';
import { startStack } from '../reference-implementation/stack.ts';
import { writeLoadNotSelected } from '../reports/load-results.ts';
import { reportPaths } from '../reports/paths.ts';
import { cliCommand, repeatable } from './cli.ts';
import { onInterrupt } from './on-interrupt.ts';

const values = cliCommand(
  'npm run load --',
  'Generates the load campaigns from the catalog, runs them with Artillery against the target (the embedded stack unless --target or TD448_TARGET names a deployment), judges them against the catalog’s promises and prints the figures. Exit 1 on a failed threshold, 2 on bad input.',
  [
    'npm run load -- --profile smoke                     # the short campaigns npm start runs',
    'npm run load -- --profile nominal --campaign latency',
    'npm run load -- --profile stress --target targets/deployment.json',
    'npm run load -- --profile smoke --dry-run           # the generated Artillery scripts, not run',
  ],
)
  .option('--profile <name>', `the campaign profile: ${Object.keys(profiles).join(', ')}`, 'smoke')
  .option('--target <file>', 'a target description (default: the embedded stack, or TD448_TARGET)')
  .option('--campaign <name>', 'rate-limit, latency or all', 'all')
  .option('--duration <s>', 'each phase’s length in seconds (default: the profile’s)')
  .option('--rate <r>', 'the arrival rate in requests per second (default: the profile’s)')
  .option('--stack-rate-limit <n>', 'the embedded stack’s rate limit per client and minute, set by hand')
  .option('--inject-latency-ms <ms>', 'ask the target to add this latency (fault injection), to see the latency threshold fail')
  .option('--inject-latency-share <f>', 'the share of requests that get the injected latency (0–1)', '1')
  .option(
    '--broker-outage <after:for>',
    'cut the Kafka broker once, AFTER seconds into the campaigns, for FOR seconds, through the target’s fault port (its "toxiproxy": the Toxiproxy in front of its Kafka): every threshold must hold across it',
  )
  .option('--pacing <how>', 'ramp or uniform arrivals', 'ramp')
  .option('--generator-niceness <n>', 'the nice value of the Artillery workers (-20 to 19)', '-5')
  .option('--platform <where>', 'local, fargate or lambda (Artillery’s distributed runs)', 'local')
  .option('--region <region>', 'the cloud region of a distributed run')
  .option('--count <n>', 'the number of cloud workers of a distributed run')
  .option('--dry-run', 'write the generated Artillery scripts and stop')
  .option('--verbose', 'Artillery’s own output')
  .option('--no-allure', 'write no Allure results')
  .option('--grep <pattern>', 'run the campaigns on the rows whose load check matches (as npm start -- --grep; repeatable)', repeatable)
  .parse()
  .opts<{
    profile: string;
    target?: string;
    campaign: string;
    duration?: string;
    rate?: string;
    stackRateLimit?: string;
    injectLatencyMs?: string;
    injectLatencyShare: string;
    brokerOutage?: string;
    pacing: string;
    generatorNiceness: string;
    platform: string;
    region?: string;
    count?: string;
    dryRun?: boolean;
    verbose?: boolean;
    allure: boolean;
    grep?: string[];
  }>();

const Options = z.object({
  profile: ProfileName,
  target: z.string().optional(),
  campaign: z.union([z.literal('all'), CampaignKind]),
  duration: z.coerce.number().int().positive().optional(),
  rate: z.coerce.number().int().positive().optional(),
  stackRateLimit: z.coerce.number().int().positive().optional(),
  injectLatencyMs: z.coerce.number().int().positive().optional(),
  injectLatencyShare: z.coerce.number().gt(0).lte(1),
  brokerOutage: z
    .string()
    .regex(/^\d+:\d+$/, 'AFTER:FOR in whole seconds, e.g. 15:15')
    .transform((value) => {
      const [afterSeconds, forSeconds] = value.split(':').map(Number) as [number, number];
      return { afterSeconds, forSeconds };
    })
    .optional(),
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
  stackRateLimit: values.stackRateLimit,
  injectLatencyMs: values.injectLatencyMs,
  injectLatencyShare: values.injectLatencyShare,
  brokerOutage: values.brokerOutage,
  pacing: values.pacing,
  generatorNiceness: values.generatorNiceness,
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
const dryRun = values.dryRun ?? false;
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
  // As for the Playwright suites (fixtures/target/provide-target.ts): TD448_PROFILE names the profile the stack
  // serves, TD448_PLANT_DEFECTS the defects planted in it (the self-check's load batches).
  const plantedDefects = process.env[defectsVariable];
  const stack = await startStack({
    faultInjection: true,
    ...(options.stackRateLimit ? { rateLimitPerMinute: options.stackRateLimit } : {}),
    ...(process.env[embeddedProfileVariable] ? { profile: process.env[embeddedProfileVariable] } : {}),
    ...(plantedDefects ? { defects: parseDefects(plantedDefects) } : {}),
  });
  if (plantedDefects) log(`planted defects in the embedded stack: ${plantedDefects}`);
  target = stack.target;
  stop = stack.stop;
  log(
    `target: embedded stack started in ${((performance.now() - stackStarted) / 1000).toFixed(1)} s (${target.apiBaseUrl})` +
      (options.stackRateLimit ? `, its rate limit set by hand to ${options.stackRateLimit}/min` : ''),
  );
}
onInterrupt(() => stop());

// The Artillery workers read the target from a file: the user's own, or the stack's in a private file (no output
// collects its secrets), removed when the stack stops.
let targetFile = options.target as string;
if (!options.target) {
  const privateFile = writePrivateTargetFile(target);
  targetFile = privateFile.file;
  const stopStack = stop;
  stop = async () => {
    privateFile.remove();
    await stopStack();
  };
}
if (options.brokerOutage && options.profile === 'stress') {
  console.error('--broker-outage cuts the broker during the campaigns of smoke, nominal or soak; the stress staircase does not take it');
  await stop();
  process.exit(2);
}
if (options.brokerOutage && !target.toxiproxy) {
  console.error(
    `the target "${target.name}" names no fault port: --broker-outage cannot cut its broker. Add the Toxiproxy in front of its Kafka to the target file: "toxiproxy": { "url": "http://toxiproxy:8474", "kafkaProxy": "kafka" }`,
  );
  await stop();
  process.exit(2);
}
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
  ...(values.grep ? { selects: loadSelection(values.grep) } : {}),
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

// The records the campaigns create are noted by the Artillery workers and removed from a target that outlives the run.
const ledger = join(reportPaths().output, ledgers.load.dir);
rmSync(ledger, { recursive: true, force: true });
process.env[createdRecordsVariable] = ledger;

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
      if (plans.length === 0) {
        const reason = `${values.grep?.map((p) => `--grep ${p}`).join(' ')} selects no row the load campaigns check`;
        log(`load ${options.profile}: not selected: ${reason}`);
        // The report says "not selected", not "not run": a selection is never a check that could not run.
        writeLoadNotSelected(reportPaths().loadNotSelected, reason);
        await stop();
        process.exit(0);
      }
      rmSync(reportPaths().loadNotSelected, { force: true });
      // One outage for the campaigns running side by side, AFTER seconds after they start.
      const outage = options.brokerOutage ? scheduleBrokerOutage(context, options.brokerOutage) : undefined;
      const outcomes = await Promise.all(plans.map((plan) => runCampaign(plan, { ...context, ...(outage ? { outage } : {}) })));
      verdicts.push(...outcomes.map((outcome) => outcome.verdict));
    }
    for (const verdict of verdicts) printCampaign(verdict, log);
    if (stress) printStress(stress, log);
    if (values.allure) {
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
  if (!dryRun) await cleanUp();
  await stop();
}
process.exit(exitCode);

/** Removes the records the campaigns created from a deployment named by --target (not from a stack discarded after the run). */
async function cleanUp() {
  if (!options.target) return; // the embedded stack this run started is discarded with its records
  if (process.env[disposableTargetVariable] === options.target) {
    log('created records: left on the target, which is discarded after this job');
    return;
  }
  const records = readCreatedRecords(ledger);
  const cleanup = await removeCreatedRecords({ target, profile: profileOf(target), catalog: loadCatalog(), records });
  const report = join(reportPaths().output, ledgers.load.report);
  writeFileSync(report, JSON.stringify({ loadRun: runId, ...cleanup }, null, 2));
  log(
    `created records (load): ${cleanup.created} this run, ${cleanup.removed} removed, ${cleanup.alreadyGone} already gone` +
      (cleanup.notRemoved.length > 0 ? `, ${cleanup.notRemoved.length} NOT removed (listed in ${relative(projectRoot, report)})` : ''),
  );
}
