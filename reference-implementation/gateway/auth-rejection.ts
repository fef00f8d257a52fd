import { decodeJwt } from 'jose';
import type { RejectedToken } from '../auth/verify-token.ts';
import { ProblemError } from './problem.ts';

/**
 * A refused token as a 401 or 403 problem with its WWW-Authenticate challenge. The refusal goes into
 * the response, the transaction log and the audit topic: it never repeats the credentials presented
 * (a token or `id:secret` sent without a scheme is read as the scheme's name).
 */
export function rejection(
  auth: Pick<RejectedToken, 'status' | 'reason' | 'detail' | 'wwwAuthenticate'>,
  authorization: string | undefined,
) {
  const redact = (text: string) =>
    (authorization ?? '')
      .split(/\s+/)
      .filter((part) => part.length >= 8)
      .reduce((redacted, part) => redacted.replaceAll(part, '[credentials]'), text);
  return new ProblemError(auth.status, auth.reason, auth.status === 401 ? 'Unauthorized' : 'Forbidden', redact(auth.detail), {
    headers: { 'www-authenticate': redact(auth.wwwAuthenticate) },
  });
}

/** The client of an already verified token (only the planted skip-scope-check-on-delete defect needs it). */
export function clientIdOf(authorization: string | undefined): string | null {
  const claims = decodeJwt((authorization ?? '').replace(/^Bearer\s+/i, ''));
  return typeof claims.client_id === 'string' ? claims.client_id : null;
}

/** Whether an already verified token grants any of `scopes` (only the planted check-scope-kind-only defect needs it). */
export function grantsKind(authorization: string | undefined, scopes: ReadonlySet<string>): boolean {
  const claims = decodeJwt((authorization ?? '').replace(/^Bearer\s+/i, ''));
  return typeof claims.scope === 'string' && claims.scope.split(' ').some((scope) => scopes.has(scope));
}
