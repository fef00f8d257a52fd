import { expect, test } from '@playwright/test';
import type { FullConfig, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import ProgressReporter from './progress-reporter.ts';

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
