import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { TestResult } from 'allure-js-commons';
import { campaignMetrics, campaignResults, filePrefix, operationsCsv, perfFile, writeAllureFiles } from './allure.ts';
import { latencyChart } from './chart.ts';
import { evaluateCampaign } from './evaluate.ts';
import { projectRoot } from './run-campaign.ts';
import { latency, overLimit, rateLimit, report } from './test-support.ts';

const rateLimitVerdict = evaluateCampaign(
  rateLimit,
  report(rateLimit, { clients: { ...overLimit, 'load-1': { allowed: 1100, limited: 100 } } }),
);
const latencyVerdict = evaluateCampaign(latency, report(latency));
const resultsOf = (files: ReturnType<typeof campaignResults>) =>
  files.filter((file) => file.name.endsWith('-result.json')).map((file) => JSON.parse(String(file.content)) as TestResult);

test.describe('Allure results of a campaign', () => {
  const files = campaignResults(rateLimitVerdict, { artilleryReport: '{}' });
  const results = resultsOf(files);

  test('are one result for the campaign and one per threshold', () => {
    expect(results).toHaveLength(1 + rateLimitVerdict.thresholds.length);
    expect(results.map((r) => r.fullName)).toEqual([
      'load/smoke/rate-limit',
      ...rateLimitVerdict.thresholds.map((t) => `load/smoke/rate-limit/${t.key}`),
    ]);
    expect(results.find((r) => r.fullName === 'load/smoke/rate-limit/over-limit-1')).toMatchObject({ status: 'failed' });
    expect(results[0]?.status).toBe('failed');
  });

  test('carry epic, feature, story, tags and the catalog rows', () => {
    const campaign = results[0] as TestResult;
    const labels = (name: string) => campaign.labels.filter((label) => label.name === name).map((label) => label.value);
    expect(labels('epic')).toEqual(['load']);
    expect(labels('feature')).toEqual(['rate-limit']);
    expect(labels('story')).toEqual(['campaign']);
    expect(labels('tag')).toEqual(['@load', '@rate-limit', '@profile-smoke']);
    expect(labels('row').map(Number)).toEqual(rateLimit.mix.flatMap((entry) => entry.rows).sort((a, b) => a - b));
  });

  test("attach the per-operation figures, the latency chart and Artillery's report, each as a file of its own", () => {
    const campaign = results[0] as TestResult;
    expect(campaign.attachments.map((a) => [a.name, a.type])).toEqual([
      ['latency over time', 'image/svg+xml'],
      ['per-operation figures', 'text/csv'],
      ['latency over time (table)', 'text/csv'],
      ['load applied (achieved vs asked)', 'application/json'],
      ['Artillery JSON report', 'application/json'],
    ]);
    for (const attachment of campaign.attachments) expect(files.map((file) => file.name)).toContain(attachment.source);
    expect(files.every((file) => file.name.startsWith(filePrefix))).toBe(true);
  });

  test('give every result its own attachment files: Allure 3 links a file to one result and shows it "missed" on the others', () => {
    const sources = results.flatMap((result) => result.attachments.map((attachment) => attachment.source));
    expect(sources.length).toBeGreaterThan(results[0]?.attachments.length ?? 0);
    expect(new Set(sources).size, 'attachment files named by more than one result').toBe(sources.length);
  });

  test('keep their history ids from run to run, so Allure trends them', () => {
    const again = resultsOf(campaignResults(rateLimitVerdict));
    expect(again.map((r) => r.historyId)).toEqual(results.map((r) => r.historyId));
    expect(again.map((r) => r.uuid)).not.toEqual(results.map((r) => r.uuid));
  });
});

