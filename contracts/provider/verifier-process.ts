/**
 * The provider verifier in a process of its own. Pact's native verifier prints every interaction's
 * result straight to file descriptor 1, which no test runner can capture: run here, its report goes
 * to a log file, and the test that asked gets the parsed verdicts over IPC.
 */
import { fork } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { type TargetDescription, TargetDescription as TargetDescriptionSchema } from '../../fixtures/schemas/target.ts';
import { createdRecordsVariable } from '../../fixtures/target/created-records.ts';
import { type VerificationOutcome, VerificationOutcome as VerificationOutcomeSchema } from './verification-outcome.ts';
import { type ProviderVerifier, providerVerifier, type VerificationRequest } from './verify-provider.ts';

/** The first message names the target (over IPC: no secret in a file or the environment); each next one asks for a verification. */
type Init = { target: TargetDescription };
type Ask = { id: number; request: VerificationRequest };
type Answer = { id: number; outcome?: VerificationOutcome; error?: string };

/** The parent's handle on a verifier process. */
export class VerifierProcess {
  readonly logFile: string;
  readonly #child: ReturnType<typeof fork>;
  readonly #pending = new Map<number, { resolve: (outcome: VerificationOutcome) => void; reject: (error: Error) => void }>();
  #next = 0;

  private constructor(target: TargetDescription, logFile: string, ledger?: string) {
    this.logFile = logFile;
    mkdirSync(dirname(logFile), { recursive: true });
    const log = openSync(logFile, 'a');
    this.#child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: [],
      env: { ...process.env, PACT_DO_NOT_TRACK: 'true', ...(ledger ? { [createdRecordsVariable]: ledger } : {}) },
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    this.#child.send({ target } satisfies Init);
    this.#child.on('message', (answer: Answer) => {
      const waiting = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (answer.outcome) waiting?.resolve(VerificationOutcomeSchema.parse(answer.outcome));
      else waiting?.reject(new Error(answer.error ?? 'the verifier process answered nothing'));
    });
    this.#child.on('exit', (code, signal) => {
      for (const waiting of this.#pending.values())
        waiting.reject(new Error(`the verifier process exited (${signal ?? code}); see ${logFile}`));
      this.#pending.clear();
    });
  }

  /**
   * Starts a verifier for `target`; its native output goes to `logFile`. The records the verification creates
   * are noted in the run's ledger (TD448_CREATED_RECORDS), or in the ledger directory `ledger` when given.
   */
  static start(target: TargetDescription, logFile: string, options: { ledger?: string } = {}) {
    return new VerifierProcess(target, logFile, options.ledger);
  }

  verify(request: VerificationRequest): Promise<VerificationOutcome> {
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, request } satisfies Ask);
    });
  }

  async close() {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.disconnect();
    await exited;
  }
}

function serve() {
  let verifier: ProviderVerifier | undefined;
  let queue = Promise.resolve();
  process.on('message', (message: Init | Ask) => {
    if ('target' in message) {
      verifier = providerVerifier(TargetDescriptionSchema.parse(message.target), loadCatalog());
      return;
    }
    queue = queue.then(async () => {
      try {
        if (!verifier) throw new Error('the verifier process was asked to verify before it was told the target');
        process.send?.({ id: message.id, outcome: await verifier.verify(message.request) } satisfies Answer);
      } catch (error) {
        process.send?.({ id: message.id, error: (error as Error).stack ?? String(error) } satisfies Answer);
      }
    });
  });
  process.on('disconnect', async () => {
    await queue;
    await verifier?.close();
    process.exit(0);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
