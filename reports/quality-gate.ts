import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Catalog } from '../fixtures/catalog/model.ts';
import { gateBoundOf } from '../load/thresholds.ts';
import { readResultFiles } from './allure-results.ts';
import { requiredChecks } from './row-coverage.ts';

/** One bound on an Allure 3 performance metric, as its metricMax / metricMin rules take it. */
export const MetricBound = z.object({
  rule: z.enum(['metricMax', 'metricMin']),
  key: z.string(),
  value: z.number(),
  why: z.string(),
});
export type MetricBound = z.infer<typeof MetricBound>;

/** The numbers allurerc.mjs's quality-gate rules need that come from the catalog and the run. */
export const GateExpectations = z.object({
  /**
   * Every row's required checks (OAuth2, transaction log, its result, its note) when the functional suite
   * ran: fewer tests means a truncated run. A run of other suites alone (npm start -- --only load) must
   * still have produced one row check; its rows without functional checks show as not run.
   */
  minTestsCount: z.number().int().nonnegative(),
  metrics: z.array(MetricBound),
});
export type GateExpectations = z.infer<typeof GateExpectations>;

const PerfMetric = z.object({ key: z.string(), value: z.number() });

/** The performance-metric keys of this run (`load.<profile>.<campaign>.<figure>`), read from its *-perf.json files. */
export function perfMetricKeys(allureResults: string): string[] {
  if (!existsSync(allureResults)) return [];
  return readdirSync(allureResults)
    .filter((name) => name.endsWith('-perf.json'))
    .flatMap((name) => z.array(PerfMetric).parse(JSON.parse(readFileSync(join(allureResults, name), 'utf8'))))
    .map((metric) => metric.key);
}

/**
 * The catalog's promises as bounds on the load metrics the run produced, as the load thresholds declare them
 * (load/thresholds.ts); no bound on a metric that was not produced.
 */
export function metricBounds(keys: readonly string[]): MetricBound[] {
  return [...new Set(keys)].flatMap((key): MetricBound[] => {
    const [, , slug, figure] = key.split('.');
    const bound = slug && figure ? gateBoundOf(slug, figure) : undefined;
    return bound ? [{ rule: bound.rule, key, value: bound.value, why: bound.why }] : [];
  });
}

export function gateExpectations(catalog: Catalog, allureResults: string, sliced = false): GateExpectations {
  // A sliced run (--grep) is judged on its selection: it needs one check, not every row's.
  const functionalRan =
    !sliced &&
    readResultFiles([allureResults]).some((result) =>
      result.labels.some((label) => label.name === 'parentSuite' && label.value === 'functional'),
    );
  return {
    minTestsCount: functionalRan ? catalog.rows.reduce((sum, row) => sum + requiredChecks(row).length, 0) : 1,
    metrics: metricBounds(perfMetricKeys(allureResults)),
  };
}
