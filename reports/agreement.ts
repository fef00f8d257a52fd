import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ReportPaths } from './paths.ts';
import { Summary } from './summary.ts';
import { csvColumns, parseCsv, TraceabilityMatrix } from './traceability.ts';

/** The outputs of one run that each name its failing catalog rows. */
export const failingRowSources = ['summary.json', 'traceability.json', 'traceability.csv', 'Allure report'] as const;
export type FailingRowSource = (typeof failingRowSources)[number];
export type FailingRowsBySource = Record<FailingRowSource, number[]>;

/** The part of a result in the generated Allure report (data/test-results/<id>.json) that names a row. */
const ReportedResult = z.object({
  status: z.string(),
  labels: z.array(z.object({ name: z.string(), value: z.string().optional() })),
});

const sorted = (rows: Iterable<number>) => [...new Set(rows)].sort((a, b) => a - b);

/** Rows of failed or broken results in the generated report, read from the report itself, not the results it was built from. */
function allureReportFailingRows(reportDir: string): number[] {
  const dir = join(reportDir, 'data', 'test-results');
  if (!existsSync(dir)) {
    throw new Error(
      `${dir} does not exist: the rows of a report can be read from a report directory only (build it without --single-file)`,
    );
  }
  return sorted(
    readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) => {
        const result = ReportedResult.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
        if (result.status !== 'failed' && result.status !== 'broken') return [];
        return result.labels.filter((label) => label.name === 'row' && label.value).map((label) => Number(label.value));
      }),
  );
}

function csvFailingRows(file: string): number[] {
  const [header, ...records] = parseCsv(readFileSync(file, 'utf8'));
  const rowColumn = header?.indexOf(csvColumns[0]) ?? -1;
  const statusColumn = header?.indexOf('status') ?? -1;
  if (rowColumn < 0 || statusColumn < 0) throw new Error(`${file} has no "row" and "status" columns: was it written by npm run report?`);
  return sorted(records.filter((record) => record[statusColumn] === 'failed').map((record) => Number(record[rowColumn])));
}

/**
 * What each output of a run says about its failing rows. A QA lead may open any of them (the summary,
 * the matrix as JSON or CSV, the Allure report) and must be pointed at the same rows.
 */
export function failingRowsBySource(paths: ReportPaths): FailingRowsBySource {
  const matrix = TraceabilityMatrix.parse(JSON.parse(readFileSync(paths.traceabilityJson, 'utf8')));
  return {
    'summary.json': sorted(Summary.parse(JSON.parse(readFileSync(paths.summary, 'utf8'))).failingRows),
    'traceability.json': sorted(matrix.rows.filter((row) => row.status === 'failed').map((row) => row.row)),
    'traceability.csv': csvFailingRows(paths.traceabilityCsv),
    'Allure report': allureReportFailingRows(paths.allureReport),
  };
}

const shortList = (rows: readonly number[]) => (rows.length > 12 ? `${rows.slice(0, 12).join(', ')}, … (${rows.length})` : rows.join(', '));

/** How each source differs from the rows expected to fail; empty when they all name exactly those rows. */
export function disagreements(bySource: FailingRowsBySource, expected: readonly number[]): string[] {
  const want = new Set(expected);
  return failingRowSources.flatMap((source) => {
    const named = new Set(bySource[source]);
    const missing = [...want].filter((row) => !named.has(row));
    const extra = [...named].filter((row) => !want.has(row));
    if (missing.length === 0 && extra.length === 0) return [];
    return [
      `${source}: ${missing.length ? `does not name failing row(s) ${shortList(sorted(missing))}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `names row(s) ${shortList(sorted(extra))} that should pass` : ''}`,
    ];
  });
}
