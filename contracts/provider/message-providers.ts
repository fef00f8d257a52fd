import type { KafkaProbe } from '../../fixtures/probes/kafka-probe.ts';
import { urlOf } from '../../fixtures/profile/wire.ts';
import type { EventMessage } from '../interactions/event-messages.ts';
import { contractWire } from '../support/wire.ts';
import { type ProviderSession, uniqueRequestId } from './provider-session.ts';

/** What a message provider hands Pact: the event as published, and its Kafka topic and headers as metadata. */
export type PublishedEvent = { __pactMessageMetadata: Record<string, string>; message: unknown };

/**
 * A message provider per Kafka row, found by the message's description. None fabricates its event:
 * each performs the row's operation on the target (after the provider states are set) and returns
 * the event the target published on Kafka for that request, found by its request id.
 */
export function messageProviders(
  messages: readonly EventMessage[],
  session: ProviderSession,
  probe: () => Promise<KafkaProbe>,
  timeoutMs = 10_000,
) {
  const publish = async (message: EventMessage): Promise<PublishedEvent> => {
    const kafka = await probe();
    const requestId = uniqueRequestId(message.call.requestId ?? 'td448-contract-event');
    const spec = contractWire.request(message.operation, { ...message.call, requestId, authorization: await session.authorization() });
    const response = await fetch(urlOf(session.target.apiBaseUrl, spec), {
      method: spec.method,
      headers: spec.headers,
      ...(spec.body !== undefined ? { body: spec.body } : {}),
    });
    const text = await response.text();
    session.noteCreated({ status: response.status, headers: Object.fromEntries(response.headers), text }, message.operation.endpoint);
    if (!response.ok) throw new Error(`${message.operation.id} answered ${response.status}, so no event is due: ${text.slice(0, 300)}`);
    const [event, ...more] = await kafka.waitForEvents(requestId, timeoutMs);
    if (!event) throw new Error(`no event for request ${requestId} on ${session.target.topics.events} within ${timeoutMs} ms`);
    if (more.length > 0)
      throw new Error(`${1 + more.length} events for request ${requestId}: a successful operation publishes exactly one`);
    // The event as the target published it, in its content mode: value and headers as they are on the topic.
    return { __pactMessageMetadata: { topic: event.topic, ...event.headers }, message: event.value };
  };
  return Object.fromEntries(messages.map((message) => [message.description, () => publish(message)]));
}
