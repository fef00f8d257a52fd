import { randomBytes, randomUUID } from 'node:crypto';
import type { TransactionLogEntry } from '../../fixtures/schemas/transaction-log.ts';

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the gateway learns about one request on its way through, and what the log records of it. */
export interface RequestContext {
  requestId: string;
  traceId: string;
  spanId: string;
  traceFlags: string;
  startedAt: number;
  clientId: string | null;
  endpoint: string;
  action: string | null;
  version: string | null;
  attempts: number;
  outcome: TransactionLogEntry['outcome'] | undefined;
  rolledBack: boolean;
  detail: string | undefined;
  faultsApplied: string[];
}

/** The request headers that carry a request's identity, as the profile names them (`headers.requestId`, `headers.traceparent`). */
export interface IdentityHeaders {
  requestId: string;
  traceparent: string;
}

/** Propagates a caller's request id and W3C trace context (under the profile's header names), or starts new ones. */
export function createRequestContext(
  headers: Record<string, string | string[] | undefined>,
  path: string,
  names: IdentityHeaders = { requestId: 'x-request-id', traceparent: 'traceparent' },
): RequestContext {
  const offeredId = headers[names.requestId.toLowerCase()];
  const requestId = typeof offeredId === 'string' && requestIdPattern.test(offeredId) ? offeredId : randomUUID();
  const offeredParent = headers[names.traceparent.toLowerCase()];
  const parent = typeof offeredParent === 'string' ? traceparentPattern.exec(offeredParent.trim()) : null;
  const validParent = parent && !/^0+$/.test(parent[1] ?? '') && !/^0+$/.test(parent[2] ?? '');
  return {
    requestId,
    traceId: validParent ? (parent[1] as string) : randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: validParent ? (parent[3] as string) : '01',
    startedAt: performance.now(),
    clientId: null,
    endpoint: path,
    action: null,
    version: null,
    attempts: 0,
    outcome: undefined,
    rolledBack: false,
    detail: undefined,
    faultsApplied: [],
  };
}

/** The W3C traceparent of the gateway's own span. */
export const traceparentOf = (context: RequestContext) => `00-${context.traceId}-${context.spanId}-${context.traceFlags}`;

/** The canonical log outcome of an answer's status, when nothing more specific happened. */
export function outcomeFor(status: number): TransactionLogEntry['outcome'] {
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'rejected';
  if (status === 502 || status === 504) return 'downstream-failed';
  if (status >= 500) return 'server-error';
  if (status >= 400) return 'client-error';
  return 'success';
}
