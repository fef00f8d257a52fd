import { randomUUID } from 'node:crypto';
import type { ResourceRecord } from '../../fixtures/schemas/resources.ts';
import type { Database } from './database.ts';

interface RecordRow {
  resource: string;
  id: string;
  status: string;
  data: string;
  config: string;
  revision: number;
  created_at: string;
  updated_at: string;
}

const toRecord = (row: RecordRow): ResourceRecord => ({
  id: row.id,
  resource: row.resource,
  status: row.status as ResourceRecord['status'],
  data: JSON.parse(row.data),
  config: JSON.parse(row.config),
  revision: row.revision,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The seven resources' records; statements are prepared once (cheap per request, and clean at close). */
export class RecordStore {
  readonly #insert;
  readonly #select;
  readonly #delete;
  readonly #list;
  readonly #count;
  readonly #updateConfig;

  constructor(database: Database) {
    const db = database.sqlite;
    this.#insert = db.prepare(
      'INSERT INTO records (resource, id, status, data, config, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)',
    );
    this.#select = db.prepare('SELECT * FROM records WHERE resource = ? AND id = ?');
    this.#delete = db.prepare('DELETE FROM records WHERE resource = ? AND id = ?');
    this.#list = db.prepare('SELECT * FROM records WHERE resource = ? ORDER BY created_at, id LIMIT ?');
    this.#count = db.prepare('SELECT COUNT(*) AS n FROM records WHERE resource = ?');
    this.#updateConfig = db.prepare('UPDATE records SET config = ?, revision = revision + 1, updated_at = ? WHERE resource = ? AND id = ?');
  }

  create(resource: string, data: Record<string, unknown>, id: string = randomUUID()): ResourceRecord {
    const now = new Date().toISOString();
    this.#insert.run(resource, id, 'active', JSON.stringify(data), '{}', now, now);
    return this.get(resource, id) as ResourceRecord;
  }

  get(resource: string, id: string): ResourceRecord | undefined {
    const row = this.#select.get(resource, id) as RecordRow | undefined;
    return row && toRecord(row);
  }

  delete(resource: string, id: string): boolean {
    return Number(this.#delete.run(resource, id).changes) > 0;
  }

  list(resource: string, limit = 1000): ResourceRecord[] {
    return (this.#list.all(resource, limit) as unknown as RecordRow[]).map(toRecord);
  }

  count(resource: string): number {
    return Number((this.#count.get(resource) as { n: number }).n);
  }

  updateConfig(resource: string, id: string, config: Record<string, unknown>): ResourceRecord | undefined {
    const current = this.get(resource, id);
    if (!current) return undefined;
    const merged = { ...current.config, ...config };
    // The same configuration again is no change: PUT stays idempotent, the revision does not move.
    if (JSON.stringify(merged) === JSON.stringify(current.config)) return current;
    this.#updateConfig.run(JSON.stringify(merged), new Date().toISOString(), resource, id);
    return this.get(resource, id);
  }
}
