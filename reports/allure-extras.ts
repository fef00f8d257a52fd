import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stage, Status, type StepResult, type TestResult } from 'allure-js-commons';
import { countRows, type TraceabilityRow } from './traceability.ts';

/** The label that marks results the report step made itself, so that allurerc.mjs keeps them out of the gate and the categories. */
export const reportMadeLabel = (what: 'traceability-matrix') => ({ name: 'td448', value: what });

/** The results written here are allure-js-commons' TestResult and StepResult, as Allure 3 reads them. */
const statusOf = (outcome: 'passed' | 'failed' | 'not-run' | 'not-covered' | 'not-selected'): Status =>
  outcome === 'passed' ? Status.PASSED : outcome === 'failed' ? Status.FAILED : Status.SKIPPED;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function rowStep(row: TraceabilityRow, at: number): StepResult {
  const checks = row.detail.map(
    (check): StepResult => ({
      name: `${check.check} (${check.suite}): ${check.outcome}${check.confirmsContradiction ? ', confirms a contradiction of the catalog' : ''}`,
      status: statusOf(check.outcome),
      stage: Stage.FINISHED,
      statusDetails: check.reason ? { message: check.reason } : {},
      start: at,
      stop: at,
      steps: [],
      attachments: [],
      parameters: [{ name: 'test', value: check.title }],
    }),
  );
  const missing = row.missingChecks.map(
    (kind): StepResult => ({
      name: `${kind}: missing (no test of the run checked it)`,
      status: Status.SKIPPED,
      stage: Stage.FINISHED,
      statusDetails: {},
      start: at,
      stop: at,
      steps: [],
      attachments: [],
      parameters: [],
    }),
  );
  const problems = [
    row.failingChecks.length > 0 ? `failed: ${row.failingChecks.join(', ')}` : '',
    row.notRunChecks.length > 0 ? `not run: ${row.notRunChecks.join(', ')}` : '',
    row.missingChecks.length > 0 ? `missing: ${row.missingChecks.join(', ')}` : '',
    ...row.contradictions.map((finding) => `catalog: ${finding}`),
  ].filter(Boolean);
  return {
    name:
      `row ${row.row} · ${row.method} ${row.endpoint} · ${row.action} · ${row.result} · ${row.note} — ` +
      `${row.status}: ${row.checks.passed} passed, ${row.checks.failed} failed, ${row.checks.notRun} not run`,
    status: statusOf(row.status),
    stage: Stage.FINISHED,
    statusDetails: problems.length > 0 ? { message: problems.join('\n') } : {},
    start: at,
    stop: at,
    steps: [...checks, ...missing],
    attachments: [],
    parameters: [],
  };
}

export interface MatrixFiles {
  html: string;
  csv: string;
  json: string;
}

/**
 * The traceability matrix as one Allure result: a step per catalog row (its checks as sub-steps, with
 * their status and why), the matrix attached as HTML, CSV and JSON. It fails when a row failed.
 */
/** `at`: the end of the run, so that the report's run time is the suites' own. */
export function matrixResult(rows: readonly TraceabilityRow[], files: MatrixFiles, at: number) {
  const counts = countRows(rows);
  const failed = rows.filter((row) => row.status === 'failed').map((row) => row.row);
  const attachment = (name: string, type: string, extension: string, content: string) => ({
    meta: { name, source: `td448-report-${randomUUID()}-attachment.${extension}`, type },
    content,
  });
  const attachments = [
    attachment('traceability matrix (HTML)', 'text/html', 'html', files.html),
    attachment('traceability matrix (CSV)', 'text/csv', 'csv', files.csv),
    attachment('traceability matrix (JSON)', 'application/json', 'json', files.json),
  ];
  const fullName = 'td448/traceability-matrix';
  const result: TestResult = {
    uuid: randomUUID(),
    historyId: md5(fullName),
    testCaseId: md5(fullName),
    fullName,
    name: `TD448 traceability matrix: ${counts.total} catalog rows → their checks → status`,
    status: failed.length > 0 ? Status.FAILED : counts.notRun > 0 ? Status.SKIPPED : Status.PASSED,
    statusDetails: {
      message:
        `${counts.passed} rows with every check passed, ${counts.failed} with a failed check, ${counts.notRun} with a check not run or missing` +
        (failed.length > 0 ? `\nrows with a failed check: ${failed.join(', ')}` : ''),
    },
    stage: Stage.FINISHED,
    start: at,
    stop: at,
    description:
      'Every row of the TD448 catalog with its checks (functional, contract, load) and their status. ' +
      'Open the HTML attachment for the whole matrix at a glance, or a step below for one row (search `row 214`).',
    labels: [
      reportMadeLabel('traceability-matrix'),
      { name: 'parentSuite', value: 'traceability' },
      { name: 'suite', value: 'TD448 catalog' },
      { name: 'epic', value: 'TD448 catalog' },
      { name: 'feature', value: 'matrix' },
      { name: 'tag', value: 'traceability' },
    ],
    links: [],
    parameters: [],
    steps: rows.map((row) => rowStep(row, at)),
    attachments: attachments.map((item) => item.meta),
  };
  return { result, attachments };
}

/** Writes the report step's own results (environment, matrix) into a directory of their own, emptied first. */
export function writeAllureExtras(dir: string, environmentProperties: string, matrix: ReturnType<typeof matrixResult>) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'environment.properties'), environmentProperties);
  for (const item of matrix.attachments) writeFileSync(join(dir, item.meta.source), item.content);
  writeFileSync(join(dir, `td448-report-${matrix.result.uuid}-result.json`), JSON.stringify(matrix.result));
}
