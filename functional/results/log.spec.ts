import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { expectCompleteLogEntry, expectNoSecrets } from '../support/expectations.ts';
import { failingCall } from '../support/outcomes.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'results' });

for (const row of rowsPromising('log')) {
  const operation = operationOf(row);
  test(rowTitle(row, 'logs every request completely, failures included'), rowDetails(row, 'log'), async ({ api, logs, target }) => {
    await labelRow(row, 'log');
    const call = await arrangeCall(api, operation, seedOf(row, 6));
    const success = await api.send(operation, { ...call, version: 'v1' });
    const failure = await api.send(operation, await failingCall(api, operation, call));
    expect(failure.status).toBeGreaterThanOrEqual(400);

    const successEntry = await logs.entryFor(success.requestId);
    expectCompleteLogEntry(successEntry, { sent: success, operation, clientId: api.clientId, version: 'v1', outcome: 'success' });
    const failureEntry = await logs.entryFor(failure.requestId);
    expectCompleteLogEntry(failureEntry, {
      sent: failure,
      operation,
      clientId: api.clientId,
      version: api.wire.currentVersion,
      outcome: 'client-error',
    });
    expect(failureEntry?.detail, 'a failure’s entry says what went wrong').toBeTruthy();
    expectNoSecrets([await logs.writtenEntriesFor(success.requestId), await logs.writtenEntriesFor(failure.requestId)], target);
  });
}
