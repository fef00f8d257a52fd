import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { projectRoot } from './paths.ts';

const { TD448_TARGET: _deployment, CI: _ci, ...withoutTarget } = process.env;

/** ANSI control sequences of a line redrawn in place (log-update: erase the line, move the cursor up). */
const esc = String.fromCharCode(27);
const redraw = new RegExp(`${esc}\\[2K|${esc}\\[1A|${esc}\\[G`);

/** Runs a shell command under a pseudo-terminal (util-linux script), as a person at a terminal would: its output and exit code. */
function inTerminal(command: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  // A pseudo-terminal opened from no terminal has no size: give it one, as a terminal window has.
  const run = spawnSync('script', ['-qfec', `stty rows 40 cols 160; ${command}`, '/dev/null'], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...withoutTarget, ...env, COLUMNS: '160', LINES: '40' },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test.describe('the main job as a person meets it in a terminal', () => {
  test.skip(spawnSync('script', ['--version']).status !== 0, 'not run: util-linux script (a pseudo-terminal) is not on this machine');

  test('npm start -- --help lists every option with one line each and examples, and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const run = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'main.ts'), flag], { cwd: projectRoot, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      for (const option of [
        '--target <file>',
        '--profile <name|file>',
        '--only <suite>',
        '--grep <pattern>',
        '--workers <n>',
        '--verbose',
        '--single-file',
        '-h, --help',
      ])
        expect(run.stdout, `${flag} names ${option}`).toContain(option);
      expect(run.stdout).toContain('Examples:');
      expect(run.stdout).toMatch(/npm start -- --grep @rollback/);
    }
  });

  test('one row under a pseudo-terminal: the progress redrawn in place, the summary, exit 0; the other rows not selected', () => {
    test.setTimeout(240_000);
    const output = mkdtempSync(join(tmpdir(), 'td448-tty-'));
    try {
      // The contracts too: their consumer project runs whole (a dependency of the provider's), and the selection
      // must still leave its other 319 rows out of the matrix.
      const run = inTerminal(
        `npx node scripts/main.ts --only contracts --only functional --grep '@row-1\\b'`,
        { TD448_REPORT_OUTPUT: output },
        230_000,
      );
      expect(run.status, run.output.slice(-3000)).toBe(0);
      expect(run.output, 'the status line is redrawn in place').toMatch(redraw);
      expect(run.output).toMatch(/contracts \+ functional: rows fully checked \d+\/\d+ · checks \d+\/\d+/);
      expect(run.output).toMatch(
        /contracts \+ functional done: rows fully checked (\d+)\/\1 · checks (\d+)\/\2: \2 passed, 0 failed, 0 not run/,
      );
      expect(run.output, 'no line per check').not.toMatch(/✓ +\d+ \[functional\]/);
      // One row selected reads as one row: the consumer plays row 1's contracts only (contracts/support/contract-tests.ts),
      // and what else of the provider's dependency project runs (its 4 checks of the generated contracts) is counted
      // apart; no "rows covered: 0/320" for a slice.
      expect(run.output).toMatch(/contracts \+ functional: \d+ checks over 1 catalog row, and 4 checks of the projects they depend on/);
      expect(run.output).toMatch(/contracts \+ functional done: rows fully checked 1\/1 · /);
      expect(run.output).toMatch(/TD448 rows selected: 1\/320 \(--grep @row-1\\b;/);
      expect(run.output).not.toMatch(/TD448 rows covered: 0\/320/);
      expect(run.output, 'the load left out by --only').toMatch(
        /load: not selected \(--only contracts --only functional leaves the load campaigns out\)/,
      );
      expect(run.output).toMatch(/main job passed/);
      const summary = JSON.parse(readFileSync(join(output, 'summary.json'), 'utf8'));
      expect(summary.selection).toEqual({ grep: ['@row-1\\b'] });
      expect(summary.rows).toMatchObject({ total: 320, passed: 1, failed: 0, notSelected: 319 });
      expect(summary.checks.bySuite, 'row 1’s own checks only: the functional ones and its two contracts').toMatchObject({
        contract: { passed: 2 },
      });
      expect(summary.qualityGate.status).toBe('passed');
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });

  test('a planted defect under a pseudo-terminal: each failure printed once, with its row, check and reason, as it happens', () => {
    test.setTimeout(180_000);
    const output = mkdtempSync(join(tmpdir(), 'td448-tty-defect-'));
    try {
      const run = inTerminal(
        `npx playwright test --project=functional --grep '@kafka @row-(2|3|4|8)\\b'`,
        {
          TD448_REPORT_OUTPUT: output,
          TD448_PLANT_DEFECTS: 'drop-event',
          TD448_CONSOLE_REPORTER: './reports/progress-reporter.ts',
          TD448_PHASE: 'functional',
        },
        170_000,
      );
      expect(run.status).toBe(1);
      const failures = run.output.match(/✘ row \d+ · kafka · TD448 row \d+ [^\n]* — [^\n]+/g) ?? [];
      expect(failures.length, run.output.slice(-3000)).toBeGreaterThan(0);
      expect(new Set(failures).size, 'each failure once').toBe(failures.length);
      // As it happens: the first failure line comes before the run's final status line.
      expect(run.output.indexOf(failures[0] as string)).toBeLessThan(run.output.indexOf('functional done:'));
      expect(existsSync(join(output, 'row-coverage.json'))).toBe(true);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });
});
