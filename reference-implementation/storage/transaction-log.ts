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
 */
export class TransactionLog {
  readonly #insert;
  readonly #byRequest;
  readonly #recent;
  readonly #file: string;
  readonly #outbox: Outbox;

  readonly #onWrite: () => void;

  /** `onWrite` runs after each entry is queued for the audit topic (the stack wakes the outbox relay). */
  constructor(database: Database, outbox: Outbox, file: string, onWrite: () => void = () => {}) {
    this.#onWrite = onWrite;
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
    const valid = TransactionLogEntrySchema.parse(entry);
    const line = JSON.stringify(valid);
    this.#insert.run(valid.requestId, valid.clientId, valid.time, line);
    this.#outbox.enqueue({ topic: topics.audit, key: valid.requestId, value: valid, headers: { 'content-type': 'application/json' } });
    appendFileSync(this.#file, `${line}\n`);
    this.#onWrite();
  }

  query({ requestId, clientId, since, limit = 100 }: LogQuery): TransactionLogEntry[] {
    const rows = requestId ? this.#byRequest.all(requestId) : this.#recent.all(clientId ?? null, since ?? null, Math.min(limit, 1000));
    return (rows as { entry: string }[]).map((row) => JSON.parse(row.entry));
  }
}
