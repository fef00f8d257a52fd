import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { selectionVariable } from '../../fixtures/playwright/grep.ts';
import { rowsWithEvents } from '../interactions/event-messages.ts';
import { catalog, rowOfTitle } from './catalog-rows.ts';
import { rowsToPlay } from './contract-tests.ts';

const projectRoot = join(import.meta.dirname, '..', '..');
const { [selectionVariable]: _selection, CI: _ci, ...env } = process.env;

/** The rows whose provider verification Playwright's own --grep selects (listed, not run; the consumer left out). */
function providerRowsPlaywrightSelects(grep: string): { http: number[]; events: number[] } {
  const run = spawnSync(
    join(projectRoot, 'node_modules', '.bin', 'playwright'),
    ['test', '--list', '--reporter=json', '--project=contracts-provider', '--no-deps', '--grep', grep],
    { cwd: projectRoot, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 },
  );
  const listed: { http: number[]; events: number[] } = { http: [], events: [] };
  if (!run.stdout.trim().startsWith('{')) return listed; // "No tests found"
  type Suite = { file?: string; specs?: { title: string; file: string }[]; suites?: Suite[] };
  const walk = (suite: Suite) => {
    for (const spec of suite.specs ?? []) {
      const row = rowOfTitle(spec.title);
      if (row !== undefined) listed[spec.file.includes('events') ? 'events' : 'http'].push(row);
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of (JSON.parse(run.stdout) as { suites: Suite[] }).suites) walk(suite);
  return { http: listed.http.sort((a, b) => a - b), events: listed.events.sort((a, b) => a - b) };
}

const numbers = (rows: readonly { number: number }[]) => rows.map((row) => row.number);

test('a slice plays the consumer contracts of the rows whose provider verification Playwright’s --grep selects, and only those', () => {
  test.setTimeout(120_000);
  const eventRows = rowsWithEvents(catalog);
  for (const grep of ['@row-5\\b', 'PUT /crm/lead/import', '@event-contract-provider', 'contracts/provider/http', '/ROW 1[0-9] ·/i']) {
    const selected = providerRowsPlaywrightSelects(grep);
    expect(selected.http.length + selected.events.length, `--grep ${grep} selects provider verifications`).toBeGreaterThan(0);
    expect(numbers(rowsToPlay('http', catalog.rows, [grep])), `--grep ${grep}: HTTP rows`).toEqual(selected.http);
    expect(numbers(rowsToPlay('events', eventRows, [grep])), `--grep ${grep}: event rows`).toEqual(selected.events);
  }
  expect(providerRowsPlaywrightSelects('@row-5\\b').http).toEqual([5]);
  expect(providerRowsPlaywrightSelects('@event-contract-provider').events).toEqual(numbers(eventRows));
  // A slice selecting a consumer test alone plays it too; a whole run plays every row; a slice of no contract none.
  expect(numbers(rowsToPlay('http', catalog.rows, ['@row-7\\b.*@contract-consumer|@contract-consumer @row-7\\b']))).toEqual([7]);
  expect(rowsToPlay('http', catalog.rows, undefined)).toHaveLength(catalog.rows.length);
  expect(rowsToPlay('http', catalog.rows, ['@rollback'])).toEqual([]);
});

test('a bare playwright test --grep of one row collects that row’s consumer contract only, beside the 4 generated-contract checks', () => {
  const run = spawnSync(
    join(projectRoot, 'node_modules', '.bin', 'playwright'),
    ['test', '--list', '--project=contracts-provider', '--grep', '@row-5\\b'],
    { cwd: projectRoot, encoding: 'utf8', env },
  );
  expect(run.stdout).toContain('[contracts-consumer] › contracts/consumer/http.consumer.spec.ts');
  expect(run.stdout, 'row 5’s consumer and provider, and the generated contracts (the consumer project, a dependency)').toMatch(
    /Total: 6 tests in 3 files/,
  );
});
