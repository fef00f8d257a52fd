import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Runs a command asynchronously and resolves with its exit code (127 when it could not start, 128 when a
 * signal ended it). Asynchronous on purpose: the scripts that call it may serve the embedded stack from
 * their own event loop while the command runs (spawnSync starved it).
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    /**
     * `relay`: through this process's own streams (so that a capture of them sees it), not the terminal itself;
     * `stderr`: onto this process's stderr, keeping its stdout for data (a script's --json).
     */
    stdout?: 'inherit' | 'ignore' | 'relay' | 'stderr';
  } = {},
): Promise<number> {
  return new Promise((resolve) => {
    const relay = options.stdout === 'relay';
    const toStderr = options.stdout === 'stderr';
    const stdout: 'pipe' | 'inherit' | 'ignore' =
      relay || toStderr ? 'pipe' : ((options.stdout as 'inherit' | 'ignore' | undefined) ?? 'inherit');
    const child: ChildProcess = spawn(command, args, {
      stdio: ['ignore', stdout, relay ? 'pipe' : 'inherit'],
      env: { ...process.env, ...options.env },
    });
    child.stdout?.on('data', (chunk: Buffer) => (toStderr ? process.stderr : process.stdout).write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('error', (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
