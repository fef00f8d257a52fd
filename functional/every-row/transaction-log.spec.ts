import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect } from '../../fixtures/playwright/test.ts';
import { expectCompleteLogEntry, expectNoSecrets } from '../support/expectations.ts';
import { catalog, labelRow, operationOf, rowDetails, rowTitle, seedOf } from '../support/row-tests.ts';
import { type TokenOrReason, test } from '../support/tokens.ts';

test.use({ bucket: 'transaction-log' });

for (const row of catalog.rows) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'writes a detailed transaction-log entry with no secret in it, for a refused request too'),
    rowDetails(row, 'transaction-log'),
    async ({ api, logs, target, badTokens, scopedTokens }) => {
      await labelRow(row, 'transaction-log');
      const call = await arrangeCall(api, operation, seedOf(row, 2));
      await test.step('an accepted request', async () => {
        const sent = await api.send(operation, call);
        expect(sent.status, await answered(sent.response)).toBeLessThan(300);
        const entry = await logs.entryFor(sent.requestId);
        expectCompleteLogEntry(entry, { sent, operation, clientId: api.clientId, version: api.wire.currentVersion, outcome: 'success' });
        expectNoSecrets(await logs.writtenEntriesFor(sent.requestId), target);
      });
      // A refused request carries a credential that must not end in the log either: a token signed by another
      // key (401) and a valid token without the operation's scope (403).
      const refused: [string, number, TokenOrReason][] = [
        ['a token signed by another key', 401, badTokens.foreignKey],
        ['a token without the operation’s scope', 403, await scopedTokens.everyScopeBut(operation, api.clientId)],
      ];
      for (const [what, status, token] of refused) {
        await test.step(`a request refused with ${status} (${what})`, async () => {
          if (typeof token !== 'string') {
            test.info().annotations.push({ type: 'not-run', description: `the log of a ${status}: ${token.notRun}` });
            return;
          }
          const sent = await api.send(operation, { ...call, authorization: `Bearer ${token}` });
          if (sent.status !== status) {
            // Whether the target refuses is the auth check's promise (it fails there); this check judges the log of a refusal.
            test.info().annotations.push({
              type: 'not-run',
              description: `the log of a ${status}: the target answered ${sent.status} to ${what}, so there is no refusal to read back (the row's auth check judges the refusal)`,
            });
            return;
          }
          const entry = await logs.entryFor(sent.requestId);
          expectCompleteLogEntry(entry, {
            sent,
            operation,
            clientId: [null, api.clientId],
            version: api.wire.currentVersion,
            outcome: 'rejected',
          });
          expect(entry?.attempts, 'a refused request never reaches the upstream').toBe(0);
          expectNoSecrets(await logs.writtenEntriesFor(sent.requestId), target);
        });
      }
    },
  );
}
