import { spawn } from 'node:child_process';

/**
 * Runs a command asynchronously and resolves with its exit code (127 when it could not start, 128 when a
 * signal ended it). Asynchronous on purpose: the scripts that call it may serve the embedded stack from
 * their own event loop while the command runs (spawnSync starved it).
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stdout?: 'inherit' | 'ignore' } = {},
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', options.stdout ?? 'inherit', 'inherit'],
      env: { ...process.env, ...options.env },
    });
    child.on('error', (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
