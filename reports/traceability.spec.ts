import { expect, test } from '@playwright/test';
import { lintCatalog } from '../fixtures/catalog/lint.ts';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import type { CheckRecord } from './row-coverage.ts';
import { checkRecord } from './sample-run.ts';
import { csvColumns, csvField, parseCsv, traceabilityCsv, traceRows } from './traceability.ts';

const catalog = loadCatalog();
const [first, second, third] = catalog.rows;
if (!first || !second || !third) throw new Error('the catalog has fewer than three rows');
const sample = { ...catalog, rows: [first, second, third] };

const check = checkRecord;
const allOf = (row: typeof first, outcome: CheckRecord['outcome'] = 'passed') =>
  ['auth', 'transaction-log', row.resultKey, row.noteKey].map((name) => check(row.number, name, outcome));

test.describe('traceability matrix', () => {
  test('gives every catalog row a status: failed over not run over passed, not covered when nothing checked it', () => {
    const rows = traceRows(
      sample,
      [
        ...allOf(first),
        ...allOf(second).map((c, i) => (i === 0 ? { ...c, outcome: 'failed' as const, reason: 'expected 401, got 200' } : c)),
        check(second.number, 'contract-provider', 'not-run', { project: 'contracts-provider', reason: 'no broker' }),
      ],
      [],
    );
    expect(rows.map((row) => [row.row, row.status])).toEqual([
      [first.number, 'passed'],
      [second.number, 'failed'],
      [third.number, 'not-covered'],
    ]);
    expect(rows[1]).toMatchObject({
      checks: { total: 5, passed: 3, failed: 1, notRun: 1 },
      failingChecks: ['auth'],
      notRunChecks: ['contract-provider'],
    });
    expect(rows[1]?.detail.find((c) => c.check === 'contract-provider')).toMatchObject({ suite: 'contract', reason: 'no broker' });
  });

  test('counts a missing required check as not run, and names it', () => {
    const [row] = traceRows({ ...sample, rows: [first] }, allOf(first).slice(1), []);
    expect(row).toMatchObject({ status: 'not-run', missingChecks: ['auth'] });
  });

  test('carries the catalog’s findings and the checks that confirm them', () => {
    const findings = lintCatalog(catalog).filter((finding) => finding.kind === 'unsafe-get');
    const contradicted = catalog.rows.find((row) => findings.some((finding) => finding.rows.includes(row.number)));
    if (!contradicted) throw new Error('the catalog has no unsafe GET');
    const [row] = traceRows(
      { ...catalog, rows: [contradicted] },
      allOf(contradicted).map((c) => (c.check === 'restful' ? { ...c, contradiction: true } : c)),
      findings,
    );
    expect(row?.contradictions[0]).toMatch(/^unsafe-get: /);
    expect(row?.detail.filter((c) => c.confirmsContradiction).map((c) => c.check)).toEqual(
      contradicted.noteKey === 'restful' ? ['restful'] : [],
    );
  });

  test('exports one CSV line per row with the agreed columns, quoted where the text needs it', () => {
    const rows = traceRows(
      sample,
      [...allOf(first), check(second.number, 'auth', 'failed')],
      [{ kind: 'verb-path', rows: [second.number], subject: second.endpoint, message: 'path says "update", a verb, not a resource' }],
    );
    const text = traceabilityCsv(rows);
    expect(text.startsWith('\uFEFF')).toBe(true);
    const records = parseCsv(text.slice(1));
    expect(records[0]).toEqual([...csvColumns]);
    expect(records).toHaveLength(1 + sample.rows.length);
    const byRow = new Map(records.slice(1).map((record) => [Number(record[0]), record]));
    const column = (name: (typeof csvColumns)[number]) => csvColumns.indexOf(name);
    expect(byRow.get(first.number)?.[column('status')]).toBe('passed');
    expect(byRow.get(first.number)?.[column('action')]).toBe(first.action);
    expect(byRow.get(second.number)?.[column('status')]).toBe('failed');
    expect(byRow.get(second.number)?.[column('failing checks')]).toBe('auth');
    expect(byRow.get(second.number)?.[column('contradiction findings')]).toBe('verb-path: path says "update", a verb, not a resource');
    expect(byRow.get(third.number)?.[column('status')]).toBe('not-covered');
  });

  test('quotes a field only when it holds a comma, a quote or a line break', () => {
    expect(csvField('Log đầy đủ')).toBe('Log đầy đủ');
    expect(csvField(214)).toBe('214');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });
});
