import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { junitCounts, junitFailures } from '../reports/junit.ts';
import { projectRoot } from '../reports/paths.ts';
import { closingLines } from './steps.ts';

// What a red CI log shows of npm test is its last lines: they must name the check that broke, not only the step.

let dir: string;
let junit: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'td448-steps-'));
  junit = join(dir, 'junit.xml');
  // A real Playwright run writes the JUnit read back: an assertion with its own message, one without, a thrown
  // error, a pass and a skip.
  symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'playwright.config.mjs'), 'export default { testDir: "." };\n');
  writeFileSync(
    join(dir, 'sample.spec.mjs'),
    `import { expect, test } from '@playwright/test';
test.describe('the relay', () => {
  test('delivers each event once', () => { expect(2, 'events redelivered under one CloudEvents id').toBe(0); });
  test('keeps its position', () => { expect(110).toBe(10); });
});
test('starts', () => { throw new Error('broker <unreachable> at 127.0.0.1:1 "said once"\\nsecond line'); });
test('passes', () => {});
test('is skipped', () => { test.skip(true, 'not on this machine'); });
`,
  );
  const run = spawnSync(join(projectRoot, 'node_modules', '.bin', 'playwright'), ['test', '-c', dir, '--reporter=junit'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PLAYWRIGHT_JUNIT_OUTPUT_NAME: junit },
  });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(1);
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a JUnit report of Playwright is read back: its counts and each failed test with the first line of what failed', () => {
  expect(junitCounts(junit)).toEqual({ passed: 1, failed: 3, skipped: 1 });
  expect(junitFailures(junit)).toEqual([
    { file: 'sample.spec.mjs', title: 'the relay › delivers each event once', message: 'events redelivered under one CloudEvents id' },
    { file: 'sample.spec.mjs', title: 'the relay › keeps its position', message: expect.stringContaining('toBe') },
    { file: 'sample.spec.mjs', title: 'starts', message: 'broker <unreachable> at 127.0.0.1:1 "said once"' },
  ]);
  expect(junitFailures(join(dir, 'absent.xml'))).toEqual([]);
  writeFileSync(join(dir, 'not-junit.xml'), '<report><passed/></report>');
  expect(() => junitCounts(join(dir, 'not-junit.xml'))).toThrow(/not-junit\.xml is not a JUnit XML report/);
});

test('the closing lines of npm test name each failed check of a red step, above the table and the line CI reads', () => {
  const lines = closingLines('npm test', [
    { step: { name: 'typecheck', command: 'tsc', args: [] }, code: 0, seconds: 3 },
    { step: { name: 'project tests', command: 'playwright', args: [], junit }, code: 1, seconds: 182.4 },
    { step: { name: 'self-check', command: 'node', args: [] }, code: 1, seconds: 651 },
    { step: { name: 'resilience', command: 'node', args: [], junit: join(dir, 'absent.xml') }, code: 0, seconds: 113 },
  ]);
  expect(lines).toEqual([
    `project tests: 3 failed check(s) in ${junit}`,
    '  ✘ project tests · sample.spec.mjs › the relay › delivers each event once\n      events redelivered under one CloudEvents id',
    expect.stringMatching(/^ {2}✘ project tests · sample\.spec\.mjs › the relay › keeps its position\n {6}.*toBe/),
    '  ✘ project tests · sample.spec.mjs › starts\n      broker <unreachable> at 127.0.0.1:1 "said once"',
    'npm test',
    '  passed           typecheck             3 s',
    '  FAILED (exit 1)  project tests       182 s',
    '  FAILED (exit 1)  self-check          651 s',
    '  passed           resilience          113 s',
    'ci: 1 passed, 3 failed, 1 skipped; 2 step(s) failed; no JUnit report from resilience: its tests did not run',
  ]);
});
