import { promised } from '../../fixtures/catalog/vocabulary.ts';
import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { eventsSettled, observedState } from '../support/outcomes.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'results' });

const { maxRetries } = promised;

for (const row of rowsPromising('retry')) {
  const operation = operationOf(row);
  const announces = operation.results.includes('kafka');
  test(
    rowTitle(row, `retries a failing downstream at most ${maxRetries} times, without duplicates`),
    rowDetails(row, 'retry'),
    async ({ api, kafka, logs, requireFaultInjection, profile }) => {
      await labelRow(row, 'retry');
      requireFaultInjection();
      const succeeded: string[] = [];
      for (let failures = 1; failures <= maxRetries; failures++) {
        await test.step(`${failures} transient failure(s) → success after ${failures + 1} attempts`, async () => {
          const call = await arrangeCall(api, operation, seedOf(row, 40 + failures), { explicitId: true });
          const sent = await api.send(operation, { ...call, faults: { downstreamFailures: failures } });
          test.skip(
            profile.faultInjection !== false && !sent.response.headers()[profile.faultInjection.applied.toLowerCase()],
            'not run: the target did not apply the injected failures (fault injection refused)',
          );
          expect(sent.status, await answered(sent.response)).toBe(api.wire.successStatus(operation.actionKey));
          if (profile.headers.attempts) expect(api.wire.attemptsOf(sent.response.headers())).toBe(failures + 1);
          expect((await logs.entryFor(sent.requestId))?.attempts).toBe(failures + 1);
          if (announces) succeeded.push(sent.requestId);
        });
      }
      await test.step(`${maxRetries + 1} failures → a gateway error after exactly ${maxRetries + 1} attempts, nothing written`, async () => {
        const call = await arrangeCall(api, operation, seedOf(row, 49), { explicitId: true, withRecord: true });
        const before = await observedState(api, operation, call);
        const sent = await api.send(operation, { ...call, faults: { downstreamFailures: maxRetries + 1 } });
        expect(sent.status, await answered(sent.response)).toBeGreaterThanOrEqual(502);
        expect(sent.status).toBeLessThanOrEqual(504);
        if (profile.headers.attempts) expect(api.wire.attemptsOf(sent.response.headers())).toBe(maxRetries + 1);
        expect((await logs.entryFor(sent.requestId))?.attempts).toBe(maxRetries + 1);
        expect(await observedState(api, operation, call)).toEqual(before);
        await eventsSettled(kafka, api, sent.requestId);
        expect(kafka.eventsFor(sent.requestId), 'no event for the failed request').toEqual([]);
        for (const requestId of succeeded) {
          expect(kafka.eventsFor(requestId).length, `retries duplicated the event of ${requestId}`).toBeLessThanOrEqual(1);
        }
      });
    },
  );
}
