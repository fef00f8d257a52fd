import { z } from 'zod';
import type { Finding } from '../fixtures/catalog/lint.ts';
import type { Catalog } from '../fixtures/catalog/model.ts';
import { CheckRecord, checksOfRow, RowSeen } from './row-coverage.ts';

/** One check of a row, as the matrix shows it. */
export const TracedCheck = CheckRecord.pick({ check: true, outcome: true, reason: true, title: true }).extend({
  suite: z.string(),
  /** Passed as an expected failure: the check confirms a contradiction of the catalog. */
  confirmsContradiction: z.boolean(),
});

/** One catalog row → its checks (functional, contract, load) → their status. */
export const TraceabilityRow = RowSeen.extend({
  checks: z.object({ total: z.number(), passed: z.number(), failed: z.number(), notRun: z.number() }),
  failingChecks: z.array(z.string()),
  notRunChecks: z.array(z.string()),
  contradictions: z.array(z.string()),
  detail: z.array(TracedCheck),
});
export type TraceabilityRow = z.infer<typeof TraceabilityRow>;

export const TraceabilityMatrix = z.object({
  catalog: z.object({ path: z.string(), rows: z.number() }),
  rows: z.array(TraceabilityRow),
});
export type TraceabilityMatrix = z.infer<typeof TraceabilityMatrix>;

const suiteOf = (check: CheckRecord) =>
  check.project === 'load' ? 'load' : check.project.startsWith('contracts') ? 'contract' : check.project || 'functional';

const unique = (names: readonly string[]) => [...new Set(names)];

/**
 * The matrix: every catalog row, whether or not anything checked it. A row fails when one of its checks
 * failed; it is "not run" when a check was not run or a required check is missing; "not covered" when
 * nothing checked it at all.
 */
export function traceRows(
  catalog: Catalog,
  checks: readonly CheckRecord[],
  findings: readonly Finding[],
  /** A sliced run (--grep): rows it selected nothing of are not selected. */
  sliced = false,
): TraceabilityRow[] {
  return catalog.rows.map((row) => {
    const { own, ...seen } = checksOfRow(row, checks, sliced);
    const of = (outcome: CheckRecord['outcome']) => own.filter((check) => check.outcome === outcome);
    return {
      ...seen,
      checks: { total: own.length, passed: of('passed').length, failed: of('failed').length, notRun: of('not-run').length },
      failingChecks: unique(of('failed').map((check) => check.check)),
      notRunChecks: unique(of('not-run').map((check) => check.check)),
      contradictions: findings
        .filter((finding) => finding.rows.includes(row.number))
        .map((finding) => `${finding.kind}: ${finding.message}`),
      detail: own.map((check) => ({
        check: check.check,
        suite: suiteOf(check),
        outcome: check.outcome,
        confirmsContradiction: check.contradiction && check.outcome === 'passed',
        ...(check.reason ? { reason: check.reason } : {}),
        title: check.title,
      })),
    };
  });
}

export const csvColumns = [
  'row',
  'endpoint',
  'method',
  'action',
  'result',
  'note',
  'status',
  'checks',
  'checks passed',
  'checks failed',
  'checks not run',
  'failing checks',
  'checks not run (names)',
  'missing checks',
  'contradiction findings',
] as const;

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export const csvField = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const listCell = (items: readonly string[]) => items.join('; ');

/**
 * The matrix as CSV: one line per row, CRLF line ends, UTF-8 with a byte-order mark so that
 * spreadsheet programs read the catalog's Vietnamese text as it is.
 */
export function traceabilityCsv(rows: readonly TraceabilityRow[]): string {
  const lines = [
    csvColumns.join(','),
    ...rows.map((row) =>
      [
        row.row,
        row.endpoint,
        row.method,
        row.action,
        row.result,
        row.note,
        row.status,
        row.checks.total,
        row.checks.passed,
        row.checks.failed,
        row.checks.notRun,
        listCell(row.failingChecks),
        listCell(row.notRunChecks),
        listCell(row.missingChecks),
        listCell(row.contradictions),
      ]
        .map(csvField)
        .join(','),
    ),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Reads what traceabilityCsv writes (RFC 4180 quoting, CRLF records), byte-order mark included. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = text.startsWith('\uFEFF') ? 1 : 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += char;
  }
  return records;
}

export const countRows = (rows: readonly TraceabilityRow[]) => ({
  total: rows.length,
  passed: rows.filter((row) => row.status === 'passed').length,
  failed: rows.filter((row) => row.status === 'failed').length,
  notRun: rows.filter((row) => row.status === 'not-run' || row.status === 'not-covered').length,
  notCovered: rows.filter((row) => row.status === 'not-covered').length,
  notSelected: rows.filter((row) => row.status === 'not-selected').length,
});
