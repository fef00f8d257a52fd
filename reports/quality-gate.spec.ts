import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { z } from 'zod';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { runQualityGate } from './allure-cli.ts';
import { loadAllureConfig } from './allure-report.ts';
import { gateExpectations, metricBounds } from './quality-gate.ts';

const Label = z.object({ name: z.string(), value: z.string() });
type Label = z.infer<typeof Label>;
type MatchingData = { status: string; labels: Label[]; message?: string };
const Predicate = z.custom<(data: MatchingData) => boolean>((value) => typeof value === 'function');
const Filter = z.custom<(tr: { labels: Label[] }) => boolean>((value) => typeof value === 'function');
const Matcher = z.union([Predicate, z.object({ statuses: z.array(z.string()) })]);
const AllureRc = z.looseObject({
  historyPath: z.string(),
  categories: z.array(
    z.object({ id: z.string(), name: z.string(), matchers: z.union([Matcher, z.array(Matcher)]), hide: z.boolean().optional() }),
  ),
  qualityGate: z.object({ rules: z.array(z.looseObject({ id: z.string(), filter: Filter.optional() })) }),
});

/** allurerc.mjs as Allure loads it, with a given context file. */
const loadAllureRc = async (contextFile: string) => AllureRc.parse(await loadAllureConfig({ contextFile }));

const categoryOf = (config: z.infer<typeof AllureRc>, data: MatchingData) =>
  config.categories.find((category) =>
    [category.matchers].flat().some((matcher) => (typeof matcher === 'function' ? matcher(data) : matcher.statuses.includes(data.status))),
  )?.id;

const tag = (value: string): Label => ({ name: 'tag', value });

function resultsDir(dir: string, results: { name: string; status: string; labels: Label[]; message?: string }[]) {
  mkdirSync(dir, { recursive: true });
  for (const result of results) {
    const uuid = randomUUID();
    writeFileSync(
      join(dir, `${uuid}-result.json`),
      JSON.stringify({
        uuid,
        historyId: result.name,
        fullName: result.name,
        name: result.name,
        status: result.status,
        statusDetails: result.message ? { message: result.message } : {},
        stage: 'finished',
        start: 1,
        stop: 2,
        labels: result.labels,
        steps: [],
        attachments: [],
        parameters: [],
      }),
    );
  }
}

