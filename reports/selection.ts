import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { TestCase } from '@playwright/test/reporter';
import { z } from 'zod';
import { GrepPatterns, grepMatcher, selectionOfRun } from '../fixtures/playwright/grep.ts';

export { selectionOfRun, selectionVariable } from '../fixtures/playwright/grep.ts';

/**
 * What a sliced run selected (`npm start -- --grep PATTERN`): the patterns, any of which a check's title or tags
 * matched. Rows none of whose checks were selected are "not selected" in every output (never passed, never "not
 * run for a reason"), and the quality gate judges the selection only. Absent for a whole run.
 */
export const Selection = z.object({ grep: GrepPatterns });
export type Selection = z.infer<typeof Selection>;

/**
 * Whether a test of the running Playwright run is one its selection (selectionOfRun) matched, as Playwright's
 * --grep reads a test: its title path and tags. Undefined for a whole run. A test a sliced run holds and this
 * does not match belongs to a project the selected ones depend on (contracts-consumer for the provider
 * verification), which Playwright runs whole whatever --grep says.
 */
export function selectedTestOfRun(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv,
): ((test: Pick<TestCase, 'titlePath' | 'tags'>) => boolean) | undefined {
  const grep = selectionOfRun(env, argv);
  if (!grep) return undefined;
  const matches = grepMatcher(grep);
  // Playwright's grep line starts at the project's title: titlePath() starts at the root's, which is empty.
  return (test) => matches([...test.titlePath().slice(1), ...test.tags].join(' '));
}

/** The selection of the run whose outputs are in `file` (reportPaths().selection), or undefined for a whole run. */
export function readSelection(file: string): Selection | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = Selection.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a run's selection: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Records the run's selection, or removes the record of an earlier one (a whole run). */
export function writeSelection(file: string, grep: readonly string[] | undefined): void {
  if (!grep || grep.length === 0) rmSync(file, { force: true });
  else writeFileSync(file, JSON.stringify({ grep }, null, 2));
}

/** One Playwright --grep pattern from several: a check matching any of them. */
export const grepPattern = (grep: readonly string[]) => (grep.length === 1 ? (grep[0] as string) : grep.map((p) => `(?:${p})`).join('|'));

/** How outputs name the selection: `--grep @rollback`. */
export const describeSelection = (selection: Selection) => selection.grep.map((pattern) => `--grep ${pattern}`).join(' ');
