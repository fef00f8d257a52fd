import { expect } from '@playwright/test';
import type { Operation } from '../../fixtures/catalog/model.ts';
import type { Sent } from '../../fixtures/playwright/api-driver.ts';
import { Problem } from '../../fixtures/schemas/problem.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import type { TransactionLogEntry } from '../../fixtures/schemas/transaction-log.ts';
import { describeFindings, findSecrets, knownSecretsOf } from '../../fixtures/secrets/detect.ts';

/** The trace id of a W3C traceparent header. */
export const traceIdOf = (traceparent: string | undefined) => /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '')?.[1];

export const newTraceparent = () => {
  const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `00-${hex(16)}-${hex(8)}-01`;
};

/** A log entry a support engineer can work from: every field there and true to the request. */
export function expectCompleteLogEntry(
  entry: TransactionLogEntry | undefined,
  expected: {
    sent: Sent;
    operation: Operation;
    /** The client the entry must name; a list when several are right (a refused token's client may be unknown: null). */
    clientId: string | readonly (string | null)[];
    version: string;
    outcome?: TransactionLogEntry['outcome'];
  },
) {
  expect(entry, `no transaction-log entry for request ${expected.sent.requestId}`).toBeDefined();
  if (typeof expected.clientId !== 'string') expect(expected.clientId, 'the client the entry names').toContain(entry?.clientId);
  expect(entry).toMatchObject({
    requestId: expected.sent.requestId,
    ...(typeof expected.clientId === 'string' ? { clientId: expected.clientId } : {}),
    endpoint: expected.operation.endpoint,
    method: expected.operation.method,
    action: expected.operation.actionKey,
    version: expected.version,
    status: expected.sent.status,
    ...(expected.outcome ? { outcome: expected.outcome } : {}),
  });
  expect(entry?.durationMs).toBeGreaterThan(0);
  expect(entry?.durationMs).toBeLessThanOrEqual(expected.sent.durationMs + 50);
  expect(Date.now() - Date.parse(entry?.time ?? '')).toBeLessThan(5 * 60_000);
  expect(entry?.traceId).toMatch(/^[0-9a-f]{32}$/);
}

/**
 * No bearer token, JWT, basic credential or secret of the target file anywhere in what the log keeps (pass the
 * entries as written: LogProbe.writtenEntriesFor). The failure names each credential's kind and place, redacted:
 * the report of a leak does not leak it again.
 */
export function expectNoSecrets(entry: unknown, target: TargetDescription) {
  const findings = findSecrets(JSON.stringify(entry), knownSecretsOf(target));
  expect(describeFindings(findings), 'credentials in the log entry (shown redacted)').toEqual([]);
}

/** RFC 9457 problem details in JSON, with the status of the response. */
export async function expectProblem(sent: Sent, status: number) {
  return expectProblemAnswer({ status: sent.status, headers: sent.response.headers(), body: await sent.response.text() }, status);
}

/** RFC 9457 problem details in JSON, with `status`, in an answer as recorded (headers with lower-case names, the body as text). */
export function expectProblemAnswer(answer: { status: number; headers: Record<string, string>; body: string }, status: number) {
  expect(answer.status, `answered ${answer.status}: ${answer.body.slice(0, 300)}`).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = Problem.parse(JSON.parse(answer.body));
  expect(problem.status).toBe(status);
  return problem;
}
