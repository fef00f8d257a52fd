import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { SelfCheckResult } from './score.ts';

const root = resolve(import.meta.dirname, '..');
const notCopied = new Set(['node_modules', '.git', 'reports/output', 'test-results']);

/**
 * A copy of the project (node_modules linked, not copied) in which `edits` remove assertions by hand, as a careless
 * change would; each edit must find its text, so that this test fails loudly when the check it edits is rewritten.
 */
function copyWithout(edits: readonly { file: string; remove: RegExp; what: string }[]): string {
  const copy = mkdtempSync(join(tmpdir(), 'td448-removed-check-'));
  cpSync(root, copy, {
    recursive: true,
    preserveTimestamps: true,
    filter: (source) => !notCopied.has(relative(root, source)),
  });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  for (const { file, remove, what } of edits) {
    const path = join(copy, file);
    const text = readFileSync(path, 'utf8');
    expect(remove.test(text), `${file} still holds ${what}`).toBe(true);
    writeFileSync(path, text.replace(remove, ''));
  }
  return copy;
}

test.describe('the self-check catches a suite that lost a check', () => {
  // One self-check run: the three defects make one batch, on two rows each (about 25 s here, more with other runs beside it).
  test.describe.configure({ timeout: 420_000 });

  test('with the Retry-After assertions and the event’s trace assertion removed by hand, their defects are reported missed, and the others still caught', () => {
    const copy = copyWithout([
      {
        file: 'functional/notes/rate-limit.spec.ts',
        remove: /\n\s*const header = answer\.headers\['retry-after'\];[\s\S]*?toBeLessThanOrEqual\(rateLimitWindowSeconds\);/,
        what: 'the Retry-After assertions of the rate-limit check',
      },
      {
        file: 'functional/results/kafka.spec.ts',
        remove:
          /\n\s*expect\(traceIdOf\(payload\.traceparent\), 'the event continues the caller’s trace'\)\.toBe\(traceIdOf\(traceparent\)\);/,
        what: 'the trace assertion of the Kafka check',
      },
    ]);
    try {
      // The removed assertions' defects, and one each of the same checks whose assertions are still there.
      const defects = ['omit-retry-after', 'trace-lost-in-invoice-events', 'omit-allow'];
      const run = spawnSync(
        process.execPath,
        ['scripts/selfcheck.ts', '--profile', 'reference', '--sample', '2', '--json', ...defects.flatMap((defect) => ['--defect', defect])],
        {
          cwd: copy,
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
          env: {
            // The copy's own outputs and the embedded stack: none of this run's TD448_* settings.
            ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TD448_'))),
            PATH: `${join(copy, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
          },
        },
      );
      expect(run.stdout, run.stderr.slice(-3000)).toContain('"defects"');
      const result = SelfCheckResult.parse(JSON.parse(run.stdout));
      const verdict = (defect: string) => result.defects.find((entry) => entry.defect === defect);
      expect(verdict('omit-retry-after'), 'the rate-limit check no longer sees a 429 without Retry-After').toMatchObject({ caught: false });
      expect(verdict('trace-lost-in-invoice-events'), 'the Kafka check no longer sees an event of another trace').toMatchObject({
        caught: false,
      });
      expect(verdict('omit-allow')?.caught, 'a defect whose check is whole is still caught').toBe(true);
      expect(result.mutationScore).toBeCloseTo(1 / 3);
      expect(result.holds).toBe(false);
      expect(run.status, 'the self-check fails when it misses a defect').toBe(1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
