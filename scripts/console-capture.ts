import { appendFileSync, writeFileSync } from 'node:fs';

/**
 * Keeps a copy of everything this process writes to stdout and stderr in `file` (what a CI log stores), when
 * stdout is not a terminal; a terminal keeps nothing, and none is made. Commands run with runCommand's
 * `stdout: 'relay'` are copied too. Returns whether the console is captured.
 */
export function captureConsole(file: string): boolean {
  if (process.stdout.isTTY) return false;
  writeFileSync(file, '');
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      appendFileSync(file, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array));
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
  return true;
}
