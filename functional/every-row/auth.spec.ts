import { generateKeyPair, SignJWT } from 'jose';
import { expiredToken } from '../../fixtures/clients/expired-token.ts';
import type { OAuthClient } from '../../fixtures/clients/oauth-client.ts';
import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { test as base, expect } from '../../fixtures/playwright/test.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { catalog, labelRow, operationOf, rowDetails, rowTitle, seedOf } from '../support/row-tests.ts';

/** Tokens that must be refused, each made once per worker. */
type BadTokens = {
  malformed: string;
  foreignKey: string;
  expired: string | { notRun: string };
  wrongAudience: string | { notRun: string };
};

const test = base.extend<Record<never, never>, { badTokens: BadTokens }>({
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
});

test.use({ bucket: 'auth' });

/** A token of the issuer minted for another audience (RFC 8707), by the client allowed to ask for one; or why there is none. */
async function tokenForOtherAudience(oauth: OAuthClient, target: TargetDescription): Promise<string | { notRun: string }> {
  if (!target.otherAudience) return { notRun: 'the target description names no otherAudience' };
  const client = oauth.clientsFor('other-audience')[0];
  if (!client) return { notRun: 'the target description has no client with the role "other-audience"' };
  try {
    return (await oauth.requestToken(client.clientId, { audience: target.otherAudience })).token;
  } catch (error) {
    return { notRun: `the authorization server refused a token for ${target.otherAudience}: ${(error as Error).message}` };
  }
}

for (const row of catalog.rows) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'requires a valid OAuth2 token with the operation’s scope'),
    rowDetails(row, 'auth'),
    async ({ api, badTokens, oauth }) => {
      await labelRow(row, 'auth');
      const call = await arrangeCall(api, operation, seedOf(row, 1));

      await test.step('no token → 401 with a Bearer challenge', async () => {
        const { status, response } = await api.send(operation, { ...call, anonymous: true });
        expect(status).toBe(401);
        expect(response.headers()['www-authenticate']).toMatch(/^Bearer /);
      });
      const refused: [string, string | { notRun: string }][] = [
        ['a malformed token', badTokens.malformed],
        ['a token signed by another key', badTokens.foreignKey],
        ['an expired token', badTokens.expired],
        ['a token for another audience', badTokens.wrongAudience],
      ];
      for (const [what, token] of refused) {
        await test.step(`${what} → 401`, async () => {
          if (typeof token !== 'string') {
            test.info().annotations.push({ type: 'not-run', description: `${what}: ${token.notRun}` });
            return;
          }
          const { status, response } = await api.send(operation, { ...call, authorization: `Bearer ${token}` });
          expect(status, `${what} was not refused`).toBe(401);
          expect(response.headers()['www-authenticate']).toContain('invalid_token');
        });
      }
      await test.step('a valid token without the scope → 403', async () => {
        const unscoped = oauth.clientsFor('unscoped')[0];
        if (!unscoped) {
          test.info().annotations.push({
            type: 'not-run',
            description: 'no scope → 403: the target description has no client with the role "unscoped"',
          });
          return;
        }
        const { status, response } = await api.send(operation, {
          ...call,
          authorization: `Bearer ${await api.tokenFor(unscoped.clientId)}`,
        });
        expect(status).toBe(403);
        expect(response.headers()['www-authenticate']).toContain('insufficient_scope');
      });
      await test.step(`a valid token → ${api.wire.successStatus(operation.actionKey)}`, async () => {
        const { status, response } = await api.send(operation, call);
        expect(status, await answered(response)).toBe(api.wire.successStatus(operation.actionKey));
      });
    },
  );
}
