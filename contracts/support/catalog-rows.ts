import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { type Catalog, type Operation, operationOfRow, type Row } from '../../fixtures/catalog/model.ts';
import { labelRow as sharedLabelRow, rowDetails as sharedRowDetails } from '../../fixtures/playwright/row-reporting.ts';

export { rowTitle } from '../../fixtures/playwright/row-reporting.ts';

/** Contracts are generated from the catalog at collection time, like every other suite. */
export const catalog: Catalog = loadCatalog();

/** The checks the contract suite adds to a row, as the row-coverage reporter and Allure name them. */
export type ContractCheck = 'contract-consumer' | 'contract-provider' | 'event-contract-consumer' | 'event-contract-provider';

export function operationOf(row: Row, from: Catalog = catalog): Operation {
  return operationOfRow(from, row);
}

/** The row number a title (a test's, an interaction's description) starts with. */
export function rowOfTitle(title: string): number | undefined {
  const match = /^TD448 row (\d+) · /.exec(title);
  return match ? Number(match[1]) : undefined;
}

/** Typed for the contract checks; the naming itself is shared with every suite. */
export const rowDetails = (row: Row, check: ContractCheck) => sharedRowDetails(row, check);
export const labelRow = (row: Row, check: ContractCheck) => sharedLabelRow(row, check);
