import { createHash } from 'node:crypto';
import type { Database } from './database.ts';

export interface StoredResponse {
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Responses remembered per (client, Idempotency-Key), so a client's retry replays instead of repeating. */
export class IdempotencyStore {
  readonly #select;
  readonly #insert;

  constructor(database: Database) {
    const db = database.sqlite;
    this.#select = db.prepare('SELECT fingerprint, status, headers, body FROM idempotency WHERE client_id = ? AND key = ?');
    this.#insert = db.prepare(
      'INSERT INTO idempotency (client_id, key, fingerprint, status, headers, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  static fingerprint(parts: readonly unknown[]) {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  }

  find(clientId: string, key: string): StoredResponse | undefined {
    const row = this.#select.get(clientId, key) as { fingerprint: string; status: number; headers: string; body: string } | undefined;
    return row && { fingerprint: row.fingerprint, status: row.status, headers: JSON.parse(row.headers), body: row.body };
  }

  /** Call inside the operation's transaction: a rolled-back operation leaves no remembered response. */
  remember(clientId: string, key: string, response: StoredResponse) {
    this.#insert.run(
      clientId,
      key,
      response.fingerprint,
      response.status,
      JSON.stringify(response.headers),
      response.body,
      new Date().toISOString(),
    );
  }
}
