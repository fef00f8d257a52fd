import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { expectCompleteLogEntry, expectNoSecrets } from '../support/expectations.ts';
import { catalog, labelRow, operationOf, rowDetails, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'transaction-log' });

for (const row of catalog.rows) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'writes a detailed transaction-log entry with no secret in it'),
    rowDetails(row, 'transaction-log'),
    async ({ api, logs, target }) => {
      await labelRow(row, 'transaction-log');
      const call = await arrangeCall(api, operation, seedOf(row, 2));
      const sent = await api.send(operation, call);
      expect(sent.status, await answered(sent.response)).toBeLessThan(300);
      const entry = await logs.entryFor(sent.requestId);
      expectCompleteLogEntry(entry, { sent, operation, clientId: api.clientId, version: 'v2', outcome: 'success' });
      expectNoSecrets(entry, target);
    },
  );
}
