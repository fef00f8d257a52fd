import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { formatRateLimit } from '../../fixtures/profile/rate-limit-fields.ts';
import type { RateLimitDecision } from './rate-limit.ts';

/**
 * A rate-limit decision as the profile announces it (`rateLimit.headers`): the fields of its generation of
 * draft-ietf-httpapi-ratelimit-headers (fixtures/profile/rate-limit-fields.ts, which the suites read them with)
 * and, on a refusal, Retry-After (RFC 9110 §10.2.3) as delay-seconds, or as an IMF-fixdate under `http-date`.
 */
export function rateLimitHeaders(convention: TargetProfile['rateLimit'], decision: RateLimitDecision): Record<string, string> {
  const headers = formatRateLimit(convention.headers, decision);
  if (!decision.allowed) headers['retry-after'] = retryAfter(convention.retryAfter, decision);
  return headers;
}

/** Retry-After: delay-seconds (`seconds`, `either`), or the reset time as an IMF-fixdate rounded up to the second (`http-date`). */
function retryAfter(form: TargetProfile['rateLimit']['retryAfter'], decision: RateLimitDecision): string {
  if (form !== 'http-date') return String(decision.resetSeconds);
  return new Date(Math.ceil(decision.resetAt / 1000) * 1000).toUTCString();
}
