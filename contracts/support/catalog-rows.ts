import * as allure from 'allure-js-commons';
import { findingsByRow, lintCatalog } from '../../fixtures/catalog/lint.ts';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import type { Catalog, Operation, Row } from '../../fixtures/catalog/model.ts';

/** Contracts are generated from the catalog at collection time, like every other suite. */
export const catalog: Catalog = loadCatalog();

/** The checks the contract suite adds to a row, as the row-coverage reporter and Allure name them. */
export type ContractCheck = 'contract-consumer' | 'contract-provider' | 'event-contract-consumer' | 'event-contract-provider';

export function operationOf(row: Row, from: Catalog = catalog): Operation {
  const operation = from.operations.find((op) => op.rows.includes(row.number));
  if (!operation) throw new Error(`row ${row.number} belongs to no operation`);
  return operation;
}

/** `TD448 row 17 · PATCH /customer/update · Thêm bản ghi · <requirement>`: the same title every suite gives a row. */
export const rowTitle = (row: Row, requirement: string) =>
  `TD448 row ${row.number} · ${row.method} ${row.endpoint} · ${row.action} · ${requirement}`;

/** The row number a title (a test's, an interaction's description) starts with. */
export function rowOfTitle(title: string): number | undefined {
  const match = /^TD448 row (\d+) · /.exec(title);
  return match ? Number(match[1]) : undefined;
}

const contradictionKinds = new Set(['unsafe-get', 'delete-creates', 'restful-contradiction', 'rollback-on-read-only']);
const findings = findingsByRow(lintCatalog(catalog));

/** Tags slice the run (`--grep @contract-provider`); annotations carry the row into every report. */
export function rowDetails(row: Row, check: ContractCheck) {
  const contradictions = (findings.get(row.number) ?? []).filter((finding) => contradictionKinds.has(finding.kind));
  return {
    tag: [`@${check}`, `@row-${row.number}`, ...(contradictions.length > 0 ? ['@catalog-contradiction'] : [])],
    annotation: [
      { type: 'row', description: String(row.number) },
      { type: 'check', description: check },
      ...contradictions.map((finding) => ({ type: 'catalog-contradiction', description: `${finding.kind}: ${finding.message}` })),
    ],
  };
}

/** Allure labels: grouped by endpoint → check → action, next to the functional checks of the same row. */
export async function labelRow(row: Row, check: ContractCheck) {
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
