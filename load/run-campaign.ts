import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { OAuthClient } from '../fixtures/clients/oauth-client.ts';
import { Toxiproxy } from '../fixtures/clients/toxiproxy.ts';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import { profileOf } from '../fixtures/target/resolve-target.ts';
import { counter, readArtilleryReport } from './artillery-report.ts';
import { artilleryScript } from './artillery-script.ts';
import { artilleryCommand, type DistributedOptions, dotenvFor } from './distributed.ts';
import { evaluateCampaign, parseEnsureOutput } from './evaluate.ts';
import { auditRateLimit, LogCollector } from './log-audit.ts';
import { clientAllowed, clientLimited, clientNoAnswer } from './metrics.ts';
import type { CampaignPlan } from './plan.ts';
import type { CampaignVerdict, FaultWindow } from './verdict.ts';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const processorPath = fileURLToPath(new URL('./processor.ts', import.meta.url));
const artilleryBin = join(projectRoot, 'node_modules', 'artillery', 'bin', 'run');

export interface CampaignFiles {
  dir: string;
  script: string;
  plan: string;
  report: string;
  log: string;
  verdict: string;
  dotenv?: string;
}

export interface RunContext {
  /** reports/output/load/<run id> */
  outputDir: string;
  target: TargetDescription;
  /** The target description on disk (mode 600), for local workers. */
  targetFile: string;
  distributed?: DistributedOptions;
  /** Artillery's console output too, besides its log file. */
  verbose?: boolean;
  /**
   * Niceness of the artillery process: negative to keep its schedule when it shares the machine with
   * the target and others (it uses little CPU; it needs it on time). 0 leaves it alone.
   */
  generatorNiceness?: number;
  /**
   * The broker outage made during the run (`scheduleBrokerOutage`, once for the campaigns that run side by side):
   * each campaign waits for its window and keeps it in its verdict; its chart shades it.
   */
  outage?: Promise<FaultWindow>;
  log: (line: string) => void;
}

/**
 * Writes a campaign's generated files: the Artillery script, its plan, and a processor entry of its
 * own (Artillery bundles a TypeScript processor next to itself, so campaigns running side by side
 * must not share one).
 */
export function writeCampaignFiles(
  plan: CampaignPlan,
  context: Pick<RunContext, 'outputDir' | 'target' | 'targetFile' | 'distributed'>,
): CampaignFiles {
  const dir = join(context.outputDir, plan.slug);
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'processor.ts');
  const files: CampaignFiles = {
    dir,
    script: join(dir, 'script.json'),
    plan: join(dir, 'plan.json'),
    report: join(dir, 'artillery-report.json'),
    log: join(dir, 'artillery.log'),
    verdict: join(dir, 'verdict.json'),
  };
  // Artillery bundles the processor as CommonJS into dist/, under this project's "type": "module".
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(
    entry,
    `// Generated: this campaign's own entry to the shared processor.\nexport * from '${relative(dir, processorPath).replaceAll('\\', '/')}';\n`,
  );
  writeFileSync(files.plan, `${JSON.stringify(plan, null, 2)}\n`);
  writeFileSync(
    files.script,
    `${JSON.stringify(artilleryScript(plan, { target: context.target.apiBaseUrl, processor: './processor.ts' }), null, 2)}\n`,
  );
  if (context.distributed?.platform === 'lambda') {
    // Beside no output: the dotenv carries the target's secrets (mode 600, in a directory of its own, mode 700).
    files.dotenv = join(mkdtempSync(join(tmpdir(), 'td448-dotenv-')), `${plan.slug}.env`);
    writeFileSync(files.dotenv, dotenvFor(readFileSync(context.targetFile, 'utf8')), { mode: 0o600 });
  }
  return files;
}

export interface ArtilleryRun {
  exitCode: number | null;
  output: string;
  startedAt: number;
  finishedAt: number;
  /** CPU seconds the artillery process (its worker threads included) spent between "Phase started" and "Phase completed". */
  phaseCpuSeconds?: number;
  phaseWallSeconds?: number;
}

