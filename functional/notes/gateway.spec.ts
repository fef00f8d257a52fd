import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { newTraceparent, traceIdOf } from '../support/expectations.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'notes' });

for (const row of rowsPromising('gateway')) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'goes through the API gateway: request id, trace context, authentication before the upstream'),
    rowDetails(row, 'gateway'),
    async ({ api, logs }) => {
      await labelRow(row, 'gateway');
      const call = await arrangeCall(api, operation, seedOf(row, 8));

      await test.step('a caller’s request id and trace are propagated', async () => {
        const requestId = api.newRequestId('gateway');
        const traceparent = newTraceparent();
        const sent = await api.send(operation, { ...call, requestId, traceparent });
        expect(sent.status, await answered(sent.response)).toBe(api.wire.successStatus(operation.actionKey));
        expect(api.wire.requestIdOf(sent.response.headers())).toBe(requestId);
        expect(traceIdOf(sent.response.headers()[api.wire.profile.headers.traceparent.toLowerCase()])).toBe(traceIdOf(traceparent));
        expect((await logs.entryFor(requestId))?.traceId).toBe(traceIdOf(traceparent));
      });

      await test.step('a request without them is given both', async () => {
        const sent = await api.send(operation, { ...call, requestId: '' });
        const assigned = api.wire.requestIdOf(sent.response.headers()) ?? '';
        expect(assigned).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
        expect(traceIdOf(sent.response.headers()[api.wire.profile.headers.traceparent.toLowerCase()])).toMatch(/^[0-9a-f]{32}$/);
        expect((await logs.entryFor(assigned))?.requestId).toBe(assigned);
      });

      await test.step('an unauthenticated request is stopped at the gateway: nothing reaches the upstream', async () => {
        const sent = await api.send(operation, { ...call, anonymous: true });
        expect(sent.status).toBe(401);
        const entry = await logs.entryFor(sent.requestId);
        expect(entry).toMatchObject({ status: 401, outcome: 'rejected', attempts: 0 });
      });
    },
  );
}
