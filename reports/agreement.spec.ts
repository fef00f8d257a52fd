import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { disagreements, type FailingRowsBySource, failingRowsBySource } from './agreement.ts';
import { buildReport } from './build-report.ts';
import { reportPaths } from './paths.ts';
import { writeSampleRun } from './sample-run.ts';

const catalog = loadCatalog();
const failingRow = catalog.rows[1]?.number ?? 0;

test.describe('the outputs of a run agree on its failing rows', () => {
  test('summary.json, the matrix as JSON and CSV, and the Allure report name the same failing row of a sample run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'td448-agreement-'));
    try {
      writeSampleRun(dir, catalog);
      const paths = reportPaths(dir, join(dir, 'history'));
      await buildReport({ paths });
      const bySource = failingRowsBySource(paths);
      expect(bySource).toEqual({
        'summary.json': [failingRow],
        'traceability.json': [failingRow],
        'traceability.csv': [failingRow],
        'Allure report': [failingRow],
      });
      expect(disagreements(bySource, [failingRow])).toEqual([]);

      // A matrix that lost its failure is caught, and named.
      const csv = readFileSync(paths.traceabilityCsv, 'utf8');
      writeFileSync(paths.traceabilityCsv, csv.replace(/^(\d+,.*),failed,/m, '$1,passed,'));
      expect(disagreements(failingRowsBySource(paths), [failingRow])).toEqual([
        `traceability.csv: does not name failing row(s) ${failingRow}`,
      ]);

      // A single-file report keeps its results inside index.html: the reader says so instead of reading nothing.
      rmSync(join(paths.allureReport, 'data'), { recursive: true });
      expect(() => failingRowsBySource(paths)).toThrow(/build it without --single-file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('names, for each output, the rows it misses and the rows it adds', () => {
    const bySource: FailingRowsBySource = {
      'summary.json': [1, 2],
      'traceability.json': [1],
      'traceability.csv': [1, 2, 3],
      'Allure report': [],
    };
    expect(disagreements(bySource, [1, 2])).toEqual([
      'traceability.json: does not name failing row(s) 2',
      'traceability.csv: names row(s) 3 that should pass',
      'Allure report: does not name failing row(s) 1, 2',
    ]);
  });
});
