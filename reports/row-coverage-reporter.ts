import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { isExpectedRedAnnotation } from '../fixtures/playwright/expected-red.ts';
import { reportPaths } from './paths.ts';
import { type CheckRecord, summarizeRows } from './row-coverage.ts';
import { describeSelection, selectedTestOfRun, selectionOfRun, writeSelection } from './selection.ts';

/**
 * Prints what the run proved about the catalog: rows covered by all their checks,
 * checks passed / failed / not run, and writes the per-row record for the report step.
 */
export default class RowCoverageReporter implements Reporter {
  readonly #checks = new Map<string, CheckRecord>();
  readonly #outputFile: string;

  /** A sliced run's patterns (TD448_SELECTION, set by npm start -- --grep); undefined for a whole run. */
  readonly #grep: string[] | undefined;
  readonly #selected: ReturnType<typeof selectedTestOfRun>;

  constructor(options: { outputFile?: string } = {}) {
    this.#outputFile = options.outputFile ?? reportPaths().rowCoverage;
    this.#grep = selectionOfRun();
    this.#selected = selectedTestOfRun();
  }

  onTestEnd(test: TestCase, result: TestResult) {
    // A sliced run judges its selection: a dependency project (contracts-consumer) runs whole whatever --grep says.
    if (this.#selected && !this.#selected(test)) return;
    const row = test.annotations.find((annotation) => annotation.type === 'row')?.description;
    const check = test.annotations.find((annotation) => annotation.type === 'check')?.description;
    if (!row || !check) return;
    const annotations = [...result.annotations, ...test.annotations];
    const notRun = annotations.find((annotation) => annotation.type === 'skip')?.description;
    // A self-check's expectation (expected-red.ts) keeps the worker of a red check; the verdict is the check's own.
    const contradiction = annotations.some((annotation) => annotation.type === 'fail' && !isExpectedRedAnnotation(annotation));
    const expectedRed = annotations.some(isExpectedRedAnnotation);
    this.#checks.set(test.id, {
      row: Number(row),
      check,
      title: test.title,
      project: test.parent.project()?.name ?? '',
      outcome:
        test.outcome() === 'skipped'
          ? 'not-run'
          : expectedRed && !contradiction
            ? result.status === 'passed'
              ? 'passed'
              : 'failed'
            : test.outcome() === 'expected' || test.outcome() === 'flaky'
              ? 'passed'
              : 'failed',
      contradiction,
      reason:
        notRun ??
        result.errors[0]?.message?.split('\n')[0] ??
        (result.status === 'skipped' ? 'not run: an earlier check of its serial group failed, or the run stopped first' : undefined),
      durationMs: result.duration,
    });
  }

  onEnd(_result: FullResult) {
    if (this.#checks.size === 0) return;
    // The run's selection is recorded beside its row coverage, for the report step.
    writeSelection(reportPaths(dirname(this.#outputFile)).selection, this.#grep);
    const selection = this.#grep ? { grep: this.#grep } : undefined;
    const summary = summarizeRows(loadCatalog(), [...this.#checks.values()], selection !== undefined);
    mkdirSync(dirname(this.#outputFile), { recursive: true });
    writeFileSync(this.#outputFile, JSON.stringify(summary, null, 2));
    const { totals } = summary;
    console.log(
      (selection
        ? // A slice covers no row whole by design: what it selected, not a coverage of 0.
          `\nTD448 rows selected: ${totals.rows - totals.rowsNotSelected}/${totals.rows} (${describeSelection(selection)}; rows covered by all their checks are counted in a whole run)`
        : `\nTD448 rows covered: ${totals.rowsCovered}/${totals.rows} (every row's auth, transaction-log, result and note checks present)`) +
        `\nchecks of catalog rows in this Playwright run: ${totals.checks.passed} passed, ${totals.checks.failed} failed, ${totals.checks.notRun} not run` +
        (totals.checks.contradictions > 0
          ? ` (${totals.checks.contradictions} of the passed confirm a contradiction of the catalog)`
          : '') +
        `\nrows: ${totals.rowsPassed} all passed, ${totals.rowsFailed} with a failed check, ${totals.rowsNotRun} with a check not run` +
        (selection ? `, ${totals.rowsNotSelected} not selected (${describeSelection(selection)})` : '') +
        `\nper-row record: ${this.#outputFile}`,
    );
  }

  printsToStdio() {
    return false;
  }
}
