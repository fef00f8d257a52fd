import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderLogEntry } from '../../fixtures/profile/log-entries.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { type TransactionLogEntry, TransactionLogEntry as TransactionLogEntrySchema } from '../../fixtures/schemas/transaction-log.ts';
import type { Database } from './database.ts';
import type { Outbox } from './outbox.ts';

/** What the transaction-log query endpoint may select by: one request's entries, or a client's since a time. */
export interface LogQuery {
  requestId?: string;
  clientId?: string;
  since?: string;
  limit?: number;
}

/** Where the log goes besides its table: the audit topic, and the shape of an entry there and on disk. */
export interface TransactionLogOptions {
  /** The Kafka topic of the audit copy. */
  auditTopic: string;
  /** The profile's log convention: field names, outcome words, duration unit of an entry as the deployment writes it. */
  convention: TargetProfile['transactionLog'];
  /** Runs after each batch of entries is queued for the audit topic (the stack wakes the outbox relay). */
  onWrite?: () => void;
}

/**
 * The transaction log: one structured entry per request, kept three ways: JSON lines on disk
 * (for humans and shippers), a table (for the query endpoint), and the audit topic (via the outbox).
 * The table keeps the canonical entry (fixtures/schemas/transaction-log.ts); the file and the audit
 * topic carry it as the profile writes it (renderLogEntry), and so does the query endpoint.
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
  readonly #auditTopic: string;
  readonly #convention: TargetProfile['transactionLog'];
  /** The convention writes entries as they are (the reference profile's): rendering is skipped, it costs per request. */
  readonly #canonical: boolean;
  #queued: TransactionLogEntry[] = [];
  #flushScheduled = false;

  readonly #onWrite: () => void;

  constructor(database: Database, outbox: Outbox, file: string, options: TransactionLogOptions) {
    this.#onWrite = options.onWrite ?? (() => {});
    this.#auditTopic = options.auditTopic;
    this.#convention = options.convention;
    const { fields, outcomes, durationUnit } = options.convention;
    this.#canonical = Object.keys(fields).length === 0 && Object.keys(outcomes).length === 0 && durationUnit === 'ms';
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

  /** The JSON-lines file. */
  get file() {
    return this.#file;
  }

  /** An entry as the profile writes it (field names, outcome words, duration unit). */
  render(entry: TransactionLogEntry): Record<string, unknown> {
    return this.#canonical ? entry : renderLogEntry(this.#convention, entry);
  }

  /** Queues one canonical entry; it is written at the end of the event loop's turn. */
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
    const rendered = entries.map((entry) => this.render(entry));
    const lines = entries.map((entry) => JSON.stringify(entry));
    const renderedLines = this.#canonical ? lines : rendered.map((entry) => JSON.stringify(entry));
    this.#database.transaction(() => {
      entries.forEach((entry, index) => {
        this.#insert.run(entry.requestId, entry.clientId, entry.time, lines[index] as string);
        this.#outbox.enqueue({
          topic: this.#auditTopic,
          key: entry.requestId,
          value: rendered[index],
          headers: { 'content-type': 'application/json' },
        });
      });
    });
    appendFileSync(this.#file, `${renderedLines.join('\n')}\n`);
    this.#onWrite();
  }

  /** Canonical entries: one request's, or the newest (a client's, since a time), at most `limit` (1000). */
  query({ requestId, clientId, since, limit = 100 }: LogQuery): TransactionLogEntry[] {
    this.flush();
    const rows = requestId ? this.#byRequest.all(requestId) : this.#recent.all(clientId ?? null, since ?? null, Math.min(limit, 1000));
    return (rows as { entry: string }[]).map((row) => JSON.parse(row.entry));
  }
}
