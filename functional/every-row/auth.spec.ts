import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import type { OAuthClient } from '../../fixtures/clients/oauth-client.ts';
import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall, successStatus } from '../../fixtures/playwright/row-calls.ts';
import { test as base, expect } from '../../fixtures/playwright/test.ts';
import { catalog, labelRow, operationOf, rowDetails, rowTitle, seedOf } from '../support/row-tests.ts';

/**
 * A real token of the real issuer, waited out: the gateway must check exp with no tolerance.
 * Kept in a file for the run, so a worker restarted after a failure does not wait again.
 */
async function expiredToken(oauth: OAuthClient, issuer: string): Promise<string> {
  const file = join(tmpdir(), `td448-expired-${createHash('sha256').update(issuer).digest('hex').slice(0, 16)}.jwt`);
  const kept = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (kept && (decodeJwt(kept).exp ?? Infinity) * 1000 < Date.now()) return kept;
  const { token, expiresIn } = await oauth.requestToken('short-lived');
  await new Promise((resolve) => setTimeout(resolve, (expiresIn + 1) * 1000));
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/** Tokens that must be refused, each made once per worker. */
type BadTokens = { malformed: string; foreignKey: string; expired: string; wrongAudience: string | undefined };

const test = base.extend<Record<never, never>, { badTokens: BadTokens }>({
  badTokens: [
    async ({ oauth, target }, use) => {
      const { privateKey } = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      const foreignKey = await new SignJWT({
        client_id: 'suite-1',
        scope: target.clients[0]?.scopes.join(' ') ?? '',
        jti: crypto.randomUUID(),
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'not-the-issuers-key' })
        .setIssuer(target.issuer)
        .setAudience(target.audience)
        .setSubject('suite-1')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      const wrongAudience = target.otherAudience
        ? (await oauth.requestToken('suite-1', { audience: target.otherAudience })).token
        : undefined;
      const expired = await expiredToken(oauth, target.issuer);
      await use({ malformed: 'not.a.jwt', foreignKey, expired, wrongAudience });
    },
    { scope: 'worker', timeout: 30_000 },
  ],
});

test.use({ clientId: 'suite-1' });

for (const row of catalog.rows) {
  const operation = operationOf(row);
  test(rowTitle(row, 'requires a valid OAuth2 token with the operation’s scope'), rowDetails(row, 'auth'), async ({ api, badTokens }) => {
    await labelRow(row, 'auth');
    const call = await arrangeCall(api, operation, seedOf(row, 1));

    await test.step('no token → 401 with a Bearer challenge', async () => {
      const { status, response } = await api.send(operation, { ...call, anonymous: true });
      expect(status).toBe(401);
      expect(response.headers()['www-authenticate']).toMatch(/^Bearer /);
    });
    const refused: [string, string | undefined][] = [
      ['a malformed token', badTokens.malformed],
      ['a token signed by another key', badTokens.foreignKey],
      ['an expired token', badTokens.expired],
      ['a token for another audience', badTokens.wrongAudience],
    ];
    for (const [what, token] of refused) {
      await test.step(`${what} → 401`, async () => {
        if (token === undefined) {
          test.info().annotations.push({ type: 'not-run', description: `${what}: the target description names no otherAudience` });
          return;
        }
        const { status, response } = await api.send(operation, { ...call, authorization: `Bearer ${token}` });
        expect(status, `${what} was not refused`).toBe(401);
        expect(response.headers()['www-authenticate']).toContain('invalid_token');
      });
    }
    await test.step('a valid token without the scope → 403', async () => {
      const { status, response } = await api.send(operation, { ...call, authorization: `Bearer ${await api.tokenFor('no-scopes')}` });
      expect(status).toBe(403);
      expect(response.headers()['www-authenticate']).toContain('insufficient_scope');
    });
    await test.step(`a valid token → ${successStatus[operation.actionKey]}`, async () => {
      const { status, response } = await api.send(operation, call);
      expect(status, await answered(response)).toBe(successStatus[operation.actionKey]);
    });
  });
}
