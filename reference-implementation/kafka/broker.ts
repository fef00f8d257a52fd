// Starts a real single-node Apache Kafka 4 broker (KRaft, combined broker+controller) in a child JVM.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import { z } from 'zod';
import { ensureJava, ensureKafkaClasspath, javaExecutable } from './classpath.ts';

export type KafkaBroker = {
  /** `127.0.0.1:PORT` of the PLAINTEXT listener. */
  bootstrap: string;
  /** Process id of the broker's JVM. */
  pid: number;
  dataDir: string;
  /** Everything the JVM prints (log4j2 at WARN, plus stdout/stderr). */
  logFile: string;
  /** Settles with the JVM's exit code (or null when killed by a signal) whenever it exits. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
};

export type StartKafkaBrokerOptions = {
  /** Kept on stop and reused by a later start (same ports, same topics). Default: a temp dir removed on stop. */
  dataDir?: string;
  /** Where broker.log goes. Default: the data dir. */
  logDir?: string;
  /** How long to wait for the broker to answer metadata requests. Default 60 s. */
  startTimeoutMs?: number;
};

const host = '127.0.0.1';
const nodeId = 1;
const defaultStartTimeoutMs = 60_000;
const stopTimeoutMs = 20_000;
const bindAttempts = 3;
const jvmOptions = [
  '-Xms256m',
  '-Xmx512m',
  // Serial GC: fewest GC threads and the fastest start on a 2-core machine.
  '-XX:+UseSerialGC',
  '-XX:-UsePerfData',
  '-Djava.awt.headless=true',
  // One log4j2 context for the whole JVM: otherwise a thread that logs first during shutdown
  // creates a new context and log4j complains that it cannot register a shutdown hook.
  '-Dlog4j2.contextSelector=org.apache.logging.log4j.core.selector.BasicContextSelector',
];

const savedLayoutSchema = z.object({
  brokerPort: z.number().int().positive(),
  controllerPort: z.number().int().positive(),
  clusterId: z.string().min(1),
});
type Layout = z.infer<typeof savedLayoutSchema>;

// ---- orphan protection -------------------------------------------------------------------------

const liveJvms = new Set<ChildProcess>();
const temporaryDataDirs = new Set<string>();
let exitHookInstalled = false;

/** Kills every broker JVM still running when this Node process exits (normally or by process.exit). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const jvm of liveJvms) jvm.kill('SIGKILL');
    for (const dir of temporaryDataDirs) rmSync(dir, { recursive: true, force: true });
  });
}

// A tiny shell that waits for EOF on its stdin, a pipe from this Node process. The pipe closes
// however Node dies (even SIGKILL, where no 'exit' handler runs), and the shell then ends the JVM.
const watchdogScript = `
read _ignored
kill -TERM "$1" 2>/dev/null
i=0
while kill -0 "$1" 2>/dev/null && [ "$i" -lt 60 ]; do sleep 0.25; i=$((i+1)); done
kill -KILL "$1" 2>/dev/null
if [ -n "$2" ]; then rm -rf "$2"; fi
`;

function startWatchdog(jvmPid: number, dirToRemove: string | undefined): ChildProcess {
  const watchdog = spawn('/bin/sh', ['-c', watchdogScript, 'kafka-watchdog', String(jvmPid), dirToRemove ?? ''], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => {}); // best effort: the exit hook still covers the ordinary cases
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
  return watchdog;
}

// ---- ports and files ---------------------------------------------------------------------------

/** Two distinct free ports, held open together so that they differ from each other. */
async function pickFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolveListen());
      });
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address for a probe socket');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveCheck) => {
    const server = createServer();
    server.once('error', () => resolveCheck(false));
    server.listen(port, host, () => server.close(() => resolveCheck(true)));
  });
}