/** CPU time of a process so far, from /proc (clock ticks of 1/100 s); undefined where /proc is missing. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export function runArtillery(files: CampaignFiles, context: RunContext, timeoutMs: number): Promise<ArtilleryRun> {
  const command = artilleryCommand(
    { script: files.script, report: files.report, targetFile: context.targetFile, ...(files.dotenv ? { dotenv: files.dotenv } : {}) },
    context.distributed,
  );
  const startedAt = Date.now();
  // A negative niceness (where allowed) lets the generator's timers fire on time on a machine it shares with the target.
  const niceness = context.generatorNiceness ?? 0;
  const [file, args] =
    niceness !== 0 && existsSync('/usr/bin/nice')
      ? ['/usr/bin/nice', ['-n', String(niceness), process.execPath, artilleryBin, ...command.args]]
      : [process.execPath, [artilleryBin, ...command.args]];
  const child = spawn(file, args, {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...command.env,
      ARTILLERY_DISABLE_TELEMETRY: '1',
      // A deployment behind a private CA: Artillery's HTTP engine and the processor's fetch trust it too.
      ...(context.target.caFile ? { NODE_EXTRA_CA_CERTS: context.target.caFile } : {}),
      PATH: `${join(projectRoot, 'node_modules', '.bin')}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(files.log);
  let output = '';
  let phaseStart: { cpu: number; at: number } | undefined;
  let phase: { cpu: number; wall: number } | undefined;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    log.write(chunk);
    if (context.verbose) process.stdout.write(text);
    for (const line of text.split('\n')) {
      if (line.startsWith('Phase started:'))
        phaseStart = { cpu: processCpuSeconds(child.pid as number) ?? Number.NaN, at: performance.now() };
      if (line.startsWith('Phase completed:') && phaseStart) {
        phase = {
          cpu: (processCpuSeconds(child.pid as number) ?? Number.NaN) - phaseStart.cpu,
          wall: (performance.now() - phaseStart.at) / 1000,
        };
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => {
    context.log(`artillery ran past ${Math.round(timeoutMs / 1000)} s: stopping it`);
    child.kill('SIGTERM');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      log.end();
      resolve({
        exitCode,
        output,
        startedAt,
        finishedAt: Date.now(),
        ...(phase && Number.isFinite(phase.cpu) ? { phaseCpuSeconds: phase.cpu, phaseWallSeconds: phase.wall } : {}),
      });
    });
  });
}

export interface CampaignOutcome {
  plan: CampaignPlan;
  files: CampaignFiles;
  verdict: CampaignVerdict;
  run: ArtilleryRun;
}

/** One campaign: generate, run Artillery (auditing the transaction log meanwhile for the rate limit), evaluate. */
export async function runCampaign(plan: CampaignPlan, context: RunContext): Promise<CampaignOutcome> {
  const files = writeCampaignFiles(plan, context);
  let collector: LogCollector | undefined;
  let auditSkipped: string | undefined;
  if (plan.campaign === 'rate-limit') {
    const reader = context.target.clients.find((client) => client.roles.includes('log-reader'));
    const profile = profileOf(context.target);
    if (reader && context.target.logQueryUrl && profile.transactionLog.clientParameter !== null) {
      const oauth = new OAuthClient(context.target, profile);
      collector = new LogCollector({
        queryUrl: context.target.logQueryUrl,
        authorization: () => oauth.authorization(reader.clientId),
        profile,
        clientIds: plan.clients.map((c) => c.clientId),
        runId: plan.runId,
        slug: plan.slug,
      });
      collector.start();
    } else {
      auditSkipped = !reader
        ? 'the target description has no client with the role "log-reader": the transaction log cannot be read'
        : !context.target.logQueryUrl
          ? 'the target description has no logQueryUrl: the transaction log cannot be queried by client'
          : 'the profile says the log cannot be queried by client (transactionLog.clientParameter: null)';
    }
  }
  context.log(`▶ ${plan.slug}: ${plan.title} (script ${relative(projectRoot, files.script)})`);
  const run = await runArtillery(files, context, (plan.durationSeconds + 180) * 1000);
  const faults = context.outage ? [await context.outage] : [];
  const entries = collector ? await collector.stop() : [];
  if (!existsSync(files.report)) {
    throw new Error(
      `artillery exited ${run.exitCode} without a report for ${plan.slug}; its output is in ${files.log}:\n${run.output.slice(-2000)}`,
    );
  }
  const report = readArtilleryReport(files.report);
  const observed = new Map(
    plan.clients.map((client) => [
      client.clientId,
      {
        allowed: counter(report.aggregate, clientAllowed(client.clientId)),
        limited: counter(report.aggregate, clientLimited(client.clientId)),
        noAnswer: counter(report.aggregate, clientNoAnswer(client.clientId)),
      },
    ]),
  );
  const audit = collector ? auditRateLimit(plan, entries, observed, collector) : undefined;
  const verdict = evaluateCampaign(plan, report, {
    ...(audit ? { audit } : {}),
    ...(auditSkipped ? { auditSkipped } : {}),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    artillery: { exitCode: run.exitCode, checks: parseEnsureOutput(run.output) },
  });
  if (faults.length > 0) verdict.faults = faults;
  writeFileSync(files.verdict, `${JSON.stringify(verdict, null, 2)}\n`);
  return { plan, files, verdict, run };
}

/**
 * Cuts the broker through the target's fault port `afterSeconds` from now and restores it `forSeconds` later;
 * resolves with the window, from the moment the cut was asked to the moment the broker was back.
 * @throws Error when the target names no fault port (toxiproxy).
 */
export async function scheduleBrokerOutage(
  context: Pick<RunContext, 'target' | 'log'>,
  { afterSeconds, forSeconds }: { afterSeconds: number; forSeconds: number },
): Promise<FaultWindow> {
  if (!context.target.toxiproxy)
    throw new Error(`target "${context.target.name}" names no fault port (toxiproxy): the broker cannot be cut`);
  const faults = new Toxiproxy(context.target.toxiproxy);
  await sleep(afterSeconds * 1000);
  const from = Date.now();
  await faults.cut();
  context.log(`  broker cut through ${faults.url} (proxy ${faults.proxyName}) at +${afterSeconds} s`);
  await sleep(Math.max(0, forSeconds * 1000 - (Date.now() - from)));
  await faults.restore();
  const to = Date.now();
  context.log(`  broker back after ${((to - from) / 1000).toFixed(1)} s`);
  return { label: 'broker outage', from, to };
}
