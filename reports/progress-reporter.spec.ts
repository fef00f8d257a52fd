import { expect, test } from '@playwright/test';
import type { FullConfig, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import ProgressReporter from './progress-reporter.ts';
import { selectionVariable } from './selection.ts';

/** A test case as the reporter reads it: its row and check annotations and its outcome. */
function check(row: number, name: string, outcome: ReturnType<TestCase['outcome']>): TestCase {
  return {
    title: `TD448 row ${row} · ${name}`,
    annotations: [
      { type: 'row', description: String(row) },
      { type: 'check', description: name },
    ],
    retries: 0,
    outcome: () => outcome,
    parent: { project: () => ({ name: 'functional' }) },
  } as unknown as TestCase;
}
const result = (status: TestResult['status'], message?: string) =>
  ({ status, retry: 0, errors: message ? [{ message }] : [] }) as unknown as TestResult;

test('without a terminal: a status line every 10 % of the checks, each failure once with its row, check and reason, and a closing line', () => {
  const lines: string[] = [];
  const reporter = new ProgressReporter({ tty: false, write: (line) => lines.push(line) });
  const tests = Array.from({ length: 40 }, (_, i) =>
    check(Math.floor(i / 4) + 1, i % 4 === 0 ? 'auth' : 'log', i === 9 ? 'unexpected' : i === 13 ? 'skipped' : 'expected'),
  );
  reporter.onBegin({} as FullConfig, { allTests: () => tests } as unknown as Suite);
  for (const [i, testCase] of tests.entries())
    reporter.onTestEnd(
      testCase,
      result(i === 9 ? 'failed' : i === 13 ? 'skipped' : 'passed', i === 9 ? 'Error: expected 403\nmore' : undefined),
    );
  reporter.onEnd();

  expect(lines[0]).toBe('tests: 40 checks over 10 catalog rows');
  const failures = lines.filter((line) => line.startsWith('✘'));
  expect(failures).toEqual(['✘ row 3 · log · TD448 row 3 · log — Error: expected 403']);
  const statuses = lines.filter((line) => line.startsWith('tests: rows fully checked'));
  expect(statuses, 'a line per 10 % of the checks, none for the last').toHaveLength(9);
  expect(statuses[0]).toMatch(
    /^tests: rows fully checked 1\/10 · checks 4\/40: 4 passed, 0 failed, 0 not run · \d+ s elapsed, about \d+ s left$/,
  );
  expect(lines.at(-1)).toMatch(/^tests done: rows fully checked 10\/10 · checks 40\/40: 38 passed, 1 failed, 1 not run · \d+ s elapsed$/);
});

test('a sliced run counts the selected rows and checks; the whole dependency project it pulls in is counted apart', () => {
  const previous = process.env[selectionVariable];
  process.env[selectionVariable] = JSON.stringify(['@row-2\\b']);
  try {
    const lines: string[] = [];
    const reporter = new ProgressReporter({ tty: false, write: (line) => lines.push(line) });
    const tagged = (row: number, name: string, project: string, outcome: ReturnType<TestCase['outcome']>) =>
      Object.assign(check(row, name, outcome), {
        id: `${project}-${row}-${name}`,
        tags: [`@row-${row}`],
        titlePath: () => ['', project, `TD448 row ${row} · ${name}`],
      }) as TestCase;
    // Row 2's functional and provider checks, selected; the consumer contracts of rows 1–5, a dependency run whole.
    const selected = [tagged(2, 'auth', 'functional', 'expected'), tagged(2, 'provider', 'contracts-provider', 'expected')];
    const consumers = [1, 2, 3, 4, 5].map((row) =>
      Object.assign(tagged(row, 'consumer', 'contracts-consumer', row === 4 ? 'unexpected' : 'expected'), { tags: [] }),
    );
    reporter.onBegin({} as FullConfig, { allTests: () => [...consumers, ...selected] } as unknown as Suite);
    for (const testCase of [...consumers, ...selected])
      reporter.onTestEnd(testCase, result(testCase.outcome() === 'unexpected' ? 'failed' : 'passed'));
    reporter.onEnd();

    expect(lines[0]).toBe('tests: 2 checks over 1 catalog row, and 5 checks of the projects they depend on (run whatever --grep says)');
    expect(lines.at(-1)).toMatch(
      /^tests done: rows fully checked 1\/1 · checks 2\/2: 2 passed, 0 failed, 0 not run \(and 5\/5 of their dependencies, 1 failed\) · \d+ s elapsed$/,
    );
    expect(
      lines.filter((line) => line.startsWith('✘')),
      'a failed dependency is still printed',
    ).toHaveLength(1);
  } finally {
    if (previous === undefined) delete process.env[selectionVariable];
    else process.env[selectionVariable] = previous;
  }
});
