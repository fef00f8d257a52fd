import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { describeTotals, HostileTotals } from '../fixtures/playwright/hostile-observation.ts';
import { LoadSummary } from './load-results.ts';
import { describeSelection, Selection } from './selection.ts';
import { countRows, type TraceabilityRow } from './traceability.ts';

/** reports/output/phases.json, written by the main job: how long each of its phases took. */
export const Phases = z.array(
  z.object({
    phase: z.string().min(1),
    durationMs: z.number().nonnegative(),
    ok: z.boolean().optional(),
    /** Suites that ran side by side within the phase (contracts and functional share one Playwright run): when each was busy. */
    parts: z.array(z.object({ part: z.string().min(1), fromMs: z.number().nonnegative(), toMs: z.number().nonnegative() })).optional(),
  }),
);
export type Phases = z.infer<typeof Phases>;

export function readPhases(file: string): Phases | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = Phases.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a list of {phase, durationMs}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const Counts = z.object({ passed: z.number().int(), failed: z.number().int(), notRun: z.number().int() });

export const TestCounts = z.object({
  total: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  broken: z.number().int(),
  skipped: z.number().int(),
});
export type TestCounts = z.infer<typeof TestCounts>;

export const QualityGateOutcome = z.object({
  status: z.enum(['passed', 'failed', 'not-run']),
  failures: z.array(z.string()),
});
export type QualityGateOutcome = z.infer<typeof QualityGateOutcome>;

/** reports/output/summary.json: what the run proved, for machines (CI, the main job) and for people. */
export const Summary = z.object({
  generatedAt: z.string(),
  verdict: z.enum(['passed', 'failed']),
  reasons: z.array(z.string()),
  target: z.object({ name: z.string(), apiBaseUrl: z.string().optional(), faultInjection: z.boolean().optional() }),
  catalog: z.object({
    path: z.string(),
    sha256: z.string(),
    rows: z.number().int(),
    operations: z.number().int(),
    findings: z.number().int(),
  }),
  /** Rows: all checks passed / some failed / some not run (or missing; notCovered: nothing checked them). */
  rows: z.object({
    total: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    notRun: z.number().int(),
    notCovered: z.number().int(),
    /** Rows a sliced run (npm start -- --grep) selected no check of. */
    notSelected: z.number().int().default(0),
  }),
  /** The run's selection (npm start -- --grep); absent for a whole run. The quality gate judged the selection only. */
  selection: Selection.optional(),
  failingRows: z.array(z.number().int()),
  /** Every (row, check) of the matrix: functional and contract tests, and load thresholds per row they cover. */
  checks: Counts.extend({ confirmedContradictions: z.number().int(), bySuite: z.record(z.string(), Counts) }),
  load: LoadSummary,
  /** The hostile-input campaign (functional/hostile, tag @hostile) when it ran: inputs tried, answered correctly, wrote, emitted. */
  hostile: HostileTotals.optional(),
  /** The Allure results of the run, as the report counts them (retries folded into their last attempt). */
  tests: TestCounts,
  qualityGate: QualityGateOutcome,
  durationMs: z.number().nonnegative(),
  durationSource: z.enum(['phases', 'junit and load']),
  phases: Phases,
  files: z.object({
    report: z.string(),
    singleFile: z.boolean(),
    traceabilityCsv: z.string(),
    traceabilityJson: z.string(),
    junit: z.string(),
    /** Absent from summaries written before it was added. */
    summary: z.string().optional(),
  }),
});
export type Summary = z.infer<typeof Summary>;

export function countChecks(rows: readonly TraceabilityRow[]): Summary['checks'] {
  const checks = rows.flatMap((row) => row.detail);
  const of = (list: typeof checks, outcome: string) => list.filter((check) => check.outcome === outcome).length;
  const counts = (list: typeof checks) => ({ passed: of(list, 'passed'), failed: of(list, 'failed'), notRun: of(list, 'not-run') });
  const suites = [...new Set(checks.map((check) => check.suite))].sort();
  return {
    ...counts(checks),
    confirmedContradictions: checks.filter((check) => check.confirmsContradiction).length,
    bySuite: Object.fromEntries(suites.map((suite) => [suite, counts(checks.filter((check) => check.suite === suite))])),
  };
}

