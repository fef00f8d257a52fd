import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { TestCase } from '@playwright/test/reporter';
import { z } from 'zod';
import { grepMatcher } from '../fixtures/playwright/grep.ts';

/**
 * What a sliced run selected (`npm start -- --grep PATTERN`): the patterns, any of which a check's title or tags
 * matched. Rows none of whose checks were selected are "not selected" in every output (never passed, never "not
 * run for a reason"), and the quality gate judges the selection only. Absent for a whole run.
 */
export const Selection = z.object({ grep: z.array(z.string()).min(1) });
export type Selection = z.infer<typeof Selection>;

/** The environment variable carrying a sliced run's patterns (JSON array) to the Playwright run's reporters. */
export const selectionVariable = 'TD448_SELECTION';

/**
 * The patterns of the running Playwright run's selection, or undefined for a whole run: TD448_SELECTION (set by
 * `npm start -- --grep`), else the --grep (-g) of a Playwright command line (`npx playwright test --grep @rollback`),
 * which Playwright keeps from its reporters (FullConfig.grep stays /.*\/). Read in the runner process, where the
 * reporters live; a process that is not `playwright test` has no selection of its own.
 */
export function selectionOfRun(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): string[] | undefined {
  const value = env[selectionVariable];
  if (!value) return playwrightGrep(argv);
  const parsed = Selection.shape.grep.safeParse(JSON.parse(value));
  if (!parsed.success) throw new Error(`${selectionVariable}=${value} is not a JSON list of --grep patterns`);
  return parsed.data;
}

/** The --grep of `playwright test …` in `argv` (the last one given wins, as Playwright's command line reads it). */
function playwrightGrep(argv: readonly string[]): string[] | undefined {
  const [, script = '', command, ...args] = argv;
  if (command !== 'test' || !/^(playwright|cli\.js)$/.test(basename(script))) return undefined;
  const { values } = parseArgs({ args: [...args], options: { grep: { type: 'string', short: 'g', multiple: true } }, strict: false });
  const grep = values.grep;
  const last = Array.isArray(grep) ? grep.at(-1) : undefined;
  return typeof last === 'string' && last !== '' ? [last] : undefined;
}

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
  return (test) => matches([...test.titlePath(), ...test.tags].join(' '));
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
