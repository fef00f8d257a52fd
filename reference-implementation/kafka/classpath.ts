// Resolves the Kafka broker's jars with Maven (from pom.xml beside this file) and checks Java.
// The jars stay in Maven's local repository; only the computed classpath is cached in .cache/kafka.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const kafkaDir = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(kafkaDir, '../..');
export const pomFile = join(kafkaDir, 'pom.xml');
export const classpathFile = join(projectRoot, '.cache', 'kafka', 'classpath.txt');

const minimumJavaMajor = 17;
const mavenTimeoutMs = 10 * 60_000;

export function javaExecutable(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome ? join(javaHome, 'bin', 'java') : 'java';
}

type RunResult = { stdout: string; stderr: string };

function run(file: string, args: string[], options: { cwd?: string; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { cwd: options.cwd, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolvePromise({ stdout, stderr });
    });
  });
}

function isMissingExecutable(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

let javaChecked: Promise<void> | undefined;

/** Fails with an installable hint unless `java -version` reports 17 or newer. */
export function ensureJava(): Promise<void> {
  javaChecked ??= checkJava().catch((error: unknown) => {
    javaChecked = undefined;
    throw error;
  });
  return javaChecked;
}

async function checkJava(): Promise<void> {
  const hint = `Java ${minimumJavaMajor}+ is needed for the embedded Kafka broker: install openjdk-17-jre-headless (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME`;
  let output: RunResult;
  try {
    output = await run(javaExecutable(), ['-version'], { timeoutMs: 30_000 });
  } catch (error) {
    if (isMissingExecutable(error)) throw new Error(`${hint} (no '${javaExecutable()}' found)`);
    throw new Error(`${hint} ('${javaExecutable()} -version' failed: ${(error as Error).message})`);
  }
  // `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_392") on stderr.
  const match = /version "(?:1\.)?(\d+)/.exec(output.stderr + output.stdout);
  const major = match?.[1] ? Number(match[1]) : Number.NaN;
  if (!(major >= minimumJavaMajor)) {
    throw new Error(`${hint} (found: ${(output.stderr.split('\n')[0] ?? '').trim() || 'unknown version'})`);
  }
}

async function isUpToDate(): Promise<boolean> {
  if (!existsSync(classpathFile)) return false;
  const [cached, pom] = await Promise.all([stat(classpathFile), stat(pomFile)]);
  if (cached.mtimeMs < pom.mtimeMs) return false;
  // The jars live in ~/.m2, which may have been wiped while .cache survived.
  const entries = await readClasspathEntries();
  return entries.length > 0 && entries.every((jar) => existsSync(jar));
}

async function readClasspathEntries(): Promise<string[]> {
  const text = await readFile(classpathFile, 'utf8');
  return text
    .trim()
    .split(':')
    .filter((entry) => entry.length > 0);
}

async function resolveWithMaven(): Promise<void> {
  await mkdir(dirname(classpathFile), { recursive: true });
  // Write beside the target and rename, so a concurrent reader never sees half a file.
  const partialFile = `${classpathFile}.${process.pid}.partial`;
  const args = ['-B', '-q', '-Dstyle.color=never', '-f', pomFile, 'dependency:build-classpath', `-Dmdep.outputFile=${partialFile}`];
  try {
    await run('mvn', args, { cwd: kafkaDir, timeoutMs: mavenTimeoutMs });
  } catch (error) {
    if (isMissingExecutable(error)) {
      throw new Error(
        'Maven is needed to fetch the embedded Kafka broker’s jars: install it (apt-get install -y maven) and make sure Maven Central is reachable',
      );
    }
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`Resolving the Kafka broker’s jars with Maven failed (mvn ${args.join(' ')}):\n${tail}`);
  }
  await rename(partialFile, classpathFile);
}

let resolving: Promise<string> | undefined;

/** Returns the broker's Java classpath, running Maven first when the cache is missing or older than pom.xml. */
export function ensureKafkaClasspath(): Promise<string> {
  resolving ??= (async () => {
    if (!(await isUpToDate())) await resolveWithMaven();
    return (await readClasspathEntries()).join(':');
  })().finally(() => {
    resolving = undefined;
  });
  return resolving;
}
