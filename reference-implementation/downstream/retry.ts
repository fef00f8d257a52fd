export class DownstreamFailure extends Error {
  readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super(`downstream failed after ${attempts} attempt${attempts === 1 ? '' : 's'}`, { cause });
    this.name = 'DownstreamFailure';
    this.attempts = attempts;
  }
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Full-jitter exponential backoff: spreads retries so a flapping backend is not hammered in lockstep. */
export const backoffDelay = (policy: RetryPolicy, retry: number, random = Math.random) =>
  Math.round(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));

/** Calls `attempt` until it succeeds or the retries are spent; reports how many attempts it took. */
export async function withRetry<T>(policy: RetryPolicy, attempt: (n: number) => Promise<T>): Promise<{ value: T; attempts: number }> {
  let lastError: unknown;
  for (let n = 1; n <= 1 + policy.maxRetries; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (error) {
      lastError = error;
      if (n <= policy.maxRetries) await new Promise((resolve) => setTimeout(resolve, backoffDelay(policy, n - 1)));
    }
  }
  throw new DownstreamFailure(1 + policy.maxRetries, lastError);
}
