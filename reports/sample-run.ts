import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog, Row } from '../fixtures/catalog/model.ts';
import { type CheckRecord, requiredChecks, summarizeRows } from './row-coverage.ts';

/** One check record as the row-coverage reporter writes it, for tests of the report step. */
export const checkRecord = (row: number, name: string, outcome: CheckRecord['outcome'], extra: Partial<CheckRecord> = {}): CheckRecord => ({
  row,
  check: name,
  title: `TD448 row ${row} · ${name}`,
  project: 'functional',
  outcome,
  contradiction: false,
  durationMs: 10,
  ...extra,
});

/**
 * A small run written the way the suites write theirs (row-coverage.json, Allure results, junit.xml), for
 * tests of the report step: the first rows' required checks, one of them failed and one not run.
 */
export function writeSampleRun(output: string, catalog: Catalog, rowCount = 3) {
  const rows = catalog.rows.slice(0, rowCount);
  const checks: CheckRecord[] = rows.flatMap((row, r) =>
    requiredChecks(row).map((check, c) => ({
      row: row.number,
      check,
      title: `TD448 row ${row.number} · ${row.method} ${row.endpoint} · ${row.action} · ${check}`,
      project: 'functional',
      outcome: r === 1 && c === 0 ? 'failed' : r === 2 && c === 2 ? 'not-run' : 'passed',
      contradiction: false,
      ...(r === 1 && c === 0 ? { reason: 'Error: expected 401, received 200' } : {}),
      ...(r === 2 && c === 2 ? { reason: 'the target refuses fault injection' } : {}),
      durationMs: 20,
    })),
  );
  const results = join(output, 'allure-results');
  mkdirSync(results, { recursive: true });
  const start = Date.now() - 60_000;
  checks.forEach((check, i) => {
    const row = rows.find((candidate) => candidate.number === check.row) as Row;
    const uuid = randomUUID();
    const result = {
      uuid,
      historyId: `sample-${check.row}-${check.check}`,
      testCaseId: `sample-${check.row}-${check.check}`,
      fullName: check.title,
      name: check.title,
      status: check.outcome === 'not-run' ? 'skipped' : check.outcome,
      statusDetails: check.reason ? { message: check.reason } : {},
      stage: 'finished',
      start: start + i * 100,
      stop: start + i * 100 + check.durationMs,
      labels: [
        { name: 'parentSuite', value: 'functional' },
        { name: 'epic', value: row.endpoint },
        { name: 'feature', value: check.check },
        { name: 'row', value: String(row.number) },
        { name: 'tag', value: `row-${row.number}` },
      ],
      links: [],
      parameters: [],
      steps: [],
      attachments: [],
    };
    writeFileSync(join(results, `${uuid}-result.json`), JSON.stringify(result));
  });
  writeFileSync(join(output, 'row-coverage.json'), JSON.stringify(summarizeRows(catalog, checks), null, 2));
  writeFileSync(
    join(output, 'junit.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites id="" name="" tests="${checks.length}" failures="1" skipped="1" errors="0" time="1.5">\n</testsuites>\n`,
  );
  writeFileSync(join(output, 'phases.json'), JSON.stringify([{ phase: 'functional', durationMs: 1500 }]));
  return { checks };
}
