import { existsSync, readFileSync } from 'node:fs';
import type { TraceabilityMatrix, TraceabilityRow } from './traceability.ts';
import { TraceabilityMatrix as MatrixSchema } from './traceability.ts';

export class RowLookupError extends Error {
  override name = 'RowLookupError';
}

/** The matrix of the last run, or why there is none. */
export function readMatrix(file: string): TraceabilityMatrix {
  if (!existsSync(file)) {
    throw new RowLookupError(`no traceability matrix at ${file}: run npm start (or npm run report after a suite run) first`);
  }
  return MatrixSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** "214" → the row of the matrix; anything else is refused with the catalog's range. */
export function findRow(matrix: TraceabilityMatrix, wanted: string): TraceabilityRow {
  const numbers = matrix.rows.map((row) => row.row);
  const range = `rows ${Math.min(...numbers)}–${Math.max(...numbers)}`;
  if (!/^\d+$/.test(wanted)) throw new RowLookupError(`"${wanted}" is not a row number (the catalog has ${range})`);
  const row = matrix.rows.find((candidate) => candidate.row === Number(wanted));
  if (!row) throw new RowLookupError(`row ${wanted} is not in the catalog (${range})`);
  return row;
}

const outcomeLabel = { passed: 'passed', failed: 'FAILED', 'not-run': 'not run' } as const;

/** "Is row 214 covered, and does it pass?": the row, its status, each check with its outcome and why, the catalog's findings. */
export function describeRow(row: TraceabilityRow): string {
  const { checks } = row;
  const lines = [
    `row ${row.row} · ${row.method} ${row.endpoint} · ${row.action} · ${row.result} · ${row.note}`,
    `status: ${row.status} (${checks.total} checks: ${checks.passed} passed, ${checks.failed} failed, ${checks.notRun} not run` +
      `${row.missingChecks.length > 0 ? `; missing: ${row.missingChecks.join(', ')}` : ''})`,
    ...row.detail.map(
      (check) =>
        `  ${outcomeLabel[check.outcome].padEnd(8)} ${check.suite.padEnd(10)} ${check.check.padEnd(28)} ${check.title}` +
        (check.confirmsContradiction ? ' (passes by confirming a contradiction of the catalog)' : '') +
        (check.reason && check.outcome !== 'passed' ? `\n           ${check.reason}` : ''),
    ),
  ];
  if (row.contradictions.length > 0) lines.push('catalog findings:', ...row.contradictions.map((finding) => `  ${finding}`));
  return lines.join('\n');
}