/** Why the run failed: a failed check, a broken test, a load threshold missed or not judged, the gate. */
export function reasonsToFail(summary: Pick<Summary, 'rows' | 'failingRows' | 'tests' | 'load' | 'qualityGate'>): string[] {
  const rowList = (rows: readonly number[]) => (rows.length > 12 ? `${rows.slice(0, 12).join(', ')}, …` : rows.join(', '));
  return [
    summary.rows.failed > 0 ? `${summary.rows.failed} rows with a failed check (rows ${rowList(summary.failingRows)})` : '',
    summary.tests.broken > 0 ? `${summary.tests.broken} broken tests` : '',
    summary.load.status === 'failed' ? 'a load threshold failed' : '',
    summary.load.status === 'not-judged' ? 'the load campaign could not be judged (generator-bound)' : '',
    summary.qualityGate.status === 'failed' ? `the quality gate failed (${summary.qualityGate.failures.length} rules)` : '',
  ].filter(Boolean);
}

export function rowTotals(rows: readonly TraceabilityRow[]): Pick<Summary, 'rows' | 'failingRows'> {
  return { rows: countRows(rows), failingRows: rows.filter((row) => row.status === 'failed').map((row) => row.row) };
}

const seconds = (ms: number) =>
  ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;

/** The short summary the main job prints. */
const phaseLine = (phase: Phases[number]) =>
  `${phase.phase} ${seconds(phase.durationMs)}` +
  (phase.parts?.length
    ? ` [${phase.parts.map((part) => `${part.part} ${seconds(part.toMs - part.fromMs)}, from ${seconds(part.fromMs)}`).join('; ')}]`
    : '');

/** `; by suite: contract 1343, functional 1415, …` (each suite's checks of catalog rows, all outcomes), '' without any. */
const bySuiteText = (bySuite: Summary['checks']['bySuite']) => {
  const parts = Object.entries(bySuite)
    .map(([suite, counts]) => [suite, counts.passed + counts.failed + counts.notRun] as const)
    .filter(([, total]) => total > 0);
  return parts.length > 0 ? `; by suite: ${parts.map(([suite, total]) => `${suite} ${total}`).join(', ')}` : '';
};

/** The summary's load lines: not run or not selected with the reason, else the status and each threshold's figure. */
export function loadLines(load: LoadSummary): string[] {
  if (load.status === 'not-run' || load.status === 'not-selected')
    return [`load: ${load.status === 'not-run' ? 'not run' : 'not selected'} (${load.reason ?? 'no load results'})`];
  return [
    `load (${load.profile}, run ${load.runId}): ${load.status}`,
    ...load.thresholds.map(
      (threshold) => `  ${threshold.verdict.padEnd(10)} ${threshold.campaign} · ${threshold.title}: ${threshold.actual}`,
    ),
  ];
}

export function formatSummary(summary: Summary): string {
  const { rows, checks, load, tests } = summary;
  return [
    `TD448 run ${summary.verdict === 'passed' ? 'PASSED' : 'FAILED'} against ${summary.target.name}${summary.reasons.length > 0 ? `: ${summary.reasons.join('; ')}` : ''}`,
    `rows (${rows.total}): ${rows.passed} all checks passed · ${rows.failed} some failed · ${rows.notRun} some not run${rows.notCovered > 0 ? ` (${rows.notCovered} not covered at all)` : ''}` +
      (summary.selection
        ? `\nselection: ${describeSelection(summary.selection)}: ${rows.total - rows.notSelected} rows selected (judged on their selected checks), ${rows.notSelected} not selected`
        : ''),
    `checks of catalog rows: ${checks.passed} passed · ${checks.failed} failed · ${checks.notRun} not run` +
      (checks.confirmedContradictions > 0 ? ` (${checks.confirmedContradictions} passed confirm a contradiction of the catalog)` : '') +
      bySuiteText(checks.bySuite),
    `tests in the report: ${tests.total} (${tests.passed} passed, ${tests.failed} failed, ${tests.broken} broken, ${tests.skipped} skipped; the Playwright tests, with those of no row, and one per load campaign)`,
    ...loadLines(load),
    ...(summary.hostile ? [`hostile input: ${describeTotals(summary.hostile)}`] : []),
    `quality gate: ${summary.qualityGate.status}${summary.selection ? ' (judged on the selection only)' : ''}${summary.qualityGate.failures.map((failure) => `\n  ✗ ${failure}`).join('')}`,
    `time: ${seconds(summary.durationMs)}${summary.phases.length > 0 ? ` (${summary.phases.map(phaseLine).join(', ')})` : ''}`,
    `report: ${summary.files.report}${summary.files.singleFile ? ' (single file)' : ` (serve it: npx allure open ${dirname(summary.files.report)})`}`,
    `traceability: ${summary.files.traceabilityCsv}, ${summary.files.traceabilityJson}; summary: ${summary.files.summary ?? 'summary.json'}; JUnit: ${summary.files.junit}`,
  ].join('\n');
}
