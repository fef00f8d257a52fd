import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { buildReport } from './build-report.ts';
import { reportPaths } from './paths.ts';
import { writeSampleRun } from './sample-run.ts';

type Result = { status: string; steps: { name: string }[] };

test('the report to mail drops the steps of passed tests only, and leaves the history alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'td448-mail-'));
  try {
    writeSampleRun(dir, loadCatalog());
    const paths = reportPaths(dir, join(dir, 'history'));
    const resultFiles = readdirSync(paths.allureResults).filter((name) => name.endsWith('-result.json'));
    for (const name of resultFiles) {
      const file = join(paths.allureResults, name);
      const result = JSON.parse(readFileSync(file, 'utf8')) as Result;
      writeFileSync(file, JSON.stringify({ ...result, steps: [{ name: 'POST /v2/customer/update', status: result.status, steps: [] }] }));
    }

    const summary = await buildReport({ paths, mail: true });
    expect(summary.files.mail).toContain('allure-report-mail/index.html');
    const mailed = resultFiles.map((name) => JSON.parse(readFileSync(join(paths.mailResults, name), 'utf8')) as Result);
    expect(mailed.filter((result) => result.status === 'passed').every((result) => result.steps.length === 0)).toBe(true);
    expect(mailed.filter((result) => result.status !== 'passed').every((result) => result.steps.length === 1)).toBe(true);
    expect(mailed.some((result) => result.status !== 'passed')).toBe(true);
    // One run, one line of history: the mail report adds none.
    expect(readFileSync(paths.history, 'utf8').trim().split('\n')).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
