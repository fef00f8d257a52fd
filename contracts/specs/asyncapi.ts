import type { Catalog, Operation } from '../../fixtures/catalog/model.ts';
import type { HttpMethod } from '../../fixtures/catalog/vocabulary.ts';
import { structuredContentType } from '../../fixtures/profile/events.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { Wire } from '../../fixtures/profile/wire.ts';
import { traceparentPattern } from '../../fixtures/schemas/event.ts';
import type { KafkaSecurity } from '../../fixtures/schemas/target.ts';
import { eventSchema } from '../interactions/answer-schemas.ts';
import { resourceEndpoint } from '../interactions/row-data.ts';
import { type JsonSchema, jsonSchemaOf, pascalName } from './json-schema.ts';

/**
 * The AsyncAPI 3.0 document of a profile's domain events: one message per event type, published on the
 * events topic after every successful operation whose rows promise "Thông báo sự kiện qua Kafka".
 *
 * It is the profile's (fixtures/profile/profile.ts `events`, `headers`): the CloudEvents Kafka protocol
 * binding's content mode (structured: the whole event as the value, `content-type:
 * application/cloudevents+json`; binary: each attribute a `ce_<name>` header, the data as the value), the
 * correlation attribute's name, the type template; the topic and bootstrap servers are the target
 * description's. `contracts/specs/event-conformance.ts` validates a consumed message against it.
 */

/** Where the events flow: the target description's `topics.events`, `kafkaBootstrap` (host:port[,host:port…]) and `kafka` security. */
export interface EventChannel {
  topic: string;
  bootstrap: string;
  security?: KafkaSecurity;
}

/** AsyncAPI 3.0 security scheme types of the SASL mechanisms a target description names. */
const saslSchemeTypes = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scramSha256', 'SCRAM-SHA-512': 'scramSha512' } as const;

/**
 * The servers of a channel: one per bootstrap broker (`kafka`, then `kafka-2`, …, each a host:port), protocol
 * `kafka-secure` over TLS, `kafka` otherwise (AsyncAPI 3.0 §Server Object), and the SASL mechanism as a
 * security scheme (never its credentials).
 */
function serversOf(channel: EventChannel) {
  const { tls, sasl } = channel.security ?? {};
  // kafka-secure is Kafka over TLS (SASL_SSL or SSL); SASL_PLAINTEXT is kafka with a security scheme.
  const secure = tls !== undefined;
  const servers = Object.fromEntries(
    channel.bootstrap.split(',').map((host, index) => [
      index === 0 ? 'kafka' : `kafka-${index + 1}`,
      {
        host,
        protocol: secure ? 'kafka-secure' : 'kafka',
        description: 'A Kafka bootstrap server of the deployment’s target description.',
        ...(sasl ? { security: [{ $ref: '#/components/securitySchemes/sasl' }] } : {}),
      },
    ]),
  );
  const securitySchemes = sasl
    ? { sasl: { type: saslSchemeTypes[sasl.mechanism], description: `SASL ${sasl.mechanism}${tls ? ' over TLS' : ''}` } }
    : undefined;
  return { servers, securitySchemes };
}

/** The embedded stack's channel: the one the committed reference document names. */
export const referenceChannel: EventChannel = { topic: 'td448.events', bootstrap: '127.0.0.1:9092' };

interface EventKind {
  type: string;
  name: string;
  operations: Operation[];
}

function eventKinds(catalog: Catalog, wire: Wire): EventKind[] {
  const kinds = new Map<string, EventKind>();
  for (const operation of catalog.operations.filter((op) => op.results.includes('kafka'))) {
    const type = wire.eventType(operation.endpoint, operation.actionKey);
    const kind = kinds.get(type) ?? { type, name: `${pascalName(operation.endpoint)}${pascalName(operation.actionKey)}`, operations: [] };
    const [first] = kind.operations;
    if (first && (first.endpoint !== operation.endpoint || first.actionKey !== operation.actionKey))
      throw new Error(
        `the profile's events.typeTemplate "${wire.profile.events.typeTemplate}" gives ${first.endpoint} (${first.actionKey}) and ${operation.endpoint} (${operation.actionKey}) the one CloudEvents type "${type}": their events carry different data, so a consumer cannot tell them apart. Put {endpoint} (or {resource}) and {action} in the template.`,
      );
    kind.operations.push(operation);
    kinds.set(type, kind);
  }
  return [...kinds.values()].sort((a, b) => a.type.localeCompare(b.type));
}

/** The Kafka headers a deployment may add beside the CloudEvent: its request id and trace (the reference does). */
function correlationHeaders(wire: Wire): Record<string, JsonSchema> {
  return {
    [wire.profile.headers.requestId.toLowerCase()]: {
      type: 'string',
      description: 'The request id of the operation that published the event (optional: the CloudEvent carries it).',
    },
    [wire.profile.headers.traceparent.toLowerCase()]: {
      type: 'string',
      pattern: traceparentPattern.source,
      description: 'W3C Trace Context of that operation (optional: the CloudEvent carries it).',
    },
  };
}

/** A media type, its parameters allowed (`application/json; charset=utf-8`: RFC 9110 §8.3.1). */
const mediaType = (type: string, description: string): JsonSchema => ({
  type: 'string',
  pattern: `^${type.replaceAll('+', '\\+').replaceAll('.', '\\.')}\\s*(;.*)?$`,
  description,
});

/**
 * The event's schema as a deployment may send it: the catalog's data, and attributes as CloudEvents 1.0 allows
 * them. `source` is the deployment's own URI-reference (the reference implementation's `/td448/<endpoint>` is one
 * choice), and attributes beyond the document's are extensions (`dataschema`, `tracestate`), which CloudEvents
 * lets a producer add.
 */
