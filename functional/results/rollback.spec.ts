import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { eventsSettled, observedState } from '../support/outcomes.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'results' });

for (const row of rowsPromising('rollback')) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'rolls back on error: state unchanged, no event, rollback logged'),
    rowDetails(row, 'rollback'),
    async ({ api, kafka, logs, requireFaultInjection, profile }) => {
      await labelRow(row, 'rollback');
      requireFaultInjection();
      const call = await arrangeCall(api, operation, seedOf(row, 3), { explicitId: true, withRecord: true });
      const before = await observedState(api, operation, call);

      const sent = await api.send(operation, { ...call, faults: { failAfterWrite: true } });
      test.skip(
        profile.faultInjection !== false && !sent.response.headers()[profile.faultInjection.applied.toLowerCase()],
        'not run: the target did not apply the injected failure (fault injection refused)',
      );

      expect(sent.status, 'a failure after the write must be reported as an error').toBeGreaterThanOrEqual(500);
      expect(sent.response.headers()['content-type']).toMatch(/^application\/problem\+(json|xml)/);
      expect(await observedState(api, operation, call), 'the state after the rolled-back request').toEqual(before);
      await eventsSettled(kafka, api, sent.requestId);
      expect(kafka.eventsFor(sent.requestId), 'events of the rolled-back request').toEqual([]);
      const entry = await logs.entryFor(sent.requestId);
      expect(entry).toMatchObject({ requestId: sent.requestId, outcome: 'rolled-back', rolledBack: true, status: sent.status });
    },
  );
}
