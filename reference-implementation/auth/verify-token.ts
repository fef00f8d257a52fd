import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { z } from 'zod';

/**
 * The gateway's bearer-token check (RFC 6750 over RFC 9068 JWT access tokens). It knows the
 * authorization server only by its issuer and JWKS address: the keys are fetched once and cached,
 * so checking a token signed by a known key never leaves the process.
 */

export const TokenVerifierOptions = z.object({
  issuer: z.url(),
  jwksUrl: z.url(),
  /** The API's resource indicator; tokens minted for any other audience are refused. */
  audience: z.string().min(1),
  /** Pinned, so that a token cannot choose how it is checked (no `none`, no HMAC with the public key). */
  algorithms: z.array(z.string().min(1)).min(1).default(['RS256']),
  /** The protection space named in challenges. */
  realm: z.string().min(1).default('td448'),
  /** How long past exp a token is still accepted (the profile's oauth.leewaySeconds); none by default. */
  clockToleranceSeconds: z.number().int().min(0).default(0),
});
export type TokenVerifierOptions = z.input<typeof TokenVerifierOptions>;

/** The claims RFC 9068 requires and the gateway relies on; any others are kept as they are. */
export const AccessTokenClaims = z.looseObject({
  iss: z.string(),
  sub: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number().int(),
  iat: z.number().int(),
  jti: z.string().min(1),
  client_id: z.string().min(1),
  /** Absent when the client was granted no scope at all. */
  scope: z.string().optional(),
});
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;

export const RejectionReason = z.enum([
  'missing-token',
  'malformed-token',
  'bad-signature',
  'expired',
  'wrong-audience',
  'wrong-issuer',
  'insufficient-scope',
]);
export type RejectionReason = z.infer<typeof RejectionReason>;

export type AcceptedToken = { ok: true; clientId: string; scopes: string[]; claims: AccessTokenClaims };
export type RejectedToken = {
  ok: false;
  status: 401 | 403;
  reason: RejectionReason;
  detail: string;
  /** The value of the response's WWW-Authenticate header. */
  wwwAuthenticate: string;
};
export type VerificationResult = AcceptedToken | RejectedToken;

export type TokenVerifier = {
  /**
   * Checks the request's Authorization header against the scope the operation requires.
   * Rejects (throws) only when the issuer's keys cannot be fetched: that is the gateway's
   * failure, not the caller's, and must not pass for a bad token.
   */
  verify(authorizationHeader: string | undefined, requiredScope: string): Promise<VerificationResult>;
};

export function createTokenVerifier(input: TokenVerifierOptions): TokenVerifier {
  const options = TokenVerifierOptions.parse(input);
  const keys = createRemoteJWKSet(new URL(options.jwksUrl));
  const challenge = challengeFor(options.realm);

  const invalidToken = (reason: Exclude<RejectionReason, 'insufficient-scope'>, detail: string): RejectedToken => ({
    ok: false,
    status: 401,
    reason,
    detail,
    // RFC 6750 §3.1: a request without credentials gets a bare challenge, without error code.
    wwwAuthenticate: reason === 'missing-token' ? challenge({}) : challenge({ error: 'invalid_token', error_description: detail }),
  });

  return {
    async verify(authorizationHeader, requiredScope) {
      const presented = bearerTokenOf(authorizationHeader);
      if (!presented.ok) return invalidToken(presented.reason, presented.detail);

      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(presented.token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: options.algorithms,
          typ: 'at+jwt',
          requiredClaims: ['exp', 'iat', 'jti', 'client_id'],
          clockTolerance: options.clockToleranceSeconds,
        }));
      } catch (error) {
        const rejection = rejectionFor(error);
        if (!rejection) throw error;
        return invalidToken(rejection.reason, rejection.detail);
      }

      const claims = AccessTokenClaims.safeParse(payload);
      if (!claims.success) return invalidToken('malformed-token', `unexpected claims: ${z.prettifyError(claims.error)}`);

      const scopes = claims.data.scope?.split(' ').filter((scope) => scope !== '') ?? [];
      if (!scopes.includes(requiredScope)) {
        const detail = `the token does not grant ${requiredScope}`;
        return {
          ok: false,
          status: 403,
          reason: 'insufficient-scope',
          detail,
          wwwAuthenticate: challenge({ error: 'insufficient_scope', error_description: detail, scope: requiredScope }),
        };
      }
      return { ok: true, clientId: claims.data.client_id, scopes, claims: claims.data };
    },
  };
}

type PresentedToken = { ok: true; token: string } | { ok: false; reason: 'missing-token' | 'malformed-token'; detail: string };

function bearerTokenOf(header: string | undefined): PresentedToken {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing-token', detail: 'no Authorization header' };
  const [scheme = '', ...rest] = header.trim().split(/ +/);
  // Auth schemes are case-insensitive (RFC 9110 §11.1); another scheme carries no bearer token.
  if (scheme.toLowerCase() !== 'bearer') {
    return { ok: false, reason: 'missing-token', detail: `the Authorization scheme is ${scheme}, not Bearer` };
  }
  const [token, ...extra] = rest;
  if (token === undefined) return { ok: false, reason: 'malformed-token', detail: 'the Bearer credentials are empty' };
  if (extra.length > 0) return { ok: false, reason: 'malformed-token', detail: 'the Bearer credentials contain spaces' };
  return { ok: true, token };
}

type TokenFault = { reason: Exclude<RejectionReason, 'missing-token' | 'insufficient-scope'>; detail: string };

/** Maps jose's verdict to a reason; undefined for failures that are not the token's fault. */
function rejectionFor(error: unknown): TokenFault | undefined {
  if (error instanceof errors.JWTExpired) return { reason: 'expired', detail: `the token expired (exp ${error.payload.exp})` };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return { reason: 'wrong-audience', detail: `the token is not meant for this API (aud ${JSON.stringify(error.payload.aud)})` };
    if (error.claim === 'iss') return { reason: 'wrong-issuer', detail: `the token was issued by ${JSON.stringify(error.payload.iss)}` };
    return { reason: 'malformed-token', detail: `claim ${error.claim}: ${error.message}` };
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed
  ) {
    return { reason: 'bad-signature', detail: `the token is not signed by the issuer: ${error.message}` };
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return { reason: 'malformed-token', detail: `not a signed JWT: ${error.message}` };
  }
  return undefined;
}

/** RFC 6750 §3: auth-params are quoted strings limited to printable ASCII without `"` and `\`. */
function challengeFor(realm: string) {
  const quoted = (value: string) => `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'")}"`;
  return (params: Record<string, string>) => {
    const authParams = Object.entries({ realm, ...params }).map(([name, value]) => `${name}=${quoted(value)}`);
    return `Bearer ${authParams.join(', ')}`;
  };
}
