import { expect, test } from '@playwright/test';
import type { TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import RedactingReporter from './redacting-reporter.ts';

// A JWT-shaped bearer token, as Playwright's call log shows a request's headers when the connection is reset.
const token = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'client', scope: 'customer:write' })).toString('base64url')}.c2lnbmF0dXJl`;
const callLog = () =>
  `apiRequestContext.fetch: socket hang up (ECONNRESET)\nCall log:\n  - → POST http://127.0.0.1:1/v2/customer/update\n    - authorization: Bearer ${token}\n    - x-request-id: td448-crash-1`;
const error = (): TestError => ({ message: callLog(), stack: `Error: ${callLog()}\n    at send (api-driver.ts:70:5)` });

test('a step’s error and a test’s errors lose the bearer token of the call log before any reporter after this one reads them, the rest kept', () => {
  const reporter = new RedactingReporter();
  const step = { error: error() } as unknown as TestStep;
  const result = { errors: [error()], error: error() } as unknown as TestResult;
  reporter.onStepEnd({} as TestCase, result, step);
  reporter.onTestEnd({} as TestCase, result);
  for (const redacted of [step.error, result.error, ...result.errors] as TestError[]) {
    expect(redacted.message).not.toContain(token);
    expect(redacted.stack).not.toContain(token);
    expect(redacted.message).toContain('authorization: Bearer [redacted]');
    expect(redacted.message).toContain('socket hang up (ECONNRESET)');
    expect(redacted.stack).toContain('at send (api-driver.ts:70:5)');
  }
});