/** A Kafka cluster id: 16 random bytes, base64url without padding (what `kafka-storage random-uuid` prints). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // a leading '-' reads as an option on the storage tool's command line
  }
}

function serverProperties(layout: Layout, metadataDir: string): string {
  const { brokerPort, controllerPort } = layout;
  const properties: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    'controller.quorum.bootstrap.servers': `${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${brokerPort},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${brokerPort},CONTROLLER://${host}:${controllerPort}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': metadataDir,
    'num.partitions': 3,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'auto.create.topics.enable': true,
    'offsets.topic.replication.factor': 1,
    // 50 partitions by default: creating them slows the first consumer group join for nothing here.
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 3,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
  };
  return `${Object.entries(properties)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

// log4j2 writes to stdout, which the JVM's stdout sends to broker.log.
const log4j2Properties = `status = warn
appender.console.type = Console
appender.console.name = stdout
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = stdout
# One INFO line that says the server is up, for whoever reads the log.
logger.raftServer.name = kafka.server.KafkaRaftServer
logger.raftServer.level = INFO
`;

async function logTail(logFile: string, lines = 60): Promise<string> {
  try {
    const text = await readFile(logFile, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
  } catch {
    return '(no log written)';
  }
}

/** What the log got since `fromByte`, i.e. from one JVM run (the log is appended to across restarts). */
async function logSince(logFile: string, fromByte: number): Promise<string> {
  try {
    return (await readFile(logFile)).subarray(fromByte).toString('utf8');
  } catch {
    return '';
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

// ---- JVM runs ----------------------------------------------------------------------------------

type Paths = { dataDir: string; metadataDir: string; logFile: string; propertiesFile: string; log4jFile: string };

function spawnJvm(classpath: string, paths: Paths, mainClass: string, args: string[]): ChildProcess {
  const logFd = openSync(paths.logFile, 'a');
  try {
    return spawn(
      javaExecutable(),
      [
        ...jvmOptions,
        `-Dlog4j2.configurationFile=${paths.log4jFile}`,
        `-Dkafka.logs.dir=${paths.dataDir}`,
        '-cp',
        classpath,
        mainClass,
        ...args,
      ],
      { cwd: paths.dataDir, stdio: ['ignore', logFd, logFd] },
    );
  } finally {
    closeSync(logFd); // the child has its own copy
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit(child.exitCode);
    else child.once('exit', (code) => resolveExit(code));
  });
}

async function formatStorage(classpath: string, paths: Paths, layout: Layout): Promise<void> {
  // `kafka-storage.sh format --standalone`: a one-voter dynamic quorum made of this node.
  const tool = spawnJvm(classpath, paths, 'kafka.tools.StorageTool', [
    'format',
    '--standalone',
    '--cluster-id',
    layout.clusterId,
    '--config',
    paths.propertiesFile,
  ]);
  const failedToSpawn = new Promise<never>((_, reject) => tool.once('error', reject));
  const code = await Promise.race([exitOf(tool), failedToSpawn]);
  if (code !== 0) {
    throw new Error(`Formatting the Kafka storage failed (exit ${code}). Tail of the broker's log:\n${await logTail(paths.logFile)}`);
  }
}

async function answersMetadata(bootstrap: string): Promise<boolean> {
  const admin = new Admin({
    clientId: 'td448-broker-readiness',
    bootstrapBrokers: [bootstrap],
    connectTimeout: 1_000,
    requestTimeout: 2_000,
    retries: 0,
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => {});
  }
}

class BindError extends Error {}

/** Spawns the broker and waits until it answers; rejects (after killing the JVM) if it does not. */
async function launch(
  classpath: string,
  paths: Paths,
  layout: Layout,
  startTimeoutMs: number,
): Promise<{ jvm: ChildProcess; exited: Promise<number | null> }> {
  const logStart = fileSize(paths.logFile);
  const jvm = spawnJvm(classpath, paths, 'kafka.Kafka', [paths.propertiesFile]);
  const spawnFailure = new Promise<never>((_, reject) => jvm.once('error', reject));
  spawnFailure.catch(() => {});
  liveJvms.add(jvm);
  const exited = exitOf(jvm);
  void exited.then(() => liveJvms.delete(jvm));
  jvm.unref(); // a forgotten broker must not keep Node alive; the exit hook ends it

  const bootstrap = `${host}:${layout.brokerPort}`;
  const deadline = Date.now() + startTimeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  try {
    for (;;) {
      await Promise.race([spawnFailure, sleep(250)]);
      if (exitCode !== undefined) {
        const tail = await logTail(paths.logFile);
        const cause = /BindException|Address already in use/.test(await logSince(paths.logFile, logStart))
          ? `could not bind port ${layout.brokerPort} or ${layout.controllerPort}`
          : `exit ${exitCode}`;
        const message = `The Kafka broker exited during start (${cause}). Tail of the broker's log:\n${tail}`;
        throw cause.startsWith('could not bind') ? new BindError(message) : new Error(message);
      }
      if (await answersMetadata(bootstrap)) return { jvm, exited };
      if (Date.now() > deadline) {
        throw new Error(
          `The Kafka broker did not answer on ${bootstrap} within ${startTimeoutMs / 1000} s. Tail of the broker's log:\n${await logTail(paths.logFile)}`,
        );
      }
    }
  } catch (error) {
    await terminate(jvm, exited);
    throw error;
  }
}

/** SIGTERM, then SIGKILL if the JVM has not exited after stopTimeoutMs. */
async function terminate(jvm: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (jvm.pid === undefined || jvm.exitCode !== null || jvm.signalCode !== null) return; // never ran, or gone
  jvm.kill('SIGTERM');
  const timer = setTimeout(() => jvm.kill('SIGKILL'), stopTimeoutMs); // also keeps Node alive meanwhile
  await exited;
  clearTimeout(timer);
}

async function loadLayout(layoutFile: string, metadataDir: string): Promise<Layout | undefined> {
  if (!existsSync(layoutFile) || !existsSync(join(metadataDir, 'meta.properties'))) return undefined;
  return savedLayoutSchema.parse(JSON.parse(await readFile(layoutFile, 'utf8')));
}

// ---- public API --------------------------------------------------------------------------------

export async function startKafkaBroker(options: StartKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  await ensureJava();
  const classpath = await ensureKafkaClasspath();
  installExitHook();

  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'td448-kafka-')));
  const logDir = options.logDir ?? dataDir;
  await mkdir(dataDir, { recursive: true });
  await mkdir(logDir, { recursive: true });
  const paths: Paths = {
    dataDir,
    metadataDir: join(dataDir, 'kraft-combined-logs'),
    logFile: join(logDir, 'broker.log'),
    propertiesFile: join(dataDir, 'server.properties'),
    log4jFile: join(dataDir, 'log4j2.properties'),
  };
  const layoutFile = join(dataDir, 'td448-broker.json');

  try {
    await writeFile(paths.log4jFile, log4j2Properties);
    const saved = await loadLayout(layoutFile, paths.metadataDir);
    let started: { jvm: ChildProcess; exited: Promise<number | null> } | undefined;
    let layout: Layout | undefined;
    if (saved) {
      // A restart on a formatted data dir: same ports, since the quorum's voter endpoint is stored.
      for (const port of [saved.brokerPort, saved.controllerPort]) {
        if (!(await isPortFree(port))) {
          throw new Error(`Cannot restart the Kafka broker in ${dataDir}: port ${port} it used before is taken`);
        }
      }
      layout = saved;
      await writeFile(paths.propertiesFile, serverProperties(layout, paths.metadataDir));
      started = await launch(classpath, paths, layout, options.startTimeoutMs ?? defaultStartTimeoutMs);
    } else {
      // Free ports are only free until someone binds them: retry with new ones on a bind failure.
      for (let attempt = 1; !started; attempt++) {
        const [brokerPort = 0, controllerPort = 0] = await pickFreePorts(2);
        layout = { brokerPort, controllerPort, clusterId: newClusterId() };
        await rm(paths.metadataDir, { recursive: true, force: true });
        await writeFile(paths.propertiesFile, serverProperties(layout, paths.metadataDir));
        await formatStorage(classpath, paths, layout);
        await writeFile(layoutFile, `${JSON.stringify(layout)}\n`);
        try {
          started = await launch(classpath, paths, layout, options.startTimeoutMs ?? defaultStartTimeoutMs);
        } catch (error) {
          if (!(error instanceof BindError) || attempt >= bindAttempts) throw error;
        }
      }
    }
    return brokerHandle(started, layout as Layout, paths, ownsDataDir);
  } catch (error) {
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

function brokerHandle(
  started: { jvm: ChildProcess; exited: Promise<number | null> },
  layout: Layout,
  paths: Paths,
  ownsDataDir: boolean,
): KafkaBroker {
  const { jvm, exited } = started;
  const pid = jvm.pid;
  if (pid === undefined) throw new Error('The Kafka broker JVM has no pid');
  const watchdog = startWatchdog(pid, ownsDataDir ? paths.dataDir : undefined);
  void exited.then(() => watchdog.kill('SIGKILL'));
  if (ownsDataDir) temporaryDataDirs.add(paths.dataDir);

  let stopping: Promise<void> | undefined;
  return {
    bootstrap: `${host}:${layout.brokerPort}`,
    pid,
    dataDir: paths.dataDir,
    logFile: paths.logFile,
    exited,
    stop() {
      stopping ??= (async () => {
        await terminate(jvm, exited);
        watchdog.kill('SIGKILL');
        if (ownsDataDir) {
          await rm(paths.dataDir, { recursive: true, force: true });
          temporaryDataDirs.delete(paths.dataDir);
        }
      })();
      return stopping;
    },
  };
}
