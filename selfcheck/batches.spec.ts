import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { Defect } from '../reference-implementation/defects.ts';
import { batchesOf, compatible, projectsOf, rowsGrep, sampleRows } from './batches.ts';
import { expectedRed, loadCampaignsOf } from './planted-defects.ts';

const catalog = loadCatalog();

test.describe('batches of defects planted together', () => {
  test('defects whose red pairs overlap are never in one batch (omit-allow and omit-location-for-client-ids both break restful rows)', () => {
    expect(compatible(catalog, 'omit-allow', 'omit-location-for-client-ids')).toBe(false);
    expect(compatible(catalog, 'omit-retry-after', 'leak-rate-limit-on-invoice-export')).toBe(false);
    expect(compatible(catalog, 'omit-allow', 'drop-event')).toBe(true);
  });

  test('a defect that hides another’s evidence is not planted with it (drop-event hides skip-rollback’s committed event)', () => {
    expect(compatible(catalog, 'drop-event', 'skip-rollback')).toBe(false);
  });

  test('every functional defect is in exactly one batch, the resilience ones in none, and no two pairs of a batch collide', () => {
    const batches = batchesOf(catalog, Defect.options);
    const planted = batches.flatMap((batch) => batch.defects);
    expect(new Set(planted).size).toBe(planted.length);
    expect(planted).not.toContain('relay-drops-on-failure');
    expect(planted).toContain('drop-event');
    expect(planted.length).toBeGreaterThanOrEqual(22);
    for (const batch of batches) {
      const all = batch.defects.flatMap((defect) => [...(batch.pairs.get(defect) ?? [])]);
      expect(new Set(all).size, `pairs of ${batch.defects.join(', ')}`).toBe(all.length);
      // Each defect's pairs are those the declarations give with the whole batch planted.
      for (const defect of batch.defects)
        expect([...(batch.pairs.get(defect) ?? [])].sort()).toEqual([...expectedRed(catalog, [defect], new Set(batch.defects))].sort());
    }
  });

  test('the defects the suites prove fit in five batches (each batch is one run): three functional, one contract, one load', () => {
    const batches = batchesOf(catalog, Defect.options);
    expect(batches.length).toBeLessThanOrEqual(5);
    expect(batches.filter((batch) => projectsOf(batch).length === 0)).toHaveLength(1);
    expect(batches.filter((batch) => projectsOf(batch).includes('contracts-provider'))).toHaveLength(1);
  });
});

test.describe('a sampled self-check', () => {
  test('takes each defect’s first and last rows and some between, and the grep selects exactly their tags', () => {
    const batch = batchesOf(catalog, ['omit-allow', 'leak-rate-limit-on-invoice-export', 'drop-event'])[0];
    if (!batch) throw new Error('no batch');
    const rows = sampleRows(batch, 3);
    const rowsOf = (defect: 'omit-allow' | 'drop-event') =>
      [...(batch.pairs.get(defect) ?? [])].map((pair) => Number(pair.split(':')[0])).sort((a, b) => a - b);
    for (const defect of ['omit-allow', 'drop-event'] as const) {
      const own = rowsOf(defect);
      expect(rows).toContain(own[0]);
      expect(rows).toContain(own.at(-1));
      expect(rows.filter((row) => own.includes(row)).length).toBeGreaterThanOrEqual(3);
    }
    const grep = new RegExp(rowsGrep([7, 12]));
    expect(grep.test('row 7 … @restful @row-7')).toBe(true);
    expect(grep.test('row 71 … @restful @row-71')).toBe(false);
    expect(grep.test('row 12 … @row-12 @catalog-contradiction')).toBe(true);
  });
});

test.describe('a defect only a contract catches', () => {
  test('is planted apart from the functional defects, in a run that adds the contract projects', () => {
    expect(compatible(catalog, 'epoch-timestamps-on-crm', 'omit-allow')).toBe(false);
    const batches = batchesOf(catalog, Defect.options);
    const withContracts = batches.filter((batch) => projectsOf(batch).includes('contracts-provider'));
    expect(withContracts.map((batch) => batch.defects)).toEqual([['epoch-timestamps-on-crm']]);
    expect(projectsOf(batches[0] ?? { defects: [] })).toEqual(['functional']);
  });
});

test.describe('a defect only the load campaigns catch', () => {
  test('is planted apart, in a run of the smoke load campaigns (no Playwright project), its pairs those of each threshold it breaks', () => {
    expect(compatible(catalog, 'rate-limit-window-of-30s', 'omit-allow')).toBe(false);
    expect(compatible(catalog, 'rate-limit-window-of-30s', 'epoch-timestamps-on-crm')).toBe(false);
    const batches = batchesOf(catalog, Defect.options);
    const load = batches.filter((batch) => batch.defects.includes('rate-limit-window-of-30s'));
    expect(load.map((batch) => batch.defects)).toEqual([['rate-limit-window-of-30s']]);
    expect(projectsOf(load[0] ?? { defects: [] })).toEqual([]);
    const pairs = [...(load[0]?.pairs.get('rate-limit-window-of-30s') ?? [])];
    const limitedRows = catalog.rows.filter((row) => row.noteKey === 'rate-limit').map((row) => row.number);
    expect(new Set(pairs.map((pair) => Number(pair.split(':')[0])))).toEqual(new Set(limitedRows));
    expect(new Set(pairs.map((pair) => pair.slice(pair.indexOf(':') + 1)))).toEqual(
      new Set(['load:rate-limit:log-downstream', 'load:rate-limit:over-limit-1', 'load:rate-limit:over-limit-2']),
    );
  });
});

test('a load batch runs only the campaign its checks belong to', () => {
  expect(loadCampaignsOf('rate-limit-window-of-30s')).toEqual(['rate-limit']);
  expect(loadCampaignsOf('omit-allow')).toEqual([]);
});
