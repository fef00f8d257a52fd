import { DatabaseSync } from 'node:sqlite';
import type { Database } from './database.ts';

const countPendingSql = 'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL';

/**
 * Pending outbox messages of a database another process writes (the service's own process): read
 * through a read-only connection of its own, which WAL lets run beside the writer.
 */
export function pendingOutboxMessages(databaseFile: string): number {
  const db = new DatabaseSync(databaseFile, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    return Number((db.prepare(countPendingSql).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

export interface OutboxMessage {
  topic: string;
  key: string;
  value: unknown;
  headers: Record<string, string>;
}

/**
 * Where the relay sends messages: the Kafka producer in the stack. A sink with `committedSeq` is atomic (the
 * transactional sink, reference-implementation/kafka/transactional-sink.ts): each batch goes in one transaction
 * with its outbox position (`position`, the batch's highest seq), and the position last committed is read back at
 * start, so that a relay that died between the commit and marking the batch published does not send it again.
 */
export interface MessageSink {
  send(messages: readonly OutboxMessage[], position?: number): Promise<void>;
  committedSeq?(): Promise<number>;
}

interface OutboxRow {
  seq: number;
  topic: string;
  key: string;
  value: string;
  headers: string;
}

/**
 * Transactional outbox: events are written in the same SQLite transaction as the change they
 * announce, and a relay publishes them afterwards. A broker outage delays events and loses none.
 */
export class Outbox {
  readonly #enqueue;
  readonly #pending;
  readonly #markPublished;
  readonly #countPending;
  readonly #countAll;
  readonly #purgePublished;
  readonly #markUpTo;

  constructor(database: Database) {
    const db = database.sqlite;
    this.#enqueue = db.prepare('INSERT INTO outbox (topic, key, value, headers, created_at) VALUES (?, ?, ?, ?, ?)');
    this.#pending = db.prepare('SELECT seq, topic, key, value, headers FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT ?');
    this.#markPublished = db.prepare(
      'UPDATE outbox SET published_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND published_at IS NULL',
    );
    this.#countPending = db.prepare(countPendingSql);
    this.#countAll = db.prepare('SELECT COUNT(*) AS n FROM outbox');
    this.#purgePublished = db.prepare('DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ?');
    this.#markUpTo = db.prepare('UPDATE outbox SET published_at = ? WHERE seq <= ? AND published_at IS NULL');
  }

  /** Call inside the transaction of the change the message announces. */
  enqueue(message: OutboxMessage) {
    this.#enqueue.run(message.topic, message.key, JSON.stringify(message.value), JSON.stringify(message.headers), new Date().toISOString());
  }

  pending(limit: number): { seq: number; message: OutboxMessage }[] {
    return (this.#pending.all(limit) as unknown as OutboxRow[]).map((row) => ({
      seq: row.seq,
      message: { topic: row.topic, key: row.key, value: JSON.parse(row.value), headers: JSON.parse(row.headers) },
    }));
  }

  /** Marks every message up to `seq` published: those the broker has by the relay's committed position. */
  markPublishedUpTo(seq: number): number {
    return Number(this.#markUpTo.run(new Date().toISOString(), seq).changes);
  }

  markPublished(seqs: readonly number[]) {
    if (seqs.length > 0) this.#markPublished.run(new Date().toISOString(), JSON.stringify(seqs));
  }

  pendingCount(): number {
    return Number((this.#countPending.get() as { n: number }).n);
  }

  /** Every message still in the table, published or not. */
  size(): number {
    return Number((this.#countAll.get() as { n: number }).n);
  }

  /** Forgets messages the broker acknowledged before `before`; a pending message is never removed. */
  purgePublished(before: Date): number {
    return Number(this.#purgePublished.run(before.toISOString()).changes);
  }
}

export interface RelayOptions {
  batchSize?: number;
  idleMs?: number;
  maxBackoffMs?: number;
  /** How long a published message stays in the table (the broker has it): a soak run must not fill the disk. */
  retentionMs?: number;
  purgeEveryMs?: number;
  onError?: (error: unknown) => void;
  /**
   * Planted defect relay-drops-on-failure (defects.ts): at-most-once, a message the broker refused, or did not
   * acknowledge within `giveUpAfterMs`, is dropped. Off in normal use.
   */
  dropOnFailure?: boolean;
  /** Under dropOnFailure, how long a send may wait for the broker's acknowledgement before it is given up (ms). */
  giveUpAfterMs?: number;
}

/** Rejects when `sending` has not settled within `ms`; it goes on in the background, its outcome ignored. */
function giveUpAfter<T>(sending: Promise<T>, ms: number): Promise<T> {
  sending.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement from the broker within ${ms} ms: given up`)), ms);
  });
  return Promise.race([sending, late]).finally(() => clearTimeout(timer));
}

/**
 * Publishes the outbox in order per key; on failure it backs off and tries again, never skipping a message.
 * Each message is marked published once the broker acknowledged it, so a batch that fails half-way
 * is not sent again in full (no duplicates of the half that went through); the messages of one key
 * go one after the other, and a failure stops that key's sequence, so the order per key holds.
 */
export class OutboxRelay {
  readonly #outbox: Outbox;
  readonly #sink: MessageSink;
  readonly #options: Required<RelayOptions>;
  #running = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #failures = 0;
  #lastPurge = Date.now();

  constructor(outbox: Outbox, sink: MessageSink, options: RelayOptions = {}) {
    this.#outbox = outbox;
    this.#sink = sink;
    this.#options = {
      batchSize: 200,
      idleMs: 200,
      maxBackoffMs: 2000,
      retentionMs: 10 * 60_000,
      purgeEveryMs: 60_000,
      onError: () => {},
      dropOnFailure: false,
      giveUpAfterMs: 1000,
      ...options,
    };
  }

  start() {
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Called after a commit that enqueued something, so events leave at once rather than at the next poll. */
  notify() {
    this.#wake?.();
  }

  get consecutiveFailures() {
    return this.#failures;
  }

  async stop() {
    this.#running = false;
    this.notify();
    await this.#loop;
  }

  #purgeNowAndThen() {
    const now = Date.now();
    if (now - this.#lastPurge < this.#options.purgeEveryMs) return;
    this.#lastPurge = now;
    this.#outbox.purgePublished(new Date(now - this.#options.retentionMs));
  }

  /** An atomic sink's committed position, read once at start (retried until the broker answers): what it already has is not sent again. */
  async #recover(committedSeq: () => Promise<number>) {
    while (this.#running) {
      try {
        this.#outbox.markPublishedUpTo(await committedSeq());
        this.#failures = 0;
        return;
      } catch (error) {
        this.#failures++;
        this.#options.onError(error);
        await this.#sleep(Math.min(this.#options.maxBackoffMs, 100 * 2 ** Math.min(this.#failures, 5)));
      }
    }
  }

  /**
   * The sink's send, as the relay waits for it: to the end (a transactional send that meets a broker gone blocks
   * in the client's retries until it is back, then commits: nothing lost); under the planted relay-drops-on-failure,
   * for `giveUpAfterMs` only, as an at-most-once relay does: whatever the broker does not acknowledge in time fails,
   * so that the defect loses events whichever way the client meets the outage (refused at once, or held).
   */
  #deliver(sending: Promise<void>): Promise<void> {
    return this.#options.dropOnFailure ? giveUpAfter(sending, this.#options.giveUpAfterMs) : sending;
  }

  /** One batch in one transaction with its position: all of it published, or none (retried after a backoff). */
  async #sendAtomically(batch: { seq: number; message: OutboxMessage }[]): Promise<boolean> {
    try {
      await this.#deliver(
        this.#sink.send(
          batch.map((item) => item.message),
          Math.max(...batch.map((item) => item.seq)),
        ),
      );
      this.#outbox.markPublished(batch.map((item) => item.seq));
      this.#failures = 0;
      return true;
    } catch (error) {
      // Planted defect relay-drops-on-failure: what the broker refused is counted as published all the same.
      if (this.#options.dropOnFailure) this.#outbox.markPublished(batch.map((item) => item.seq));
      this.#failures++;
      this.#options.onError(error);
      await this.#sleep(Math.min(this.#options.maxBackoffMs, 100 * 2 ** Math.min(this.#failures, 5)));
      return false;
    }
  }

  async #run() {
    const committedSeq = this.#sink.committedSeq?.bind(this.#sink);
    if (committedSeq) await this.#recover(committedSeq);
    while (this.#running) {
      this.#purgeNowAndThen();
      const batch = this.#outbox.pending(this.#options.batchSize);
      if (batch.length > 0 && committedSeq) {
        await this.#sendAtomically(batch);
        continue;
      }
      if (batch.length > 0) {
        const byKey = new Map<string, { seq: number; message: OutboxMessage }[]>();
        for (const item of batch) {
          const key = `${item.message.topic}\u0000${item.message.key}`;
          const items = byKey.get(key);
          if (items) items.push(item);
          else byKey.set(key, [item]);
        }
        const published: number[] = [];
        let failed = false;
        let firstError: unknown;
        await Promise.all(
          [...byKey.values()].map(async (items) => {
            for (const item of items) {
              try {
                await this.#deliver(this.#sink.send([item.message]));
                published.push(item.seq);
              } catch (error) {
                if (!failed) firstError = error;
                failed = true;
                return;
              }
            }
          }),
        );
        // Planted defect relay-drops-on-failure: what the broker refused is counted as published all the same.
        this.#outbox.markPublished(this.#options.dropOnFailure ? batch.map((item) => item.seq) : published);
        if (!failed) {
          this.#failures = 0;
          continue;
        }
        this.#failures++;
        this.#options.onError(firstError);
        await this.#sleep(Math.min(this.#options.maxBackoffMs, 100 * 2 ** Math.min(this.#failures, 5)));
        continue;
      }
      await this.#sleep(this.#options.idleMs);
    }
  }

  #sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
