import type { Catalog, Row } from '../../fixtures/catalog/model.ts';
import type { Defect } from '../../reference-implementation/defects.ts';

const writes = (row: Row) => row.actionKey === 'create' || row.actionKey === 'delete' || row.actionKey === 'update-config';

/**
 * For each planted defect, the (row, check) pairs that must turn red, and why some rows cannot.
 * The proof fails on any red check outside these pairs and on any pair that stays green.
 */
export const plantedDefects: Record<Defect, { check: string; breaks: (row: Row, catalog: Catalog) => boolean; exempt?: string }> = {
  'skip-scope-check': { check: 'auth', breaks: () => true },
  'drop-event': { check: 'kafka', breaks: (row) => row.resultKey === 'kafka' },
  'skip-rollback': {
    check: 'rollback',
    breaks: (row, catalog) =>
      row.resultKey === 'rollback' &&
      (writes(row) || !!catalog.operations.find((op) => op.rows.includes(row.number))?.results.includes('kafka')),
    exempt: 'rollback rows whose action writes nothing and announces nothing: nothing to roll back (lint: rollback-on-read-only)',
  },
};

export const expectedRed = (catalog: Catalog, defects: readonly Defect[]) =>
  new Set(
    defects.flatMap((defect) => {
      const { check, breaks } = plantedDefects[defect];
      return catalog.rows.filter((row) => breaks(row, catalog)).map((row) => `${row.number}:${check}`);
    }),
  );
