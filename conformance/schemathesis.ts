// Installs Schemathesis (the field's reference for property-based API testing, MIT, from PyPI) into a project-local
// virtual environment, pinned by conformance/requirements.lock (pip freeze of schemathesis and every dependency),
// the way reference-implementation/kafka/classpath.ts resolves the Kafka jars: nothing installed by hand, nothing in
// the machine's own Python. `node conformance/schemathesis.ts resolve` is CI's install step.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..');
/** The pinned requirements: every package with its exact version. */
export const lockFile = join(here, 'requirements.lock');
/** The virtual environment: .cache/schemathesis/venv (kept between runs, rebuilt when the lock file changes). */
export const venvDir = join(projectRoot, '.cache', 'schemathesis', 'venv');
const stampFile = join(projectRoot, '.cache', 'schemathesis', 'lock.sha256');
/** The `st` command line of the environment. */
export const schemathesisExecutable = join(venvDir, 'bin', 'st');

const minimumPython = [3, 9] as const;
const installTimeoutMs = 10 * 60_000;

function run(file: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolvePromise({ stdout, stderr });
    });
  });
}

const lockHash = () => createHash('sha256').update(readFileSync(lockFile)).digest('hex');

/** The Python the environment is made with: $TD448_PYTHON, else python3; fails with an installable hint. */
async function python(): Promise<string> {
  const executable = process.env.TD448_PYTHON ?? 'python3';
  const hint = `Python ${minimumPython.join('.')}+ with venv is needed for Schemathesis (apt-get install -y python3 python3-venv), or set TD448_PYTHON`;
  let version: string;
  try {
    version = (await run(executable, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], 30_000)).stdout.trim();
  } catch (error) {
    throw new Error(`${hint} ('${executable}' did not run: ${(error as Error).message.split('\n')[0]})`);
  }
  const [major, minor] = version.split('.').map(Number);
  if (!(major === minimumPython[0] && (minor ?? 0) >= minimumPython[1])) throw new Error(`${hint} (found ${version})`);
  return executable;
}

/**
 * The path of `st`, installing the pinned environment first when it is missing or older than the lock file.
 * Errors: no suitable Python (with the command that installs one), or pip's own message when PyPI refuses.
 */
export async function ensureSchemathesis(): Promise<string> {
  if (existsSync(schemathesisExecutable) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === lockHash())
    return schemathesisExecutable;
  const interpreter = await python();
  await run(interpreter, ['-m', 'venv', '--clear', venvDir], 120_000);
  const pip = join(venvDir, 'bin', 'pip');
  try {
    await run(pip, ['install', '--quiet', '--disable-pip-version-check', '--no-deps', '-r', lockFile], installTimeoutMs);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`pip could not install ${lockFile} into ${venvDir}:\n${stderr.trim() || (error as Error).message}`);
  }
  const version = (await run(schemathesisExecutable, ['--version'], 60_000)).stdout.trim();
  writeFileSync(stampFile, lockHash());
  console.log(`SCHEMATHESIS READY ${JSON.stringify({ version, venvDir })}`);
  return schemathesisExecutable;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2] ?? 'resolve';
  try {
    if (command !== 'resolve') throw new Error(`unknown command '${command}' (use: resolve)`);
    console.log(await ensureSchemathesis());
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
