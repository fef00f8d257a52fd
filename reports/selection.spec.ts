import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { projectRoot, reportPaths } from './paths.ts';
import { RowCoverage } from './row-coverage.ts';
import { readSelection, selectedTestOfRun, selectionOfRun, selectionVariable } from './selection.ts';

const playwright = ['/usr/bin/node', join(projectRoot, 'node_modules', '.bin', 'playwright'), 'test'];

test.describe('the selection of a run', () => {
  test('is npm start’s (TD448_SELECTION), else the --grep of a playwright test command line, the last one given', () => {
    expect(selectionOfRun({ [selectionVariable]: '["@rollback","@row-2\\\\b"]' }, [...playwright, '--grep', '@auth'])).toEqual([
      '@rollback',
      '@row-2\\b',
    ]);
    expect(selectionOfRun({}, [...playwright, '--project=functional', '--grep', '@rollback'])).toEqual(['@rollback']);
    expect(selectionOfRun({}, [...playwright, '--project', 'functional', '-g', '@row-214\\b'])).toEqual(['@row-214\\b']);
    expect(selectionOfRun({}, [...playwright, '--grep=@auth', '--workers', '2', '--grep', '@log'])).toEqual(['@log']);
    expect(selectionOfRun({}, [...playwright, '--project=functional']), 'no --grep: a whole run').toBeUndefined();
    expect(selectionOfRun({}, ['/usr/bin/node', '/x/worker.js', 'test', '--grep', '@auth']), 'not playwright').toBeUndefined();
    expect(selectionOfRun({}, [playwright[0] as string, playwright[1] as string, 'show-report', '--grep', 'x'])).toBeUndefined();
    expect(() => selectionOfRun({ [selectionVariable]: '"@auth"' }, playwright)).toThrow(/TD448_SELECTION="@auth" is not a JSON list/);
    const matches = selectedTestOfRun({}, [...playwright, '--grep', '@ROW-2\\b']);
    expect(matches?.({ titlePath: () => ['', 'functional', 'TD448 row 2 · auth'], tags: ['@row-2'] }), 'case-insensitive').toBe(true);
    expect(matches?.({ titlePath: () => ['', 'functional', 'TD448 row 21 · auth'], tags: ['@row-21'] })).toBe(false);
    const anchored = selectedTestOfRun({}, [...playwright, '--grep', '^functional functional/every-row/auth']);
    const auth = { titlePath: () => ['', 'functional', 'functional/every-row/auth.spec.ts', 'TD448 row 2 · auth'], tags: ['@row-2'] };
    expect(anchored?.(auth), 'anchored at the project, as Playwright reads the line').toBe(true);
  });

  test('a bare npx playwright test --grep of one row is judged as a slice: that row selected, the other 319 not selected', () => {
    test.setTimeout(180_000);
    const output = mkdtempSync(join(tmpdir(), 'td448-bare-grep-'));
    try {
      const { TD448_TARGET: _deployment, [selectionVariable]: _selection, CI: _ci, ...env } = process.env;
      const run = spawnSync('npx', ['playwright', 'test', '--project=functional', '--grep', '@row-5\\b'], {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 170_000,
        env: { ...env, TD448_REPORT_OUTPUT: output, TD448_CONSOLE_REPORTER: 'dot' },
      });
      expect(run.status, `${run.stdout}${run.stderr}`.slice(-3000)).toBe(0);
      const paths = reportPaths(output);
      const { rows, totals } = RowCoverage.parse(JSON.parse(readFileSync(paths.rowCoverage, 'utf8')));
      expect(rows.find((row) => row.row === 5)?.status).toBe('passed');
      expect(totals.rowsNotSelected).toBe(319);
      expect(totals.rowsNotRun, 'no row is "not run" for checks the selection left out').toBe(0);
      expect(readSelection(paths.selection), 'recorded for the report step').toEqual({ grep: ['@row-5\\b'] });
      expect(run.stdout).toContain('TD448 rows selected: 1/320 (--grep @row-5\\b;');
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });
});
