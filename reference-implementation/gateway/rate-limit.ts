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

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
  headers: Record<string, string>;
}

/**
 * At most `limit` requests per `windowMs` per key (the client id). Headers follow the IETF
 * draft "RateLimit header fields for HTTP": RateLimit-Policy and RateLimit, plus Retry-After on 429.
 */
export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly #store: RateLimitStore;
  readonly #policy: string;

  constructor(limit: number, windowMs: number, store: RateLimitStore = new MemoryRateLimitStore()) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#store = store;
    this.#policy = `"per-client";q=${limit};w=${Math.round(windowMs / 1000)}`;
  }

  check(key: string, now = Date.now()): RateLimitDecision {
    const { count, resetAt } = this.#store.hit(key, this.windowMs, now);
    const allowed = count <= this.limit;
    const remaining = Math.max(0, this.limit - count);
    const resetSeconds = Math.max(1, Math.ceil((resetAt - now) / 1000));
    const headers: Record<string, string> = {
      'ratelimit-policy': this.#policy,
      ratelimit: `"per-client";r=${remaining};t=${resetSeconds}`,
    };
    if (!allowed) headers['retry-after'] = String(resetSeconds);
    return { allowed, limit: this.limit, remaining, resetSeconds, headers };
  }
}
