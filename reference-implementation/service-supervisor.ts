import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { databaseFile, type Service, type ServiceConfig, serviceReadyPrefix } from './service.ts';
import { pendingOutboxMessages } from './storage/outbox.ts';

const entry = join(import.meta.dirname, 'service-process.ts');

/** The supervised service: a Service, the file its current pid is in, and how often it was restarted. */
export interface SupervisedService extends Service {
  /** Holds the pid of the service's current process: `kill -KILL $(cat <pidFile>)` crashes it. */
  pidFile: string;
  restarts(): number;
}

/**
 * Runs the service in a process of its own and restarts it whenever it dies without being asked to
 * (restart policy "always", as a container runtime or Kubernetes would): on the same data dir, so on the
 * same SQLite database and outbox, and on the same port, so the target's URLs stay true. The config is
 * written to `<dataDir>/service.json` and read by the process at every start. Throws when the first
 * start fails (with the process's error output); a failed restart is retried every second.
 */
export async function superviseService(
  config: ServiceConfig,
  options: { onOutput?: (line: string) => void } = {},
): Promise<SupervisedService> {
  const configFile = join(config.dataDir, 'service.json');
  const pidFile = join(config.dataDir, 'service.pid');
  const say = options.onOutput ?? ((line: string) => process.stderr.write(`${line}\n`));
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;

  const start = (port: number) =>
    new Promise<{ child: ChildProcess; url: string }>((ready, fail) => {
      writeFileSync(configFile, JSON.stringify({ ...config, port }));
      const process_ = spawn(process.execPath, [entry, configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      writeFileSync(pidFile, String(process_.pid));
      const errors: string[] = [];
      process_.stderr?.on('data', (chunk: Buffer) => {
        errors.push(chunk.toString());
        for (const line of chunk.toString().split('\n').filter(Boolean)) say(`service: ${line}`);
      });
      createInterface({ input: process_.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line.startsWith(serviceReadyPrefix)) ready({ child: process_, url: line.slice(serviceReadyPrefix.length) });
      });
      process_.once('exit', (code, signal) =>
        fail(new Error(`the service exited (${signal ?? code}) before it was ready:\n${errors.join('').slice(-3000)}`)),
      );
    });

  const first = await start(config.port);
  const port = Number(new URL(first.url).port);
  const watch = (running: ChildProcess) => {
    child = running;
    running.once('exit', (code, signal) => {
      if (stopping) return;
      say(`service: exited (${signal ?? code}); restarting on the same database and port ${port}`);
      const again = async (): Promise<void> => {
        try {
          const next = await start(port);
          restarts++;
          watch(next.child);
        } catch (error) {
          say(`service: restart failed (${(error as Error).message.split('\n')[0]}); again in 1 s`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          if (!stopping) return again();
        }
      };
      void again();
    });
  };
  watch(first.child);

  return {
    url: first.url,
    pidFile,
    transactionLogFile: join(config.dataDir, 'transaction-log.jsonl'),
    restarts: () => restarts,
    pendingEvents: () => pendingOutboxMessages(databaseFile(config.dataDir)),
    async stop() {
      stopping = true;
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
