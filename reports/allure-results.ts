import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type HostileTotals, observationOf, totalObservations } from '../fixtures/playwright/hostile-observation.ts';
import type { TestCounts } from './summary.ts';

const ResultFile = z.object({
  uuid: z.string(),
  historyId: z.string().optional(),
  status: z.enum(['passed', 'failed', 'broken', 'skipped', 'unknown']).default('unknown'),
  start: z.number().optional(),
  stop: z.number().optional(),
  labels: z.array(z.object({ name: z.string(), value: z.string().optional() })).default([]),
  parameters: z.array(z.object({ name: z.string(), value: z.string().optional() })).default([]),
});
type ResultFile = z.infer<typeof ResultFile>;

export function readResultFiles(dirs: readonly string[]): ResultFile[] {
  return dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.endsWith('-result.json'))
        .map((name) => ResultFile.parse(JSON.parse(readFileSync(join(dir, name), 'utf8')))),
    );
}

type Attempt = Pick<ResultFile, 'uuid' | 'historyId' | 'stop'>;

/** The last attempt of each test: results sharing a history id are attempts of one test (Playwright retries). */
export function lastAttempts<T extends Attempt>(results: readonly T[]): T[] {
  const last = new Map<string, T>();
  for (const result of results) {
    const key = result.historyId ?? result.uuid;
    const seen = last.get(key);
    if (!seen || (result.stop ?? 0) >= (seen.stop ?? 0)) last.set(key, result);
  }
  return [...last.values()];
}

/** The hostile-input campaign's totals over the last attempt of each of its tests; undefined when none ran. */
export function hostileTotals(results: readonly ResultFile[]): HostileTotals | undefined {
  const observations = lastAttempts(results).flatMap((result) => observationOf(result.parameters) ?? []);
  return observations.length > 0 ? totalObservations(observations) : undefined;
}

/** The tests as Allure counts them: results sharing a history id are attempts of one test, the last one counts. */
export function countTests(results: readonly Pick<ResultFile, 'uuid' | 'historyId' | 'status' | 'stop'>[]): TestCounts {
  const tests = lastAttempts(results);
  const of = (status: ResultFile['status']) => tests.filter((test) => test.status === status).length;
  return { total: tests.length, passed: of('passed'), failed: of('failed'), broken: of('broken'), skipped: of('skipped') };
}

/**
 * When each suite was busy within a Playwright run that started at `since` (ms since the epoch): from
 * its first result's start to its last result's stop, by the project each result names (parentSuite).
 */
export function suiteSpans(
  results: readonly Pick<ResultFile, 'start' | 'stop' | 'labels'>[],
  suites: Record<string, readonly string[]>,
  since: number,
) {
  return Object.entries(suites).flatMap(([part, projects]) => {
    const own = results.filter((result) =>
      result.labels.some((label) => label.name === 'parentSuite' && projects.includes(label.value ?? '')),
    );
    const starts = own.flatMap((result) => (result.start ? [result.start] : []));
    const stops = own.flatMap((result) => (result.stop ? [result.stop] : []));
    if (starts.length === 0 || stops.length === 0) return [];
    return [{ part, fromMs: Math.max(0, Math.min(...starts) - since), toMs: Math.max(0, Math.max(...stops) - since) }];
  });
}
