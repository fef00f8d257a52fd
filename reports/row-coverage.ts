import { z } from 'zod';
import type { Catalog, Row } from '../fixtures/catalog/model.ts';

export const CheckRecord = z.object({
  row: z.number().int().positive(),
  check: z.string(),
  title: z.string(),
  project: z.string(),
  outcome: z.enum(['passed', 'failed', 'not-run']),
  /** An expected failure: the check shows the catalog contradicting itself. */
  contradiction: z.boolean(),
  reason: z.string().optional(),
  durationMs: z.number(),
});
export type CheckRecord = z.infer<typeof CheckRecord>;

/** not-selected: a sliced run (--grep) selected none of the row's checks; not-covered: a whole run checked nothing of it. */
export const RowStatus = z.enum(['passed', 'failed', 'not-run', 'not-covered', 'not-selected']);

/** A catalog row as a run saw it: the row's words, its status and the required checks it lacks. */
export const RowSeen = z.object({
  row: z.number().int().positive(),
  endpoint: z.string(),
  method: z.string(),
  action: z.string(),
  result: z.string(),
  note: z.string(),
  status: RowStatus,
  missingChecks: z.array(z.string()),
});

export const RowCoverage = z.object({
  totals: z.object({
    rows: z.number(),
    rowsCovered: z.number(),
    rowsPassed: z.number(),
    rowsFailed: z.number(),
    rowsNotRun: z.number(),
    /** Rows a sliced run (--grep) selected no check of; 0 for a whole run. */
    rowsNotSelected: z.number().default(0),
    checks: z.object({ passed: z.number(), failed: z.number(), notRun: z.number(), contradictions: z.number() }),
  }),
  rows: z.array(RowSeen.extend({ checks: z.array(CheckRecord) })),
});
export type RowCoverage = z.infer<typeof RowCoverage>;

/** The checks every row must have: OAuth2, the transaction log, its result and its note. */
export const requiredChecks = (row: Row) => ['auth', 'transaction-log', row.resultKey, row.noteKey];

/**
 * A row's status from its checks: failed when one failed; not run when one was not run or a required
 * one is missing; passed otherwise; not covered when nothing checked it. In a sliced run (`selected`:
 * npm start -- --grep) a row none of whose checks was selected is not selected, and the required checks
 * outside the selection do not count as missing: the row is judged on its selected checks. The per-run
 * record and the traceability matrix both read rows through this one rule.
 */
export function rowStatus(own: readonly CheckRecord[], missingChecks: readonly string[], sliced = false): z.infer<typeof RowStatus> {
  if (own.length === 0) return sliced ? 'not-selected' : 'not-covered';
  if (own.some((check) => check.outcome === 'failed')) return 'failed';
  if (own.some((check) => check.outcome === 'not-run') || (!sliced && missingChecks.length > 0)) return 'not-run';
  return 'passed';
}

/** A catalog row as the run saw it: the row's words, its status, the required checks it lacks, and its own checks. */
export function checksOfRow(row: Row, checks: readonly CheckRecord[], sliced = false) {
  const own = checks.filter((check) => check.row === row.number);
  const missingChecks = requiredChecks(row).filter((kind) => !own.some((check) => check.check === kind));
  const { number, endpoint, method, action, result, note } = row;
  return { row: number, endpoint, method, action, result, note, status: rowStatus(own, missingChecks, sliced), missingChecks, own };
}

/** The per-run record of the rows; `sliced` for a run that selected some checks (--grep). */
export function summarizeRows(catalog: Catalog, checks: readonly CheckRecord[], sliced = false): RowCoverage {
  const rows = catalog.rows.map((row) => {
    const { own, ...seen } = checksOfRow(row, checks, sliced);
    return { ...seen, checks: own };
  });
  const count = (outcome: CheckRecord['outcome']) => checks.filter((check) => check.outcome === outcome).length;
  return {
    totals: {
      rows: catalog.rows.length,
      rowsCovered: rows.filter((row) => row.missingChecks.length === 0).length,
      rowsPassed: rows.filter((row) => row.status === 'passed').length,
      rowsFailed: rows.filter((row) => row.status === 'failed').length,
      rowsNotRun: rows.filter((row) => row.status === 'not-run').length,
      rowsNotSelected: rows.filter((row) => row.status === 'not-selected').length,
      checks: {
        passed: count('passed'),
        failed: count('failed'),
        notRun: count('not-run'),
        contradictions: checks.filter((c) => c.contradiction && c.outcome === 'passed').length,
      },
    },
    rows,
  };
}
