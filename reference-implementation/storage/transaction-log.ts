import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { topics } from '../../fixtures/schemas/protocol.ts';
import { type TransactionLogEntry, TransactionLogEntry as TransactionLogEntrySchema } from '../../fixtures/schemas/transaction-log.ts';
import type { Database } from './database.ts';
import type { Outbox } from './outbox.ts';

export interface LogQuery {
  requestId?: string;
  clientId?: string;
  since?: string;
  limit?: number;
}

/**
 * The transaction log: one structured entry per request, kept three ways: JSON lines on disk
 * (for humans and shippers), a table (for the query endpoint), and the audit topic (via the outbox).
 * Entries are written in batches, once per turn of the event loop: one transaction and one append
 * for all the requests answered in that turn, instead of two commits and an append each (the
 * largest storage cost per request). A query writes what is queued first, so it misses nothing.
 */
export class TransactionLog {
  readonly #insert;
  readonly #byRequest;
  readonly #recent;
  readonly #file: string;
  readonly #outbox: Outbox;
  readonly #database: Database;
  #queued: TransactionLogEntry[] = [];
  #flushScheduled = false;

  readonly #onWrite: () => void;

  /** `onWrite` runs after each batch of entries is queued for the audit topic (the stack wakes the outbox relay). */
  constructor(database: Database, outbox: Outbox, file: string, onWrite: () => void = () => {}) {
    this.#onWrite = onWrite;
    this.#database = database;
    const db = database.sqlite;
    mkdirSync(dirname(file), { recursive: true });
    this.#file = file;
    this.#outbox = outbox;
    this.#insert = db.prepare('INSERT INTO transaction_log (request_id, client_id, time, entry) VALUES (?, ?, ?, ?)');
    this.#byRequest = db.prepare('SELECT entry FROM transaction_log WHERE request_id = ? ORDER BY seq');
    this.#recent = db.prepare(
      'SELECT entry FROM transaction_log WHERE (?1 IS NULL OR client_id = ?1) AND (?2 IS NULL OR time >= ?2) ORDER BY seq DESC LIMIT ?3',
    );
  }

  get file() {
    return this.#file;
  }

  write(entry: TransactionLogEntry) {
    this.#queued.push(TransactionLogEntrySchema.parse(entry));
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      try {
        this.flush();
      } catch (error) {
        console.error(`transaction log: ${this.#queued.length} entries could not be written: ${(error as Error).message}`);
      }
    });
  }

  /** Writes the queued entries now (the stack calls it before closing the database). */
  flush() {
    this.#flushScheduled = false;
    const entries = this.#queued;
    if (entries.length === 0 || !this.#database.sqlite.isOpen) return;
    this.#queued = [];
    const lines = entries.map((entry) => JSON.stringify(entry));
    this.#database.transaction(() => {
      entries.forEach((entry, index) => {
        this.#insert.run(entry.requestId, entry.clientId, entry.time, lines[index] as string);
        this.#outbox.enqueue({ topic: topics.audit, key: entry.requestId, value: entry, headers: { 'content-type': 'application/json' } });
      });
    });
    appendFileSync(this.#file, `${lines.join('\n')}\n`);
    this.#onWrite();
  }

  query({ requestId, clientId, since, limit = 100 }: LogQuery): TransactionLogEntry[] {
    this.flush();
    const rows = requestId ? this.#byRequest.all(requestId) : this.#recent.all(clientId ?? null, since ?? null, Math.min(limit, 1000));
    return (rows as { entry: string }[]).map((row) => JSON.parse(row.entry));
  }
}
