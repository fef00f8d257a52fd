import { stripVTControlCharacters } from 'node:util';
import type { FullConfig, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import logUpdate from 'log-update';
import { selectedTestOfRun } from './selection.ts';

/** The environment variable naming the phase a run belongs to (`contracts + functional`), shown in the progress. */
export const phaseVariable = 'TD448_PHASE';

/** How often a non-terminal output gets a progress line: every 10 % of the checks, or every 15 s, whichever comes first. */
const lineSteps = 10;
const lineEveryMs = 15_000;

const duration = (ms: number) => {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
};

/**
 * The run as a person follows it in a terminal, instead of a line per check: on a TTY one status line redrawn in
 * place (log-update) with the phase, the catalog rows fully checked, the checks passed / failed / not run so far,
 * the time elapsed and an estimate of what remains; each failure printed once, as it happens, with its row, its
 * check and the first line of its reason. Without a TTY (CI, a pipe) the same status as a line every 10 % of the
 * checks or every 15 s, and the failures. Used by npm start (TD448_CONSOLE_REPORTER); `--verbose` keeps the line per check.
 */
export default class ProgressReporter implements Reporter {
  readonly #tty: boolean;
  readonly #write: (line: string) => void;
  readonly #phase = process.env[phaseVariable] ?? 'tests';
  #started = 0;
  #total = 0;
  #done = 0;
  #passed = 0;
  #failed = 0;
  #notRun = 0;
  /** Per catalog row, the checks of this run not ended yet. */
  readonly #pendingByRow = new Map<string, number>();
  #rowsChecked = 0;
  /** A sliced run's selection: the checks it did not match (a dependency project's) are counted apart, so that one selected row does not read as 320. */
  readonly #selected = selectedTestOfRun();
  readonly #dependency = new Set<string>();
  #dependencyDone = 0;
  #dependencyFailed = 0;
  #lastLineAt = 0;
  #lastLineStep = 0;

  constructor(options: { tty?: boolean; write?: (line: string) => void } = {}) {
    // A terminal without a size (a pseudo-terminal nobody sized) cannot be redrawn in: lines then.
    this.#tty = options.tty ?? (!!process.stdout.isTTY && (process.stdout.rows ?? 0) > 0);
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  onBegin(_config: FullConfig, suite: Suite) {
    this.#started = Date.now();
    const tests = suite.allTests();
    this.#total = tests.length;
    for (const test of tests) {
      if (this.#selected && !this.#selected(test)) {
        this.#dependency.add(test.id);
        continue;
      }
      const row = rowOf(test);
      if (row) this.#pendingByRow.set(row, (this.#pendingByRow.get(row) ?? 0) + 1);
    }
    this.#lastLineAt = this.#started;
    const selected = this.#total - this.#dependency.size;
    this.#show(
      `${this.#phase}: ${selected} checks over ${this.#pendingByRow.size} catalog row${this.#pendingByRow.size === 1 ? '' : 's'}` +
        (this.#dependency.size > 0
          ? `, and ${this.#dependency.size} checks of the projects they depend on (run whatever --grep says)`
          : ''),
    );
  }

  onTestEnd(test: TestCase, result: TestResult) {
    // A retried test ends once per attempt: count it when its last attempt ended.
    if (result.status !== 'passed' && result.status !== 'skipped' && result.retry < test.retries) return;
    this.#done++;
    const outcome = test.outcome();
    if (this.#dependency.has(test.id)) {
      this.#dependencyDone++;
      if (outcome === 'unexpected') this.#dependencyFailed++;
    } else if (outcome === 'skipped') this.#notRun++;
    else if (outcome === 'unexpected') this.#failed++;
    else this.#passed++;
    const row = rowOf(test);
    if (row && !this.#dependency.has(test.id)) {
      const left = (this.#pendingByRow.get(row) ?? 1) - 1;
      this.#pendingByRow.set(row, left);
      if (left === 0) this.#rowsChecked++;
    }
    if (outcome === 'unexpected') {
      const check = test.annotations.find((annotation) => annotation.type === 'check')?.description;
      const reason = (result.errors[0]?.message ?? result.status).split('\n')[0] ?? '';
      this.#print(
        `✘ ${row ? `row ${row}` : test.parent.project()?.name}${check ? ` · ${check}` : ''} · ${test.title} — ${stripVTControlCharacters(reason).slice(0, 200)}`,
      );
    }
    const step = Math.floor((this.#done * lineSteps) / Math.max(1, this.#total));
    const due = Date.now() - this.#lastLineAt >= lineEveryMs || step > this.#lastLineStep;
    // The last check's status is the closing line's (onEnd).
    if (this.#done < this.#total && (this.#tty || due)) {
      this.#lastLineAt = Date.now();
      this.#lastLineStep = step;
      this.#show(this.#status());
    }
  }

  onEnd() {
    if (this.#tty) logUpdate.clear();
    this.#write(`${this.#status(true)}`);
  }

  printsToStdio() {
    return true;
  }

  #status(final = false): string {
    const elapsed = Date.now() - this.#started;
    const rest =
      this.#done > 0 && this.#done < this.#total ? `, about ${duration((elapsed / this.#done) * (this.#total - this.#done))} left` : '';
    const rows = this.#pendingByRow.size > 0 ? `rows fully checked ${this.#rowsChecked}/${this.#pendingByRow.size} · ` : '';
    const dependencies =
      this.#dependency.size > 0
        ? ` (and ${this.#dependencyDone}/${this.#dependency.size} of their dependencies, ${this.#dependencyFailed} failed)`
        : '';
    return (
      `${this.#phase}${final ? ' done' : ''}: ${rows}checks ${this.#done - this.#dependencyDone}/${this.#total - this.#dependency.size}: ` +
      `${this.#passed} passed, ${this.#failed} failed, ${this.#notRun} not run${dependencies} · ${duration(elapsed)} elapsed${final ? '' : rest}`
    );
  }

  /** A line that stays (a failure): above the redrawn status on a TTY. */
  #print(line: string) {
    if (this.#tty) {
      logUpdate.clear();
      this.#write(line);
      logUpdate(this.#status());
    } else this.#write(line);
  }

  #show(status: string) {
    if (this.#tty) logUpdate(status);
    else this.#write(status);
  }
}

const rowOf = (test: TestCase) => test.annotations.find((annotation) => annotation.type === 'row')?.description;
