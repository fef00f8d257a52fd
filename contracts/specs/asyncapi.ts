import type { Catalog, Operation } from '../../fixtures/catalog/model.ts';
import type { HttpMethod } from '../../fixtures/catalog/vocabulary.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { Wire } from '../../fixtures/profile/wire.ts';
import { protocol } from './reference-conventions.ts';

const topics = { events: 'td448.events' };
const reference = new Wire(referenceProfile);

import { eventSchema } from '../interactions/answer-schemas.ts';
import { resourceEndpoint } from '../interactions/row-data.ts';
import { type JsonSchema, jsonSchemaOf, pascalName } from './json-schema.ts';

/**
 * The AsyncAPI 3.0 document of the domain events: one message per event type, published on the
 * events topic after every successful operation whose rows promise "Thông báo sự kiện qua Kafka".
 */

interface EventKind {
  type: string;
  name: string;
  operations: Operation[];
}

function eventKinds(catalog: Catalog): EventKind[] {
  const kinds = new Map<string, EventKind>();
  for (const operation of catalog.operations.filter((op) => op.results.includes('kafka'))) {
    const type = reference.eventType(operation.endpoint, operation.actionKey);
    const kind = kinds.get(type) ?? { type, name: `${pascalName(operation.endpoint)}${pascalName(operation.actionKey)}`, operations: [] };
    kind.operations.push(operation);
    kinds.set(type, kind);
  }
  return [...kinds.values()].sort((a, b) => a.type.localeCompare(b.type));
}

const kafkaHeaders: JsonSchema = {
  type: 'object',
  required: ['content-type', protocol.requestId, protocol.traceparent],
  properties: {
    'content-type': { const: 'application/cloudevents+json', description: 'CloudEvents structured mode.' },
    [protocol.requestId]: { type: 'string', description: 'The request id of the operation that published the event.' },
    [protocol.traceparent]: {
      type: 'string',
      pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
      description: 'The trace of that operation.',
    },
  },
};

/** `eventRows`: the rows whose own result is the Kafka event (an operation's other rows promise other things). */
function message(kind: EventKind, eventRows: ReadonlySet<number>) {
  const [first] = kind.operations as [Operation, ...Operation[]];
  const methods = [...new Set(kind.operations.map((op) => op.method))] as [HttpMethod, ...HttpMethod[]];
  const rows = kind.operations.flatMap((op) => op.rows.filter((row) => eventRows.has(row))).sort((a, b) => a - b);
  return {
    name: kind.type,
    title: `${first.endpoint} · ${first.action}`,
    summary: `Published after a successful ${methods.join('/')} ${first.endpoint} (${first.action}).`,
    contentType: 'application/cloudevents+json',
    headers: kafkaHeaders,
    payload: jsonSchemaOf(
      eventSchema(resourceEndpoint(first), first.actionKey, methods, reference.eventType(first.endpoint, first.actionKey)),
    ),
    bindings: { kafka: { key: { type: 'string', description: 'The record id (or the resource, for a collection-wide action).' } } },
    'x-td448-operations': kind.operations.map((op) => op.id),
    'x-td448-rows': rows,
  };
}

export function asyncApiDocument(catalog: Catalog) {
  const eventRows = new Set(catalog.rows.filter((row) => row.resultKey === 'kafka').map((row) => row.number));
  const kinds = eventKinds(catalog);
  const messages = Object.fromEntries(kinds.map((kind) => [kind.name, message(kind, eventRows)]));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'TD448 — domain events',
      version: '2.0.0',
      description:
        `Generated from the parsed TD448 catalog (\`node scripts/contracts.ts specs\`); do not edit. ` +
        `Exactly one event per successful operation whose rows promise "Thông báo sự kiện qua Kafka" ` +
        `(${eventRows.size} rows), none for a failed or rolled-back one.`,
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      kafka: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The Kafka bootstrap servers of the deployment’s target description.',
      },
    },
    channels: {
      events: {
        address: topics.events,
        description: 'Domain events, CloudEvents 1.0 in structured mode, keyed by record id.',
        messages: Object.fromEntries(kinds.map((kind) => [kind.name, { $ref: `#/components/messages/${kind.name}` }])),
      },
    },
    operations: {
      publishEvents: {
        action: 'send',
        title: 'The TD448 platform publishes the event of each successful operation',
        channel: { $ref: '#/channels/events' },
        messages: kinds.map((kind) => ({ $ref: `#/channels/events/messages/${kind.name}` })),
      },
    },
    components: { messages },
  };
}
