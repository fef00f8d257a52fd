import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the WAL into the database file from a thread of its own, once a second. SQLite's
 * automatic checkpoint would otherwise run inside a commit on the event loop, fsyncs included:
 * a stall of 10 to 70 ms every few hundred requests, which every request in flight waits out.
 * PASSIVE never waits for a lock, so it cannot hold up the gateway's writes either.
 */
const checkpointerSource = `
const { DatabaseSync } = require('node:sqlite');
const { parentPort, workerData } = require('node:worker_threads');
(() => {
  let db;
  try {
    db = new DatabaseSync(workerData.path);
    db.exec('PRAGMA busy_timeout = 5000');
  } catch {
    // The database is gone already (a stack stopped right after it started): nothing to checkpoint.
    parentPort.close();
    return;
  }
  const timer = setInterval(() => {
    try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch {}
  }, workerData.intervalMs);
  parentPort.once('message', () => {
    clearInterval(timer);
    db.close();
    parentPort.close();
  });
})();
`;

const schema = `
CREATE TABLE IF NOT EXISTS records (
  resource TEXT NOT NULL,
  id TEXT NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL,
  config TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (resource, id)
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  headers TEXT NOT NULL,
  created_at TEXT NOT NULL,
  published_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE published_at IS NULL;
CREATE TABLE IF NOT EXISTS idempotency (
  client_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (client_id, key)
);
CREATE TABLE IF NOT EXISTS transaction_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL,
  client_id TEXT,
  time TEXT NOT NULL,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transaction_log_request ON transaction_log (request_id);
`;

/**
 * The reference implementation's database: SQLite in WAL mode through Node's built-in driver
 * (no native build). Every mutation runs inside `transaction`, so a failure after a write rolls it back.
 */
export class Database {
  readonly sqlite: DatabaseSync;
  readonly path: string;
  readonly #checkpointer: Worker | undefined;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.sqlite = new DatabaseSync(path);
    this.sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    this.sqlite.exec(schema);
    if (path !== ':memory:') {
      this.sqlite.exec('PRAGMA wal_autocheckpoint = 0');
      this.#checkpointer = new Worker(checkpointerSource, { eval: true, workerData: { path, intervalMs: 1000 } });
      this.#checkpointer.unref();
    }
  }

  /** Runs `work` in one transaction: commits if it returns, rolls back if it throws. */
  transaction<T>(work: () => T): T {
    this.sqlite.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.sqlite.exec('COMMIT');
      return result;
    } catch (error) {
      this.sqlite.exec('ROLLBACK');
      throw error;
    }
  }

  close() {
    this.#checkpointer?.postMessage('stop');
    if (this.sqlite.isOpen) this.sqlite.close();
  }
}
