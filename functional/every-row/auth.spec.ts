import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect } from '../../fixtures/playwright/test.ts';
import { catalog, labelRow, operationOf, rowDetails, rowTitle, seedOf } from '../support/row-tests.ts';
import { type TokenOrReason, test } from '../support/tokens.ts';

test.use({ bucket: 'auth' });

for (const row of catalog.rows) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'requires a valid OAuth2 token with the operation’s scope'),
    rowDetails(row, 'auth'),
    async ({ api, badTokens, scopedTokens, oauth }) => {
      await labelRow(row, 'auth');
      const call = await arrangeCall(api, operation, seedOf(row, 1));

      await test.step('no token → 401 with a Bearer challenge', async () => {
        const { status, response } = await api.send(operation, { ...call, anonymous: true });
        expect(status).toBe(401);
        expect(response.headers()['www-authenticate']).toMatch(/^Bearer /);
      });
      const refused: [string, TokenOrReason][] = [
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
      const needed = api.wire.scope(operation.endpoint, operation.actionKey);
      const confused: [string, TokenOrReason][] = [
        [`a token with the same kind of scope on another resource`, await scopedTokens.scopeOfAnotherResource(operation, api.clientId)],
        [`a token with every scope but ${needed}`, await scopedTokens.everyScopeBut(operation, api.clientId)],
      ];
      for (const [what, token] of confused) {
        await test.step(`${what} → 403 insufficient_scope`, async () => {
          if (typeof token !== 'string') {
            test.info().annotations.push({ type: 'not-run', description: `${what}: ${token.notRun}` });
            return;
          }
          const { status, response } = await api.send(operation, { ...call, authorization: `Bearer ${token}` });
          expect(status, `${what} was not refused (${needed} is the scope this operation needs): ${await answered(response)}`).toBe(403);
          expect(response.headers()['www-authenticate']).toContain('insufficient_scope');
        });
      }
      await test.step(`a valid token → ${api.wire.successStatus(operation.actionKey)}`, async () => {
        const { status, response } = await api.send(operation, call);
        expect(status, await answered(response)).toBe(api.wire.successStatus(operation.actionKey));
      });
    },
  );
}
