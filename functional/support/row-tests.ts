import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { type Operation, operationOfRow, type Row } from '../../fixtures/catalog/model.ts';
import type { NoteKey, RequirementKey, ResultKey } from '../../fixtures/catalog/vocabulary.ts';
import { labelRow as sharedLabelRow, rowDetails as sharedRowDetails } from '../../fixtures/playwright/row-reporting.ts';

export { contradictionsOf, rowTitle } from '../../fixtures/playwright/row-reporting.ts';

/** Tests are generated from the catalog at collection time: one source of truth for every suite. */
export const catalog = loadCatalog();
export type CheckKind = RequirementKey | 'auth' | 'transaction-log' | 'hostile';

export const rowsPromising = (key: ResultKey | NoteKey) => catalog.rows.filter((row) => row.resultKey === key || row.noteKey === key);

export const operationOf = (row: Row): Operation => operationOfRow(catalog, row);

/** Typed for the functional checks; the naming itself is shared with every suite. */
export const rowDetails = (row: Row, check: CheckKind) => sharedRowDetails(row, check);
export const labelRow = (row: Row, check: CheckKind) => sharedLabelRow(row, check);

/** Deterministic per-row, per-check seed for the faker data of that check. */
export const seedOf = (row: Row, salt = 0) => row.number * 1000 + salt;
