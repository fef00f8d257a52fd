import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import type { ProbedEvent } from '../../fixtures/probes/kafka-probe.ts';
import { DomainEvent } from '../../fixtures/schemas/event.ts';
import { asyncApiOf } from '../support/asyncapi.ts';
import { newTraceparent, traceIdOf } from '../support/expectations.ts';
import { eventsSettled, failingCall, subjectOf } from '../support/outcomes.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'results' });

for (const row of rowsPromising('kafka')) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'announces a success with exactly one CloudEvent on Kafka, and a failure with none'),
    rowDetails(row, 'kafka'),
    async ({ api, kafka, target }) => {
      await labelRow(row, 'kafka');
      const call = await arrangeCall(api, operation, seedOf(row, 5));
      const traceparent = newTraceparent();
      const sent = await api.send(operation, { ...call, traceparent });
      expect(sent.status, await answered(sent.response)).toBe(api.wire.successStatus(operation.actionKey));

      const failed = await api.send(operation, await failingCall(api, operation, call));
      expect(failed.status).toBeGreaterThanOrEqual(400);
      await eventsSettled(kafka, api, failed.requestId);
      expect(kafka.eventsFor(failed.requestId), 'events of the failed request').toEqual([]);

      const events = kafka.eventsFor(sent.requestId);
      expect(events, `events carrying request id ${sent.requestId}`).toHaveLength(1);
      const [event] = events;
      expect(
        asyncApiOf(api.wire, target).violations(event as ProbedEvent),
        'the event conforms to the AsyncAPI document of the target’s profile (headers and payload)',
      ).toEqual([]);
      const payload = DomainEvent.parse(event?.event);
      expect(payload.type).toBe(api.wire.eventType(operation.endpoint, operation.actionKey));
      expect(traceIdOf(payload.traceparent), 'the event continues the caller’s trace').toBe(traceIdOf(traceparent));
      expect(payload.data).toMatchObject({
        endpoint: operation.endpoint,
        method: operation.method,
        action: operation.actionKey,
        clientId: api.clientId,
      });
      const subject = await subjectOf(api, call, sent);
      if (subject) expect(payload.subject).toBe(subject);
      expect(event?.key, 'events are keyed by the resource they are about').toBe(payload.subject);
    },
  );
}