function openEvent(event: JsonSchema): JsonSchema {
  const { additionalProperties: _closed, ...rest } = event;
  const properties = { ...(rest.properties as Record<string, JsonSchema>) };
  properties.source = {
    type: 'string',
    minLength: 1,
    pattern: '^\\S+$',
    description: 'A URI-reference (RFC 3986) naming the context the event happened in, as the deployment chooses it.',
  };
  return { ...rest, properties };
}

/** The canonical event's schema with the profile's correlation attribute name (canonically `requestid`). */
function renamed(schema: JsonSchema, correlation: string): JsonSchema {
  if (correlation === 'requestid') return schema;
  const properties = Object.fromEntries(
    Object.entries(schema.properties as Record<string, JsonSchema>).map(([name, value]) => [
      name === 'requestid' ? correlation : name,
      value,
    ]),
  );
  const required = (schema.required as string[]).map((name) => (name === 'requestid' ? correlation : name));
  return { ...schema, properties, required };
}

/**
 * The message's headers and payload in the profile's content mode. Structured: the whole event is the
 * payload. Binary (CloudEvents Kafka binding §3.2): each attribute but `data` is a `ce_<name>` header whose
 * value is the attribute's string form, `datacontenttype` is the `content-type` header, the data the payload.
 */
function carriage(wire: Wire, event: JsonSchema): { headers: JsonSchema; payload: JsonSchema; contentType: string } {
  const extra = correlationHeaders(wire);
  if (wire.profile.events.mode === 'structured')
    return {
      contentType: structuredContentType,
      headers: {
        type: 'object',
        required: ['content-type'],
        properties: { 'content-type': mediaType(structuredContentType, 'CloudEvents structured content mode.'), ...extra },
      },
      payload: event,
    };
  const { data, datacontenttype, ...attributes } = event.properties as Record<string, JsonSchema>;
  return {
    contentType: 'application/json',
    headers: {
      type: 'object',
      required: [
        'content-type',
        ...(event.required as string[]).filter((name) => name !== 'data' && name !== 'datacontenttype').map((name) => `ce_${name}`),
      ],
      properties: {
        'content-type': mediaType(
          String((datacontenttype as { const?: unknown } | undefined)?.const ?? 'application/json'),
          'The event’s datacontenttype (CloudEvents binary content mode).',
        ),
        ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`ce_${name}`, value])),
        ...extra,
      },
    },
    payload: data ?? {},
  };
}

/** `eventRows`: the rows whose own result is the Kafka event (an operation's other rows promise other things). */
function message(wire: Wire, kind: EventKind, eventRows: ReadonlySet<number>) {
  const [first] = kind.operations as [Operation, ...Operation[]];
  const methods = [...new Set(kind.operations.map((op) => op.method))] as [HttpMethod, ...HttpMethod[]];
  const rows = kind.operations.flatMap((op) => op.rows.filter((row) => eventRows.has(row))).sort((a, b) => a - b);
  const event = renamed(
    openEvent(jsonSchemaOf(eventSchema(resourceEndpoint(first), first.actionKey, methods, kind.type))),
    wire.profile.events.correlation,
  );
  const { headers, payload, contentType } = carriage(wire, event);
  return {
    name: kind.type,
    title: `${first.endpoint} · ${first.action}`,
    summary: `Published after a successful ${methods.join('/')} ${first.endpoint} (${first.action}).`,
    contentType,
    headers,
    payload,
    bindings: { kafka: { key: { type: 'string', description: 'The record id (or the resource, for a collection-wide action).' } } },
    'x-td448-operations': kind.operations.map((op) => op.id),
    'x-td448-rows': rows,
  };
}

/**
 * The AsyncAPI 3.0 document of `wire`'s profile (the reference profile's by default) on `channel`.
 * Each message is named by its CloudEvents type and lists its catalog operations and rows
 * (`x-td448-operations`, `x-td448-rows`); `x-td448-content-mode` says how the events are carried.
 */
export function asyncApiDocument(catalog: Catalog, wire: Wire = new Wire(referenceProfile), channel: EventChannel = referenceChannel) {
  const eventRows = new Set(catalog.rows.filter((row) => row.resultKey === 'kafka').map((row) => row.number));
  const kinds = eventKinds(catalog, wire);
  const messages = Object.fromEntries(kinds.map((kind) => [kind.name, message(wire, kind, eventRows)]));
  const mode = wire.profile.events.mode;
  const { servers, securitySchemes } = serversOf(channel);
  return {
    asyncapi: '3.0.0',
    info: {
      title: `TD448 — domain events (profile ${wire.profile.name})`,
      version: '2.0.0',
      description:
        `Generated from the parsed TD448 catalog and the target profile "${wire.profile.name}" (\`node scripts/contracts.ts specs\`); do not edit. ` +
        `Exactly one event per successful operation whose rows promise "Thông báo sự kiện qua Kafka" ` +
        `(${eventRows.size} rows), none for a failed or rolled-back one. CloudEvents 1.0, ${mode} content mode.`,
    },
    defaultContentType: mode === 'structured' ? structuredContentType : 'application/json',
    'x-td448-content-mode': mode,
    servers,
    channels: {
      events: {
        address: channel.topic,
        description: `Domain events, CloudEvents 1.0 in ${mode} content mode, keyed by record id.`,
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
    components: { messages, ...(securitySchemes ? { securitySchemes } : {}) },
  };
}
