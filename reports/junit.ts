import { existsSync, readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

/**
 * JUnit XML as Playwright's junit reporter writes it (the de facto Ant/Surefire shape CI systems read):
 * `<testsuites tests failures errors skipped time><testsuite><testcase name classname time>` with, for a test that
 * failed, a `<failure message type>` (an assertion) or an `<error message type>` (anything else) child whose text is
 * the whole failure as the console printed it. Only what this project reads is declared.
 */
const Problem = z.object({ '@_message': z.string().default(''), '@_type': z.string().default(''), '#text': z.string().default('') });
const Testcase = z.object({
  '@_name': z.string(),
  '@_classname': z.string().default(''),
  failure: z.array(Problem).default([]),
  error: z.array(Problem).default([]),
});
const count = z.coerce.number().default(0);
const Junit = z.object({
  testsuites: z.object({
    '@_tests': count,
    '@_failures': count,
    '@_errors': count,
    '@_skipped': count,
    '@_time': count,
    testsuite: z.array(z.object({ testcase: z.array(Testcase).default([]) })).default([]),
  }),
});

const parser = new XMLParser({
  ignoreAttributes: false,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error'].includes(name),
});

/** A JUnit file read: undefined when it does not exist; an Error naming the file when it is not JUnit XML. */
function readJunit(file: string): z.infer<typeof Junit> | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = Junit.safeParse(parser.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a JUnit XML report: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Playwright's wall time from junit.xml (`<testsuites … time="s">`), in ms; 0 when there is none. */
export function junitDurationMs(file: string): number {
  return Math.round((readJunit(file)?.testsuites['@_time'] ?? 0) * 1000);
}

export interface JunitCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Tests passed, failed (failures and errors) and skipped in a JUnit XML file; undefined when it does not exist. */
export function junitCounts(file: string): JunitCounts | undefined {
  const suites = readJunit(file)?.testsuites;
  if (!suites) return undefined;
  const failed = suites['@_failures'] + suites['@_errors'];
  const skipped = suites['@_skipped'];
  return { passed: suites['@_tests'] - failed - skipped, failed, skipped };
}

/** One test a JUnit report holds as failed: its file (`classname`), its title, and the first line of what failed. */
export interface JunitFailure {
  /** The spec file, relative to the Playwright config (JUnit's `classname`). */
  file: string;
  /** The test's title (JUnit's `name`: Playwright writes the describe titles and the test's, joined by ' › '). */
  title: string;
  /** The first line of the failure: the assertion's own message when it has one, else the error's first line. */
  message: string;
}

/** The tests a JUnit XML file holds as failed (`<failure>` or `<error>`), in the file's order; [] when it does not exist. */
export function junitFailures(file: string): JunitFailure[] {
  const suites = readJunit(file)?.testsuites.testsuite ?? [];
  return suites.flatMap((suite) =>
    suite.testcase.flatMap((testcase) => {
      const [problem] = [...testcase.failure, ...testcase.error];
      if (!problem) return [];
      const message = problem['@_message'] || problem['#text'].trim().split('\n')[0] || problem['@_type'];
      return [{ file: testcase['@_classname'], title: testcase['@_name'], message }];
    }),
  );
}
