import type { Operation } from '../../fixtures/catalog/model.ts';
import type { DownstreamClient } from '../downstream/backend.ts';
import { failuresHeader } from '../downstream/backend.ts';
import { DownstreamFailure, type RetryPolicy, withRetry } from '../downstream/retry.ts';
import { ProblemError } from './problem.ts';
import { type RequestContext, traceparentOf } from './request-context.ts';

/** How the gateway calls the downstream backend, and announces the attempts it took. */
export interface DownstreamCallOptions {
  downstream: DownstreamClient;
  retryPolicy: RetryPolicy;
  /** Retries after the first attempt for the operations that promise retries (the catalog's 3). */
  maxRetries: number;
  /** The response header giving the attempts (profile `headers.attempts`); null: attempts only in the log. */
  attemptsHeader: string | null;
}

/**
 * Calls the downstream for one operation, with retries when its row promises them. Resolves with
 * the headers to add to the answer; a final failure is a 502 problem with the attempts taken.
 * `induced` transient failures are asked of the backend (fault injection).
 */
export async function callDownstream(
  options: DownstreamCallOptions,
  operation: Operation,
  induced: number,
  context: RequestContext,
): Promise<Record<string, string>> {
  const policy = { ...options.retryPolicy, maxRetries: operation.results.includes('retry') ? options.maxRetries : 0 };
  const attemptsHeaders = (attempts: number): Record<string, string> =>
    options.attemptsHeader ? { [options.attemptsHeader.toLowerCase()]: String(attempts) } : {};
  try {
    const { attempts } = await withRetry(policy, async (attempt) => {
      context.attempts = attempt;
      // The backend's own protocol, not the profile's: it counts calls per x-request-id.
      const status = await options.downstream.post(
        {
          'content-type': 'application/json',
          'x-request-id': context.requestId,
          [failuresHeader]: String(induced),
          traceparent: traceparentOf(context),
        },
        JSON.stringify({ endpoint: operation.endpoint, action: operation.actionKey }),
      );
      if (status < 200 || status > 299) throw new Error(`downstream answered ${status}`);
    });
    context.attempts = attempts;
    return attemptsHeaders(attempts);
  } catch (error) {
    if (!(error instanceof DownstreamFailure)) throw error;
    context.attempts = error.attempts;
    context.outcome = 'downstream-failed';
    throw new ProblemError(502, 'downstream-failed', 'Downstream failed', `${error.message}: ${String((error.cause as Error)?.message)}`, {
      headers: attemptsHeaders(error.attempts),
      extensions: { attempts: error.attempts },
    });
  }
}
