import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import type { RateLimitDecision } from './rate-limit.ts';

/**
 * A rate-limit decision as the profile announces it (`rateLimit.headers`), one of the three header
 * generations of draft-ietf-httpapi-ratelimit-headers in use:
 * - ietf-structured (draft 07 on): `RateLimit-Policy: "per-client";q=1000;w=60` and `RateLimit: "per-client";r=12;t=30`;
 * - ietf-legacy (drafts 00–06): `RateLimit-Limit: 1000, 1000;w=60`, `RateLimit-Remaining: 12`, `RateLimit-Reset: 30`;
 * - x-ratelimit: `X-RateLimit-Limit: 1000`, `X-RateLimit-Remaining: 12`, `X-RateLimit-Reset: 30`.
 * On a refusal, Retry-After (RFC 9110 §10.2.3) as delay-seconds, or as an IMF-fixdate under `http-date`.
 */
export function rateLimitHeaders(convention: TargetProfile['rateLimit'], decision: RateLimitDecision): Record<string, string> {
  const { limit, remaining, resetSeconds, windowSeconds } = decision;
  const headers: Record<string, string> = {};
  switch (convention.headers) {
    case 'ietf-structured':
      headers['ratelimit-policy'] = `"per-client";q=${limit};w=${windowSeconds}`;
      headers.ratelimit = `"per-client";r=${remaining};t=${resetSeconds}`;
      break;
    case 'ietf-legacy':
      headers['ratelimit-limit'] = `${limit}, ${limit};w=${windowSeconds}`;
      headers['ratelimit-remaining'] = String(remaining);
      headers['ratelimit-reset'] = String(resetSeconds);
      break;
    case 'x-ratelimit':
      headers['x-ratelimit-limit'] = String(limit);
      headers['x-ratelimit-remaining'] = String(remaining);
      headers['x-ratelimit-reset'] = String(resetSeconds);
      break;
  }
  if (!decision.allowed) headers['retry-after'] = retryAfter(convention.retryAfter, decision);
  return headers;
}

/** Retry-After: delay-seconds (`seconds`, `either`), or the reset time as an IMF-fixdate rounded up to the second (`http-date`). */
function retryAfter(form: TargetProfile['rateLimit']['retryAfter'], decision: RateLimitDecision): string {
  if (form !== 'http-date') return String(decision.resetSeconds);
  return new Date(Math.ceil(decision.resetAt / 1000) * 1000).toUTCString();
}