test.describe('figures for people', () => {
  test('the per-operation table has a row per operation of the mix', () => {
    const csv = operationsCsv(latencyVerdict.operations).trim().split('\n');
    expect(csv).toHaveLength(1 + latency.mix.length);
    expect(csv[0]).toMatch(/^operation,promises <1s,rows,requests,p50 ms,p95 ms,p99 ms,max ms/);
  });

  test('the latency chart draws p50, p95 and p99 against the promised second', () => {
    const svg = latencyChart(latencyVerdict.timeline, { title: 'a & b', limitMs: 1000 });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).toContain('1000 ms promised');
    expect(svg).toContain('a &amp; b');
    expect(svg).not.toContain('fault-window');
  });

  test('the latency chart shades each fault made during the campaign over its window, with its label and length', () => {
    const start = latencyVerdict.timeline[0]?.at ?? 0;
    const svg = latencyChart(latencyVerdict.timeline, {
      title: 'across an outage',
      limitMs: 1000,
      faults: [{ label: 'broker outage', from: start + 15_000, to: start + 33_000 }],
    });
    expect(svg.match(/<g class="fault-window">/g)).toHaveLength(1);
    expect(svg).toContain('broker outage (18 s)');
  });
});

test.describe('Allure 3 performance metrics', () => {
  test('name each figure by profile, campaign and measure, with unit and direction', () => {
    const metrics = campaignMetrics(latencyVerdict);
    expect(metrics.map((m) => m.key)).toEqual([
      'load.smoke.latency.achieved_rate',
      'load.smoke.latency.rate_deviation',
      'load.smoke.latency.errors',
      'load.smoke.latency.p50',
      'load.smoke.latency.p95',
      'load.smoke.latency.p99',
    ]);
    expect(metrics.find((m) => m.key.endsWith('.p95'))).toMatchObject({ value: 120, unit: 'ms', better: 'lower', group: 'load-smoke' });
    expect(perfFile('run-1', metrics).name).toBe(`${filePrefix}run-1-perf.json`);
  });

  test('are read by Allure 3 itself, shown in its Metrics section and compared with the previous run', () => {
    test.setTimeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'td448-allure-'));
    try {
      const results = join(dir, 'allure-results');
      const files = [...campaignResults(latencyVerdict), ...campaignResults(rateLimitVerdict)];
      writeAllureFiles(results, [...files, perfFile('run-1', [...campaignMetrics(latencyVerdict), ...campaignMetrics(rateLimitVerdict)])], {
        clear: true,
      });
      writeFileSync(join(dir, 'allurerc.mjs'), `export default { name: 'load', historyPath: './history.jsonl' };\n`);
      const generate = (output: string) => {
        const run = spawnSync(
          process.execPath,
          [
            join(projectRoot, 'node_modules', 'allure', 'cli.js'),
            'generate',
            results,
            '-c',
            join(dir, 'allurerc.mjs'),
            '-o',
            join(dir, output),
          ],
          {
            cwd: dir,
            encoding: 'utf8',
            timeout: 50_000,
          },
        );
        expect(run.status, run.stderr).toBe(0);
        return JSON.parse(readFileSync(join(dir, output, 'widgets', 'metrics.json'), 'utf8')) as {
          current: { key: string }[];
          history: { metrics: Record<string, number> }[];
        };
      };
      const first = generate('report-1');
      expect(first.current.map((m) => m.key)).toContain('load.smoke.latency.p95');
      const second = generate('report-2');
      expect(second.history).toHaveLength(1);
      expect(second.history[0]?.metrics['load.smoke.latency.p95']).toBe(120);
      const tests = readdirSync(join(dir, 'report-2', 'data', 'test-results'));
      expect(tests).toHaveLength(files.filter((file) => file.name.endsWith('-result.json')).length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("clears only the previous load run's files from a shared results directory", () => {
    const dir = mkdtempSync(join(tmpdir(), 'td448-allure-'));
    try {
      writeFileSync(join(dir, 'functional-result.json'), '{}');
      writeFileSync(join(dir, `${filePrefix}old-result.json`), '{}');
      writeAllureFiles(dir, [{ name: `${filePrefix}new-result.json`, content: '{}' }], { clear: true });
      expect(readdirSync(dir).sort()).toEqual(['functional-result.json', `${filePrefix}new-result.json`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