test.describe('quality gate and categories (allurerc.mjs)', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'td448-gate-'));
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('derives its numbers from the catalog, the suites that ran and the load metrics the run produced', () => {
    const catalog = loadCatalog();
    const results = join(dir, 'allure-results');
    mkdirSync(results);
    const result = (project: string) =>
      writeFileSync(
        join(results, `${project}-result.json`),
        JSON.stringify({ uuid: project, status: 'passed', labels: [{ name: 'parentSuite', value: project }] }),
      );
    expect(gateExpectations(catalog, join(dir, 'none')).minTestsCount, 'nothing ran: one row check is still required').toBe(1);
    result('load');
    expect(gateExpectations(catalog, results).minTestsCount, 'load alone (npm start -- --only load)').toBe(1);
    result('functional');
    expect(gateExpectations(catalog, results).minTestsCount, 'the functional suite ran: every required check').toBe(
      catalog.rows.length * 4,
    );
    expect(
      metricBounds([
        'load.smoke.latency.p95',
        'load.smoke.latency.p50',
        'load.smoke.rate-limit.errors',
        'load.smoke.rate-limit.allowed_per_client',
      ]),
    ).toEqual([
      expect.objectContaining({ rule: 'metricMax', key: 'load.smoke.latency.p95', value: 1000 }),
      expect.objectContaining({ rule: 'metricMax', key: 'load.smoke.rate-limit.errors', value: 0 }),
      expect.objectContaining({ rule: 'metricMax', key: 'load.smoke.rate-limit.allowed_per_client', value: 1000 }),
    ]);
  });

  test('wires failures, success rate, minimum test count and the load metrics, keeping the report’s own results out', async () => {
    const context = join(dir, 'context.json');
    writeFileSync(
      context,
      JSON.stringify({
        gate: { minTestsCount: 1280, metrics: [{ rule: 'metricMax', key: 'load.smoke.latency.p95', value: 1000, why: '' }] },
      }),
    );
    const config = await loadAllureRc(context);
    const rules = config.qualityGate.rules;
    expect(rules.map(({ filter, ...rule }) => rule)).toEqual([
      { id: 'defects', maxFailures: 0 },
      { id: 'success', successRate: 1 },
      { id: 'rows', minTestsCount: 1280 },
      { id: 'load:load.smoke.latency.p95', metricMax: { key: 'load.smoke.latency.p95', value: 1000 } },
    ]);
    const check = { labels: [{ name: 'row', value: '214' }] };
    const matrix = {
      labels: [
        { name: 'row', value: '214' },
        { name: 'td448', value: 'traceability-matrix' },
      ],
    };
    const unrelated = { labels: [{ name: 'feature', value: 'rate-limit' }] };
    expect([check, matrix, unrelated].map((tr) => rules[0]?.filter?.(tr))).toEqual([true, false, true]);
    expect([check, matrix, unrelated].map((tr) => rules[2]?.filter?.(tr))).toEqual([true, false, false]);
    expect(config.historyPath).toMatch(/reports\/history\/allure-history\.jsonl$/);
  });

  test('sorts results into the four TD448 categories, apart from the report’s own views', async () => {
    const config = await loadAllureRc(join(dir, 'absent.json'));
    const row = [{ name: 'row', value: '70' }];
    expect(categoryOf(config, { status: 'failed', labels: row, message: 'expected 401' })).toBe('defect');
    expect(categoryOf(config, { status: 'broken', labels: row, message: 'Test timeout of 30000ms exceeded.' })).toBe('broken');
    expect(categoryOf(config, { status: 'skipped', labels: row, message: 'the target refuses fault injection' })).toBe('not-run');
    expect(
      categoryOf(config, { status: 'passed', labels: [...row, tag('catalog-contradiction')], message: 'Expected: 200 Received: 201' }),
    ).toBe('catalog-contradiction');
    expect(
      categoryOf(config, { status: 'failed', labels: [...row, tag('catalog-contradiction')], message: 'Expected to fail, but passed.' }),
    ).toBe('catalog-contradiction');
    expect(categoryOf(config, { status: 'passed', labels: [...row, tag('catalog-contradiction')] })).toBeUndefined();
    expect(categoryOf(config, { status: 'failed', labels: [{ name: 'td448', value: 'traceability-matrix' }] })).toBe('report-views');
    expect(config.categories.find((category) => category.id === 'report-views')?.hide).toBe(true);
  });

  test('fails on a defect of the target and lets a confirmed contradiction of the catalog pass', () => {
    const results = join(dir, 'allure-results');
    const context = join(dir, 'context.json');
    writeFileSync(
      context,
      JSON.stringify({
        resultsDir: [results],
        output: join(dir, 'allure-report'),
        historyPath: join(dir, 'history.jsonl'),
        gate: { minTestsCount: 2, metrics: [] },
      }),
    );
    const row = (n: number) => [{ name: 'row', value: String(n) }];
    resultsDir(results, [
      { name: 'row 1 auth', status: 'passed', labels: row(1) },
      {
        name: 'row 70 restful',
        status: 'passed',
        labels: [...row(70), tag('catalog-contradiction')],
        message: 'Expected: 200 Received: 201',
      },
      { name: 'matrix', status: 'failed', labels: [{ name: 'td448', value: 'traceability-matrix' }] },
    ]);
    expect(runQualityGate({ contextFile: context })).toMatchObject({ status: 'passed', failures: [] });

    resultsDir(results, [{ name: 'row 2 rollback', status: 'failed', labels: row(2), message: 'state changed' }]);
    const gate = runQualityGate({ contextFile: context });
    expect(gate.status).toBe('failed');
    expect(gate.failures).toEqual([
      expect.stringMatching(/^defects\/maxFailures: The number of failed tests 1 exceeds/),
      expect.stringMatching(/^success\/successRate: /),
    ]);
  });
});
