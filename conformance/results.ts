import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

/**
 * What Schemathesis found, per OpenAPI operation, read from its JUnit report (`--report junit`): one
 * `<testcase name="METHOD /path">` per operation it tested, a `<failure message="ST…">` per distinct
 * failure (the code of Schemathesis' named check, e.g. ST202 "schema-valid request rejected"), an
 * `<error>` when the operation could not be tested, `<skipped>` when it was not.
 */
export const OperationFinding = z.strictObject({
  /** `POST /{version}/customer/update`, as the OpenAPI document names the operation. */
  operation: z.string(),
  outcome: z.enum(['passed', 'failed', 'errored', 'skipped']),
  /** Each failure: Schemathesis' check code and its report (the case, the answer, the curl that reproduces it). */
  failures: z.array(z.strictObject({ code: z.string(), report: z.string() })),
});
export type OperationFinding = z.infer<typeof OperationFinding>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: 'text',
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
});

interface JunitEntry {
  message?: string;
  text?: string;
}
interface JunitCase {
  name: string;
  failure?: JunitEntry[];
  error?: JunitEntry[];
  skipped?: JunitEntry[];
}

const entries = (list: JunitEntry[] | undefined) => (list ?? []).map((entry) => ({ code: entry.message ?? '', report: entry.text ?? '' }));

/** The findings of one JUnit report's text; throws when the text is not a JUnit report. */
export function parseJunit(text: string): OperationFinding[] {
  const document = parser.parse(text) as { testsuites?: { testsuite?: { testcase?: JunitCase[] }[] } };
  if (!document.testsuites) throw new Error('not a JUnit report: no <testsuites> element');
  return (document.testsuites.testsuite ?? []).flatMap((suite) =>
    (suite.testcase ?? []).map((testcase) => {
      const failures = entries(testcase.failure);
      const errors = entries(testcase.error);
      return OperationFinding.parse({
        operation: testcase.name,
        outcome: failures.length > 0 ? 'failed' : errors.length > 0 ? 'errored' : testcase.skipped ? 'skipped' : 'passed',
        failures: [...failures, ...errors],
      });
    }),
  );
}

export const readJunit = (file: string) => parseJunit(readFileSync(file, 'utf8'));
