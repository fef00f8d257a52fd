import * as allure from 'allure-js-commons';
import { findingsByRow, lintCatalog } from '../../fixtures/catalog/lint.ts';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import type { Operation, Row } from '../../fixtures/catalog/model.ts';
import type { NoteKey, RequirementKey, ResultKey } from '../../fixtures/catalog/vocabulary.ts';

/** Tests are generated from the catalog at collection time: one source of truth for every suite. */
export const catalog = loadCatalog();
const findings = findingsByRow(lintCatalog(catalog));

/** Findings that make a row's promises impossible to keep together, not just untidy. */
const contradictionKinds = new Set(['unsafe-get', 'delete-creates', 'restful-contradiction', 'rollback-on-read-only']);

export const contradictionsOf = (row: Row) => (findings.get(row.number) ?? []).filter((finding) => contradictionKinds.has(finding.kind));

export type CheckKind = RequirementKey | 'auth' | 'transaction-log';

export const rowsPromising = (key: ResultKey | NoteKey) => catalog.rows.filter((row) => row.resultKey === key || row.noteKey === key);

export const operationOf = (row: Row): Operation => {
  const operation = catalog.operations.find((op) => op.rows.includes(row.number));
  if (!operation) throw new Error(`row ${row.number} belongs to no operation`);
  return operation;
};

/** `TD448 row 17 · PATCH /customer/update · Thêm bản ghi · rolls back on error` */
export const rowTitle = (row: Row, requirement: string) =>
  `TD448 row ${row.number} · ${row.method} ${row.endpoint} · ${row.action} · ${requirement}`;

/** Tags slice the run (`--grep @rollback`); annotations carry the row into every report. */
export function rowDetails(row: Row, check: CheckKind) {
  const contradictions = contradictionsOf(row);
  return {
    tag: [`@${check}`, `@row-${row.number}`, ...(contradictions.length > 0 ? ['@catalog-contradiction'] : [])],
    annotation: [
      { type: 'row', description: String(row.number) },
      { type: 'check', description: check },
      ...contradictions.map((finding) => ({ type: 'catalog-contradiction', description: `${finding.kind}: ${finding.message}` })),
    ],
  };
}

/** Allure labels: the report groups by endpoint → requirement → action and names the row. */
export async function labelRow(row: Row, check: CheckKind) {
  await allure.epic(row.endpoint);
  await allure.feature(check);
  await allure.story(`${row.method} · ${row.action}`);
  await allure.label('row', String(row.number));
  await allure.label('method', row.method);
  await allure.label('action', row.actionKey);
  await allure.label('result', row.resultKey);
  await allure.label('note', row.noteKey);
  await allure.parameter('row', String(row.number));
}

/** Deterministic per-row, per-check seed for the faker data of that check. */
export const seedOf = (row: Row, salt = 0) => row.number * 1000 + salt;
