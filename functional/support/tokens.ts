import { generateKeyPair, SignJWT } from 'jose';
import type { Operation } from '../../fixtures/catalog/model.ts';
import { expiredToken } from '../../fixtures/clients/expired-token.ts';
import type { OAuthClient } from '../../fixtures/clients/oauth-client.ts';
import { test as base } from '../../fixtures/playwright/test.ts';
import type { Wire } from '../../fixtures/profile/wire.ts';
import { resourceOf } from '../../fixtures/schemas/scopes.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';

/** A token to present, or why the check that needs it is not run. */
export type TokenOrReason = string | { notRun: string };

/** Tokens that must be refused with 401 (RFC 6750 §3.1 invalid_token), each made once per worker. */
export type BadTokens = {
  malformed: string;
  /** Signed by a key the issuer never published: a JWT with every claim right but the signature. */
  foreignKey: string;
  expired: TokenOrReason;
  wrongAudience: TokenOrReason;
};

/**
 * Tokens of the issuer narrowed to some scopes (RFC 6749 §3.3, asked for by the client credentials grant), made
 * once per worker and scope set: `scopeOfAnotherResource` holds the scope kind the operation needs on another
 * resource (`invoice:read` for a customer read), `everyScopeBut` every API scope except the operation's. Both must
 * be refused with 403 insufficient_scope (RFC 6750 §3.1): a gateway that checks only the kind of scope, or any
 * scope at all, lets them through (OWASP API1/API5). Not run, with the reason, when the authorization server
 * will not narrow a token to the scopes asked for.
 */
export type ScopedTokens = {
  scopeOfAnotherResource(operation: Operation, clientId: string): Promise<TokenOrReason>;
  everyScopeBut(operation: Operation, clientId: string): Promise<TokenOrReason>;
};

export const test = base.extend<Record<never, never>, { badTokens: BadTokens; scopedTokens: ScopedTokens }>({
  badTokens: [
    async ({ oauth, target, profile }, use) => {
      const { privateKey } = await generateKeyPair('RS256');
      const subject = target.clients.find((client) => client.roles.includes('functional')) ?? target.clients[0];
      const now = Math.floor(Date.now() / 1000);
      const foreignKey = await new SignJWT({
        client_id: subject?.clientId,
        scope: subject?.scopes.join(' ') ?? '',
        jti: crypto.randomUUID(),
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'not-the-issuers-key' })
        .setIssuer(target.issuer)
        .setAudience(target.audience)
        .setSubject(subject?.clientId ?? 'td448-suite')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      const wrongAudience = await tokenForOtherAudience(oauth, target);
      const expiring = await expiredToken(oauth, target, profile);
      const expired = 'token' in expiring ? expiring.token : expiring;
      await use({ malformed: 'not.a.jwt', foreignKey, expired, wrongAudience });
    },
    { scope: 'worker', timeout: 30_000 },
  ],
  scopedTokens: [
    async ({ oauth, wire, catalog }, use) => {
      const minted = new Map<string, Promise<TokenOrReason>>();
      const narrowed = (clientId: string, scopes: string[]) => {
        const scope = scopes.join(' ');
        const key = `${clientId}\n${scope}`;
        if (!minted.has(key)) minted.set(key, narrowedToken(oauth, clientId, scope));
        return minted.get(key) as Promise<TokenOrReason>;
      };
      const all = wire.apiScopes(catalog);
      await use({
        async scopeOfAnotherResource(operation, clientId) {
          const other = otherResourceScope(wire, catalog.operations, operation);
          if (!other) return { notRun: `no other resource in the catalog declares ${operation.actionKey}` };
          return narrowed(clientId, [other]);
        },
        async everyScopeBut(operation, clientId) {
          const needed = wire.scope(operation.endpoint, operation.actionKey);
          return narrowed(
            clientId,
            all.filter((scope) => scope !== needed),
          );
        },
      });
    },
    { scope: 'worker' },
  ],
});

/** The scope of the same kind on the first other resource whose operations need it (`invoice:read` for a customer read). */
function otherResourceScope(wire: Wire, operations: readonly Operation[], operation: Operation): string | undefined {
  const needed = wire.scope(operation.endpoint, operation.actionKey);
  const kinds = operations
    .filter((other) => resourceOf(other.endpoint) !== resourceOf(operation.endpoint))
    .map((other) => wire.scope(other.endpoint, operation.actionKey));
  return kinds.find((scope) => scope !== needed);
}

/** A token narrowed to `scope`, or why there is none: refused, or granted with other scopes than asked for. */
async function narrowedToken(oauth: OAuthClient, clientId: string, scope: string): Promise<TokenOrReason> {
  try {
    const granted = await oauth.requestToken(clientId, { scope });
    const asked = new Set(scope.split(' '));
    const got = granted.scope === undefined ? asked : new Set(granted.scope.split(' ').filter(Boolean));
    const extra = [...got].filter((one) => !asked.has(one));
    if (extra.length > 0)
      return { notRun: `the authorization server granted ${extra.join(' ')} beyond the scopes asked for (RFC 6749 §3.3): cannot narrow` };
    return granted.token;
  } catch (error) {
    return { notRun: `the authorization server refused a token narrowed to "${scope}": ${(error as Error).message.split('\n')[0]}` };
  }
}

/** A token of the issuer minted for another audience (RFC 8707), by the client allowed to ask for one; or why there is none. */
async function tokenForOtherAudience(oauth: OAuthClient, target: TargetDescription): Promise<TokenOrReason> {
  if (!target.otherAudience) return { notRun: 'the target description names no otherAudience' };
  const client = oauth.clientsFor('other-audience')[0];
  if (!client) return { notRun: 'the target description has no client with the role "other-audience"' };
  try {
    return (await oauth.requestToken(client.clientId, { audience: target.otherAudience })).token;
  } catch (error) {
    return { notRun: `the authorization server refused a token for ${target.otherAudience}: ${(error as Error).message}` };
  }
}
