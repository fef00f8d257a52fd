import type { Wire } from '../../fixtures/profile/wire.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { asyncApiDocument } from '../../fixtures/specs/asyncapi.ts';
import { AsyncApiMessages } from '../../fixtures/specs/event-conformance.ts';
import { catalog } from './row-tests.ts';

/** Per Wire, per channel (`<topic> <bootstrap>`): compiled once per worker. */
const documents = new WeakMap<Wire, Map<string, AsyncApiMessages>>();

/**
 * The AsyncAPI document of the run's target (its profile's content mode, correlation attribute and type
 * template; its events topic and bootstrap servers), compiled once per worker: every event a Kafka check
 * consumes is validated against it (`violations(event)` is [] for a conforming message).
 */
export function asyncApiOf(wire: Wire, target: Pick<TargetDescription, 'topics' | 'kafkaBootstrap'>): AsyncApiMessages {
  const byChannel = documents.get(wire) ?? new Map<string, AsyncApiMessages>();
  documents.set(wire, byChannel);
  const channel = { topic: target.topics.events, bootstrap: target.kafkaBootstrap };
  const key = `${channel.topic} ${channel.bootstrap}`;
  let compiled = byChannel.get(key);
  if (!compiled) {
    compiled = new AsyncApiMessages(asyncApiDocument(catalog, wire, channel));
    byChannel.set(key, compiled);
  }
  return compiled;
}
