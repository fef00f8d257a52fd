/** The limiter's store is pluggable: in memory by default, anything shared (Redis, a DB) for several gateways. */
export interface RateLimitStore {
  /** Counts one hit for `key` and returns the window's state after it. */
  hit(key: string, windowMs: number, now: number): { count: number; resetAt: number };
}

/** Fixed windows that open at a client's first request: exact "N per minute" and cheap. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  hit(key: string, windowMs: number, now: number) {
    let window = this.#windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count++;
    return { ...window };
  }
}

/** What the limiter decided for one request; rate-limit-headers.ts announces it in the profile's header generation. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the client's window resets (at least 1). */
  resetSeconds: number;
  /** The window's length in seconds. */
  windowSeconds: number;
  /** When the window resets, in ms since the epoch. */
  resetAt: number;
}

/**
 * At most `limit` requests per `windowMs` per key (the client id), in fixed windows opened by a
 * key's first request. How the decision is announced (RateLimit-Policy/RateLimit, RateLimit-Limit…,
 * X-RateLimit-…, Retry-After) is the profile's business: see rate-limit-headers.ts.
 */
export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly #store: RateLimitStore;
  readonly #countedWindowMs: number;

  /**
   * `limit` requests per `windowMs` (ms) per key. `countedWindowMs` is the window the store really counts in:
   * `windowMs` unless a planted defect (rate-limit-window-of-30s) makes the two differ.
   */
  constructor(limit: number, windowMs: number, store: RateLimitStore = new MemoryRateLimitStore(), countedWindowMs = windowMs) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#store = store;
    this.#countedWindowMs = countedWindowMs;
  }

  /** Counts one request of `key` and says whether it is allowed. */
  check(key: string, now = Date.now()): RateLimitDecision {
    const { count, resetAt } = this.#store.hit(key, this.#countedWindowMs, now);
    return {
      allowed: count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
      windowSeconds: Math.round(this.windowMs / 1000),
      resetAt,
    };
  }
}
