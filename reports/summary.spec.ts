import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { countTests, hostileTotals, suiteSpans } from './allure-results.ts';
import { junitCounts, junitDurationMs } from './junit.ts';
import { type LoadRunSummary, loadChecks, readLoadNotSelected, summarizeLoad, writeLoadNotSelected } from './load-results.ts';
import { type CheckRecord, summarizeRows } from './row-coverage.ts';
import { countChecks, formatSummary, loadLines, readPhases, reasonsToFail, rowTotals, Summary } from './summary.ts';
import { traceRows } from './traceability.ts';

const catalog = loadCatalog();
const sample = { ...catalog, rows: catalog.rows.slice(0, 3) };
const [first, second, third] = sample.rows;
if (!first || !second || !third) throw new Error('the catalog has fewer than three rows');

const record = (row: number, check: string, outcome: CheckRecord['outcome'], contradiction = false): CheckRecord => ({
  row,
  check,
  title: `TD448 row ${row} · ${check}`,
  project: 'functional',
  outcome,
  contradiction,
  durationMs: 5,
});
const required = (row: typeof first) => ['auth', 'transaction-log', row.resultKey, row.noteKey];

/** A small row-coverage.json, as the reporter writes it: row 1 passes, row 2 fails one check, row 3 has one not run. */
const coverage = summarizeRows(sample, [
  ...required(first).map((check) => record(first.number, check, 'passed')),
  ...required(second).map((check, i) => record(second.number, check, i === 0 ? 'failed' : 'passed', i === 3)),
  ...required(third).map((check, i) => record(third.number, check, i === 2 ? 'not-run' : 'passed')),
]);

const loadRun: LoadRunSummary = {
  runId: 'smoke-20260101T000000Z',
  profile: 'smoke',
  verdicts: [
    {
      campaign: 'latency',
      slug: 'latency',
      title: 'latency · catalog mix',
      status: 'failed',
      startedAt: 1_000,
      finishedAt: 61_000,
      thresholds: [
        {
          key: 'p95-promised',
          title: 'p95 under 1000 ms',
          status: 'failed',
          expected: 'p95 < 1000 ms',
          actual: 'p95 1496 ms',
          message: '',
          rows: [first.number, second.number],
          checks: [],
        },
        {
          key: 'p95-per-operation',
          title: 'p95 per operation',
          status: 'passed',
          expected: 'p95 < 1000 ms per operation',
          actual: '1 passed, 1 with too few requests',
          message: '',
          rows: [first.number, second.number],
          checks: [
            { name: `op A (rows ${first.number}, 99)`, status: 'passed', actual: 'p95 10 ms' },
            { name: `op B (row ${second.number})`, status: 'skipped', actual: '11 requests (fewer than 20: not judged alone)' },
          ],
        },
      ],
    },
  ],
};

