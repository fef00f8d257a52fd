/**
 * The custom metrics the processor emits, the ensure conditions reference and the evaluator reads:
 * one list, so the three never disagree. Every counter is emitted on every response (0 or 1),
 * so a condition never meets a metric that was never emitted.
 */
export const metrics = {
  arrivals: 'td448.arrivals',
  /** Epoch milliseconds of each arrival and of each virtual user's first request: min and max are exact. */
  arrivalClock: 'td448.clock.arrival',
  firstSendClock: 'td448.clock.first_send',
  expected: 'td448.responses.expected',
  rateLimited: 'td448.responses.rate_limited',
  serverError: 'td448.responses.server_error',
  unexpected: 'td448.responses.unexpected',
  /** Measured requests that got no answer at all (timeout, reset): the scenario's onError hook. */
  noAnswer: 'td448.responses.no_answer',
  rateLimitHeadersMissing: 'td448.rate_limit_headers.missing',
  arrangeFailed: 'td448.arrange.failed',
  /** Client-side total time (socket wait included) of the operations that promise "Thành công <1s". */
  promisedTime: 'td448.response_time.promised',
  allTime: 'td448.response_time.all',
} as const;

export const clientAllowed = (clientId: string) => `td448.client.${clientId}.allowed`;
export const clientLimited = (clientId: string) => `td448.client.${clientId}.limited`;
export const clientNoAnswer = (clientId: string) => `td448.client.${clientId}.no_answer`;
export const operationTime = (operationId: string) => `td448.operation.${operationId}.response_time`;
export const operationStatus = (operationId: string, status: number) => `td448.operation.${operationId}.status.${status}`;

export const operationTimePattern = /^td448\.operation\.(.+)\.response_time$/;
export const operationStatusPattern = /^td448\.operation\.(.+)\.status\.(\d{3})$/;
