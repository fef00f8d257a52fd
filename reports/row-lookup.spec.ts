import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import type { CheckRecord } from './row-coverage.ts';
import { describeRow, findRow, RowLookupError, readMatrix } from './row-lookup.ts';
import { checkRecord } from './sample-run.ts';
import { type TraceabilityMatrix, traceRows } from './traceability.ts';

const catalog = loadCatalog();
const [first, second] = catalog.rows;
if (!first || !second) throw new Error('the catalog has fewer than two rows');

const check = (row: number, name: string, outcome: CheckRecord['outcome'], reason?: string) =>
  checkRecord(row, name, outcome, reason ? { reason } : {});
const matrix: TraceabilityMatrix = {
  catalog: { path: 'td448.md', rows: 2 },
  rows: traceRows(
    { ...catalog, rows: [first, second] },
    [
      ...['auth', 'transaction-log', first.resultKey, first.noteKey].map((name) => check(first.number, name, 'passed')),
      check(second.number, 'auth', 'failed', 'Error: expected 403, received 200'),
      check(second.number, 'transaction-log', 'passed'),
    ],
    [],
  ),
};

test.describe('npm run row: one row of the last run at a glance', () => {
  test('prints the row, its status, each check with its outcome, and why a check failed', () => {
    const text = describeRow(findRow(matrix, String(second.number)));
    expect(text.split('\n')[0]).toBe(
      `row ${second.number} · ${second.method} ${second.endpoint} · ${second.action} · ${second.result} · ${second.note}`,
    );
    expect(text).toContain(`status: failed (2 checks: 1 passed, 1 failed, 0 not run; missing: ${second.resultKey}, ${second.noteKey})`);
    expect(text).toMatch(/FAILED\s+functional auth\s+TD448 row \d+ · auth\n\s+Error: expected 403, received 200/);
    expect(describeRow(findRow(matrix, String(first.number)))).toContain('status: passed (4 checks: 4 passed, 0 failed, 0 not run)');
  });

  test('refuses what is not a catalog row, and says where the matrix comes from when there is none', () => {
    expect(() => findRow(matrix, 'abc')).toThrow(new RowLookupError('"abc" is not a row number (the catalog has rows 1–2)'));
    expect(() => findRow(matrix, '999')).toThrow(/row 999 is not in the catalog \(rows 1–2\)/);
    const dir = mkdtempSync(join(tmpdir(), 'td448-row-'));
    try {
      expect(() => readMatrix(join(dir, 'traceability.json'))).toThrow(/run npm start .* first/);
      writeFileSync(join(dir, 'traceability.json'), JSON.stringify(matrix));
      expect(readMatrix(join(dir, 'traceability.json')).rows).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
