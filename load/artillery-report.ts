import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A histogram as Artillery summarises it: whole milliseconds for timings, exact min and max. */
export const Summary = z.object({
  min: z.number(),
  max: z.number(),
  count: z.number(),
  mean: z.number(),
  p50: z.number(),
  median: z.number().optional(),
  p75: z.number().optional(),
  p90: z.number().optional(),
  p95: z.number(),
  p99: z.number(),
  p999: z.number().optional(),
});
export type Summary = z.infer<typeof Summary>;

export const Period = z.object({
  period: z.union([z.number(), z.string()]).transform(Number),
  counters: z.record(z.string(), z.number()).default({}),
  rates: z.record(z.string(), z.number()).default({}),
  summaries: z.record(z.string(), Summary).default({}),
  firstMetricAt: z.number().optional(),
  lastMetricAt: z.number().optional(),
});
export type Period = z.infer<typeof Period>;

/** The JSON report of `artillery run --output`: the whole run, and one period per 10 s. */
export const ArtilleryReport = z.object({
  aggregate: Period,
  intermediate: z.array(Period).default([]),
});
export type ArtilleryReport = z.infer<typeof ArtilleryReport>;

export function readArtilleryReport(path: string): ArtilleryReport {
  const parsed = ArtilleryReport.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not an Artillery JSON report:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export const counter = (period: Period, name: string) => period.counters[name] ?? 0;

/** Sum of the counters whose names match. */
export const countersMatching = (period: Period, pattern: RegExp) =>
  Object.entries(period.counters)
    .filter(([name]) => pattern.test(name))
    .reduce((sum, [, value]) => sum + value, 0);
