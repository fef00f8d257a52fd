import type { TokenVerifier, VerificationResult } from '../auth/verify-token.ts';

export interface TokenCacheOptions {
  /** How long a verdict is reused at most; never past the token's own exp. */
  ttlMs?: number;
  /** Entries kept at most; the cache starts over when full. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Remembers accepted tokens for a short while, so a client's every request does not pay for an RSA
 * signature check (the gateway's largest cost per request). Only acceptances are kept, per
 * (Authorization header, scope), and never beyond the token's exp: an expired token is checked
 * afresh and refused exactly as without the cache. Refusals are never cached.
 */
export function cacheVerifiedTokens(verifier: TokenVerifier, options: TokenCacheOptions = {}): TokenVerifier {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const accepted = new Map<string, { result: VerificationResult; until: number }>();
  return {
    async verify(authorizationHeader, requiredScope) {
      const key = `${requiredScope}\n${authorizationHeader ?? ''}`;
      const cached = accepted.get(key);
      if (cached && now() < cached.until) return cached.result;
      if (cached) accepted.delete(key);
      const result = await verifier.verify(authorizationHeader, requiredScope);
      if (result.ok) {
        if (accepted.size >= maxEntries) accepted.clear();
        accepted.set(key, { result, until: Math.min(now() + ttlMs, result.claims.exp * 1000) });
      }
      return result;
    },
  };
}
