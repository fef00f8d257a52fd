import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CampaignVerdict, loadCheckName, type VerdictStatus } from '../load/verdict.ts';
import type { CheckRecord } from './row-coverage.ts';

/** What the report reads of a load run's summary.json (scripts/load.ts writes it): the campaigns' verdicts, as load/ declares them. */
const LoadVerdict = CampaignVerdict.pick({
  campaign: true,
  slug: true,
  title: true,
  status: true,
  startedAt: true,
  finishedAt: true,
  thresholds: true,
});
type LoadStatus = VerdictStatus;

export const LoadRunSummary = z.object({
  runId: z.string(),
  profile: z.string(),
  verdicts: z.array(LoadVerdict),
});
export type LoadRunSummary = z.infer<typeof LoadRunSummary>;

/** The load part of summary.json: each threshold with its figure and its verdict. */
export const LoadSummary = z.object({
  status: z.enum(['passed', 'failed', 'not-judged', 'not-run', 'not-selected']),
  reason: z.string().optional(),
  runId: z.string().optional(),
  profile: z.string().optional(),
  durationMs: z.number().optional(),
  thresholds: z.array(
    z.object({
      campaign: z.string(),
      key: z.string(),
      title: z.string(),
      expected: z.string(),
      actual: z.string(),
      verdict: z.enum(['passed', 'failed', 'not-judged', 'not-run']),
      message: z.string().optional(),
      rows: z.number().int(),
    }),
  ),
});
export type LoadSummary = z.infer<typeof LoadSummary>;

const perfFilePattern = /^td448-load-(.+)-perf\.json$/;

/**
 * The load run whose results are in the Allure results directory (its `td448-load-<run>-perf.json`
 * names it), so that the summary and the report speak of the same run; undefined when no load ran.
 */
export function findLoadRun(allureResults: string, loadRuns: string): { runId: string; summaryFile: string } | undefined {
  const runIds = existsSync(allureResults)
    ? readdirSync(allureResults)
        .map((name) => perfFilePattern.exec(name)?.[1])
        .filter((runId): runId is string => runId !== undefined)
        .sort()
    : [];
  const runId = runIds.at(-1);
  if (!runId) return undefined;
  const summaryFile = join(loadRuns, runId, 'summary.json');
  return existsSync(summaryFile) ? { runId, summaryFile } : undefined;
}

/** Records why the run's load phase ran no campaign (`reason`: the --grep or --only that left it out) in `file` (paths.loadNotSelected). */
export function writeLoadNotSelected(file: string, reason: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ reason })}\n`);
}

/** What the load phase wrote when its selection held no row the campaigns check (paths.loadNotSelected); undefined otherwise. */
export function readLoadNotSelected(file: string): { reason: string } | undefined {
  if (!existsSync(file)) return undefined;
  return z.object({ reason: z.string() }).parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function readLoadRun(allureResults: string, loadRuns: string): LoadRunSummary | undefined {
  const found = findLoadRun(allureResults, loadRuns);
  if (!found) return undefined;
  const parsed = LoadRunSummary.safeParse(JSON.parse(readFileSync(found.summaryFile, 'utf8')));
  if (!parsed.success) throw new Error(`${found.summaryFile} is not a load run summary:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const verdictOf = (status: LoadStatus): LoadSummary['thresholds'][number]['verdict'] =>
  status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : status === 'broken' ? 'not-judged' : 'not-run';

/**
 * The load part of summary.json from the run's load results; without a run, "not selected" with `notSelected`'s
 * reason (the load phase's selection held no row the campaigns check: paths.loadNotSelected), else "not run".
 */
export function summarizeLoad(run: LoadRunSummary | undefined, notSelected?: { reason: string }): LoadSummary {
  if (!run && notSelected) return { status: 'not-selected', reason: notSelected.reason, thresholds: [] };
  if (!run) return { status: 'not-run', reason: 'no load run in this run’s Allure results', thresholds: [] };
  const thresholds = run.verdicts.flatMap((verdict) =>
    verdict.thresholds.map((threshold) => ({
      campaign: verdict.slug,
      key: threshold.key,
      title: threshold.title,
      expected: threshold.expected,
      actual: threshold.actual,
      verdict: verdictOf(threshold.status),
      ...(threshold.message ? { message: threshold.message } : {}),
      rows: threshold.rows.length,
    })),
  );
  const started = Math.min(...run.verdicts.map((verdict) => verdict.startedAt));
  const finished = Math.max(...run.verdicts.map((verdict) => verdict.finishedAt));
  return {
    status: run.verdicts.some((verdict) => verdict.status === 'failed')
      ? 'failed'
      : run.verdicts.every((verdict) => verdict.status === 'passed')
        ? 'passed'
        : 'not-judged',
    runId: run.runId,
    profile: run.profile,
    ...(run.verdicts.length > 0 ? { durationMs: finished - started } : {}),
    thresholds,
  };
}

/** Sub-checks that name their rows, as load/ names per-operation checks: `… (rows 2, 165)`. */
const rowsNamed = (name: string) => {
  const match = /\(rows? ([\d, ]+)\)/.exec(name);
  return match?.[1] ? match[1].split(',').map((part) => Number(part.trim())) : [];
};

const outcomeOf = (status: LoadStatus): CheckRecord['outcome'] =>
  status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : 'not-run';

/**
 * A load run as per-row checks: each threshold a row falls under (`load:<campaign>:<threshold>`),
 * judged by the sub-check naming the row when there is one (a per-operation p95), else by the threshold.
 * A row whose own sub-check was not judged (too few requests for its operation alone) is left to the
 * campaign-wide thresholds that cover it.
 */
export function loadChecks(run: LoadRunSummary | undefined): CheckRecord[] {
  if (!run) return [];
  return run.verdicts.flatMap((verdict) =>
    verdict.thresholds.flatMap((threshold) =>
      threshold.rows.flatMap((row) => {
        const own = threshold.checks.find((check) => rowsNamed(check.name).includes(row));
        if (own?.status === 'skipped') return [];
        const status = own?.status ?? threshold.status;
        const reason = own ? `${own.name}: ${own.actual}` : `${threshold.title}: ${threshold.actual}`;
        return {
          row,
          check: loadCheckName(verdict.slug, threshold.key),
          title: `load · ${run.profile} · ${verdict.slug} · ${threshold.title}`,
          project: 'load',
          outcome: outcomeOf(status),
          contradiction: false,
          ...(status === 'passed' ? {} : { reason }),
          durationMs: verdict.finishedAt - verdict.startedAt,
        };
      }),
    ),
  );
}