test.describe('summary', () => {
  test('counts rows and checks from a small coverage file', () => {
    const rows = traceRows(
      sample,
      coverage.rows.flatMap((row) => row.checks),
      [],
    );
    expect(rowTotals(rows)).toEqual({
      rows: { total: 3, passed: 1, failed: 1, notRun: 1, notCovered: 0, notSelected: 0 },
      failingRows: [second.number],
    });
    expect(countChecks(rows)).toEqual({
      passed: 10,
      failed: 1,
      notRun: 1,
      confirmedContradictions: 1,
      bySuite: { functional: { passed: 10, failed: 1, notRun: 1 } },
    });
  });

  test('turns load thresholds into per-row checks, judged by the sub-check that names the row', () => {
    const checks = loadChecks(loadRun);
    expect(checks.map((check) => [check.row, check.check, check.outcome])).toEqual([
      [first.number, 'load:latency:p95-promised', 'failed'],
      [second.number, 'load:latency:p95-promised', 'failed'],
      [first.number, 'load:latency:p95-per-operation', 'passed'],
    ]);
    expect(summarizeLoad(loadRun)).toMatchObject({
      status: 'failed',
      durationMs: 60_000,
      thresholds: [
        { campaign: 'latency', key: 'p95-promised', actual: 'p95 1496 ms', verdict: 'failed', rows: 2 },
        { campaign: 'latency', key: 'p95-per-operation', verdict: 'passed' },
      ],
    });
    expect(summarizeLoad(undefined)).toMatchObject({ status: 'not-run', thresholds: [] });
    // A sliced run whose load phase selected no row: not selected, with its reason; never "not run".
    const notSelected = { reason: '--grep @rollback selects no row the load campaigns check' };
    expect(summarizeLoad(undefined, notSelected)).toEqual({ status: 'not-selected', reason: notSelected.reason, thresholds: [] });
    expect(summarizeLoad(loadRun, notSelected).status, 'a run that did happen wins').toBe('failed');
    expect(loadLines(summarizeLoad(undefined, notSelected))).toEqual([`load: not selected (${notSelected.reason})`]);
    // What the load phase (or main.ts for --only) writes is what the report step reads back.
    const dir = mkdtempSync(join(tmpdir(), 'td448-load-not-selected-'));
    try {
      const file = join(dir, 'output', 'load-not-selected.json');
      expect(readLoadNotSelected(file), 'nothing written: a whole run').toBeUndefined();
      writeLoadNotSelected(file, notSelected.reason);
      expect(readLoadNotSelected(file)).toEqual(notSelected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('folds retries into their last attempt when counting the report’s tests', () => {
    expect(
      countTests([
        { uuid: 'a1', historyId: 'a', status: 'failed', stop: 1 },
        { uuid: 'a2', historyId: 'a', status: 'passed', stop: 2 },
        { uuid: 'b', historyId: 'b', status: 'skipped', stop: 1 },
        { uuid: 'c', status: 'broken' },
      ]),
    ).toEqual({ total: 3, passed: 1, failed: 0, broken: 1, skipped: 1 });
  });

  test('finds when each suite of a shared Playwright run was busy, by the project its results name', () => {
    const result = (project: string, start: number, stop: number) => ({
      uuid: `${project}-${start}`,
      status: 'passed' as const,
      start,
      stop,
      labels: [{ name: 'parentSuite', value: project }],
    });
    const results = [
      result('contracts-consumer', 1_000, 2_000),
      result('contracts-provider', 30_000, 61_000),
      result('functional', 1_500, 120_000),
    ];
    expect(
      suiteSpans(results, { contracts: ['contracts-consumer', 'contracts-provider'], functional: ['functional'], load: ['load'] }, 500),
    ).toEqual([
      { part: 'contracts', fromMs: 500, toMs: 60_500 },
      { part: 'functional', fromMs: 1_000, toMs: 119_500 },
    ]);
  });

  test('reads phases.json, refuses one that is not a list of phases, and reads JUnit’s counts and wall time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'td448-phases-'));
    try {
      const file = join(dir, 'phases.json');
      writeFileSync(file, JSON.stringify([{ phase: 'functional', durationMs: 120_000 }]));
      expect(readPhases(file)).toEqual([{ phase: 'functional', durationMs: 120_000 }]);
      writeFileSync(file, JSON.stringify({ functional: 120 }));
      expect(() => readPhases(file)).toThrow(/not a list of \{phase, durationMs\}/);
      expect(readPhases(join(dir, 'absent.json'))).toBeUndefined();
      writeFileSync(
        join(dir, 'junit.xml'),
        '<?xml version="1.0"?>\n<testsuites id="" name="" tests="5" failures="1" skipped="1" errors="1" time="113.27">\n</testsuites>',
      );
      expect(junitDurationMs(join(dir, 'junit.xml'))).toBe(113_270);
      expect(junitCounts(join(dir, 'junit.xml'))).toEqual({ passed: 2, failed: 2, skipped: 1 });
      expect(junitCounts(join(dir, 'absent.xml'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('names what failed the run and prints the short summary the main job shows', () => {
    const rows = traceRows(sample, [...coverage.rows.flatMap((row) => row.checks), ...loadChecks(loadRun)], []);
    const partial = {
      ...rowTotals(rows),
      tests: { total: 12, passed: 10, failed: 1, broken: 0, skipped: 1 },
      load: summarizeLoad(loadRun),
      qualityGate: { status: 'failed' as const, failures: ['defects/maxFailures: The number of failed tests 1 exceeds 0'] },
    };
    const summary = Summary.parse({
      generatedAt: new Date(0).toISOString(),
      verdict: 'failed',
      reasons: reasonsToFail(partial),
      target: { name: 'embedded reference implementation' },
      catalog: { path: 'fixtures/catalog/td448.md', sha256: '0123456789abcdef', rows: 3, operations: 3, findings: 0 },
      ...partial,
      checks: countChecks(rows),
      durationMs: 185_000,
      durationSource: 'phases',
      phases: [
        { phase: 'functional', durationMs: 125_000 },
        { phase: 'load', durationMs: 60_000 },
      ],
      files: {
        report: 'reports/output/allure-report/index.html',
        singleFile: false,
        traceabilityCsv: 'reports/output/traceability.csv',
        traceabilityJson: 'reports/output/traceability.json',
        junit: 'reports/output/junit.xml',
        summary: 'reports/output/summary.json',
      },
    });
    expect(summary.reasons).toEqual([
      `2 rows with a failed check (rows ${first.number}, ${second.number})`,
      'a load threshold failed',
      'the quality gate failed (1 rules)',
    ]);
    const text = formatSummary(summary);
    expect(text).toContain('TD448 run FAILED against embedded reference implementation');
    expect(text).toContain('rows (3): 0 all checks passed · 2 some failed · 1 some not run');
    expect(text).toContain(
      'checks of catalog rows: 11 passed · 3 failed · 1 not run (1 passed confirm a contradiction of the catalog); by suite: ',
    );
    expect(text).toContain('failed     latency · p95 under 1000 ms: p95 1496 ms');
    expect(text).toContain('time: 3 min 5 s (functional 2 min 5 s, load 1 min 0 s)');
    expect(text).toContain('report: reports/output/allure-report/index.html (serve it: npx allure open reports/output/allure-report)');
    expect(text).toContain('summary: reports/output/summary.json');
  });

  test('totals the hostile inputs over the last attempt of each, and prints them', () => {
    const result = (
      uuid: string,
      historyId: string,
      stop: number,
      input: string,
      answered: string,
      written = 'nothing',
      emitted = 'nothing',
    ) => ({
      uuid,
      historyId,
      status: 'passed' as const,
      stop,
      labels: [],
      parameters: [
        { name: 'hostile input', value: input },
        { name: 'answered', value: answered },
        { name: 'written', value: written },
        { name: 'emitted', value: emitted },
      ],
    });
    const totals = hostileTotals([
      result('a1', 'a', 1, 'xml-dtd', 'wrongly', 'something', 'events'),
      result('a2', 'a', 2, 'xml-dtd', 'correctly'),
      result('b1', 'b', 1, 'alg-none', 'wrongly', 'something'),
      result('c1', 'c', 1, 'sql-injection', 'not observed', 'not observed', 'not observed'),
      { uuid: 'd', historyId: 'd', status: 'passed' as const, stop: 1, labels: [], parameters: [] },
    ]);
    expect(totals).toEqual({ tried: 3, kinds: 3, answeredCorrectly: 1, written: 1, emitted: 0, notObserved: 1 });
    expect(hostileTotals([])).toBeUndefined();
    const summary = Summary.parse({
      generatedAt: new Date(0).toISOString(),
      verdict: 'passed',
      reasons: [],
      target: { name: 'embedded reference implementation' },
      catalog: { path: 'fixtures/catalog/td448.md', sha256: '0123456789abcdef', rows: 3, operations: 3, findings: 0 },
      rows: { total: 3, passed: 3, failed: 0, notRun: 0, notCovered: 0 },
      failingRows: [],
      checks: { passed: 3, failed: 0, notRun: 0, confirmedContradictions: 0, bySuite: {} },
      load: { status: 'not-run', reason: 'not asked', thresholds: [] },
      hostile: totals,
      tests: { total: 3, passed: 3, failed: 0, broken: 0, skipped: 0 },
      qualityGate: { status: 'passed', failures: [] },
      durationMs: 1000,
      durationSource: 'phases',
      phases: [],
      files: { report: 'r/index.html', singleFile: false, traceabilityCsv: 't.csv', traceabilityJson: 't.json', junit: 'j.xml' },
    });
    expect(formatSummary(summary)).toContain(
      'hostile input: 3 inputs tried (3 kinds) · 1 answered correctly · 1 wrote anything · 0 emitted an event · 1 not fully observed (the check stopped early)',
    );
  });
});
