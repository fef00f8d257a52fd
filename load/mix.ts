import type { Catalog, Operation, Row } from '../fixtures/catalog/model.ts';
import { plainestOperation } from '../fixtures/catalog/plainest.ts';

/** One operation of a campaign's mix, weighted by the catalog rows that put it there. */
export interface MixEntry {
  operationId: string;
  weight: number;
  rows: number[];
}

/**
 * The operation mix of the rows `rows` selects: each operation weighs as many rows as it
 * has among them, so the traffic follows the catalog's own emphasis.
 */
export function operationMix(catalog: Catalog, selects: (row: Row) => boolean = () => true): MixEntry[] {
  return catalog.operations
    .map((operation) => {
      const rows = operation.rows.filter((number) => selects(rowOf(catalog, number)));
      return { operationId: operation.id, weight: rows.length, rows };
    })
    .filter((entry) => entry.weight > 0);
}

/** The whole catalog: every operation weighs all its rows. */
export const catalogMix = (catalog: Catalog) => operationMix(catalog);

/** The rows that carry "Giới hạn rate-limit 1000 req/min", and only their operations. */
export const rateLimitMix = (catalog: Catalog) => operationMix(catalog, (row) => row.noteKey === 'rate-limit');

/**
 * The catalog mix without the operations that carry the rate limit: what a stress ramp sends, so
 * that however high it climbs, the limiter never answers in the target's place.
 */
export function unlimitedMix(catalog: Catalog): MixEntry[] {
  const limited = new Set(
    catalog.operations.filter((operation) => operation.notes.includes('rate-limit')).map((operation) => operation.id),
  );
  return catalogMix(catalog).filter((entry) => !limited.has(entry.operationId));
}

/** Rows that promise "Thành công <1s", and the operations they belong to. */
export function promisedLatency(catalog: Catalog): { rows: number[]; operationIds: string[] } {
  const rows = catalog.rows.filter((row) => row.resultKey === 'latency').map((row) => row.number);
  const operationIds = catalog.operations.filter((operation) => operation.results.includes('latency')).map((operation) => operation.id);
  return { rows, operationIds };
}

/**
 * The operation that arranges a record on an endpoint: its plainest create, outside the rate
 * limit (so arranging never spends a client's budget) and POST when there is one.
 */
export function arrangeOperation(catalog: Catalog, endpoint: string): Operation {
  const pick = plainestOperation(catalog, endpoint, 'create');
  if (pick.notes.includes('rate-limit'))
    throw new Error(`the catalog declares no create operation outside the rate limit on ${endpoint}: nothing can arrange a record there`);
  return pick;
}

/** Share of a mix's weight on operations that carry the rate limit: what a client spends of its budget per request. */
export function limitedShare(catalog: Catalog, mix: readonly MixEntry[]): number {
  const limited = new Set(
    catalog.operations.filter((operation) => operation.notes.includes('rate-limit')).map((operation) => operation.id),
  );
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const spent = mix.filter((entry) => limited.has(entry.operationId)).reduce((sum, entry) => sum + entry.weight, 0);
  return total === 0 ? 0 : spent / total;
}

function rowOf(catalog: Catalog, number: number): Row {
  const row = catalog.rows[number - 1];
  if (!row || row.number !== number) throw new Error(`row ${number} is not at its place in the catalog`);
  return row;
}
