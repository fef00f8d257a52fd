import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { renderEvent } from '../../fixtures/profile/events.ts';
import { builtInProfiles, resolveProfile } from '../../fixtures/profile/load-profile.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { Wire } from '../../fixtures/profile/wire.ts';
import { asyncApiDocument } from './asyncapi.ts';
import { AsyncApiMessages } from './event-conformance.ts';
import { serialize, validateAsyncApi } from './spec-documents.ts';

const catalog = loadCatalog();
const exported = catalog.operations.find((operation) => operation.actionKey === 'export' && operation.results.includes('kafka'));
if (!exported) throw new Error('the catalog has no export that promises a Kafka event');

/** The canonical event an export of `exported` publishes: what the reference implementation sends. */
const canonical = (wire: Wire): Record<string, unknown> => ({
  specversion: '1.0',
  id: randomUUID(),
  source: `/td448${exported.endpoint}`,
  type: wire.eventType(exported.endpoint, 'export'),
  subject: 'crm',
  time: '2026-11-30T10:00:00.000Z',
  datacontenttype: 'application/json',
  requestid: 'req-1',
  traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
  data: {
    endpoint: exported.endpoint,
    method: exported.method,
    action: 'export',
    version: 'v2',
    clientId: 'qa',
    record: { resource: exported.endpoint, count: 2 },
  },
});

for (const name of builtInProfiles()) {
  const wire = new Wire(name === 'reference' ? referenceProfile : resolveProfile(name, process.cwd()));
  const document = asyncApiDocument(catalog, wire, { topic: 'orders.events', bootstrap: 'kafka-1:9093,kafka-2:9093' });
  const messages = new AsyncApiMessages(JSON.parse(serialize(document)));
  const mode = wire.profile.events.mode;
  const send = (event: Record<string, unknown>) => renderEvent(wire.profile.events, event);

  test.describe(`profile ${name} (${mode} content mode)`, () => {
    test('the AsyncAPI document is the target’s: its topic, its types, valid by @asyncapi/parser', async () => {
      expect(document.channels.events.address).toBe('orders.events');
      expect(Object.values(document.servers).map((server) => [server.host, server.protocol])).toEqual([
        ['kafka-1:9093', 'kafka'],
        ['kafka-2:9093', 'kafka'],
      ]);
      expect(messages.types).toContain(wire.eventType(exported.endpoint, 'export'));
      expect((await validateAsyncApi(serialize(document))).errors).toEqual([]);
    });

    test('an event as the profile carries it conforms', () => {
      expect(messages.violations(send(canonical(wire)))).toEqual([]);
    });

    test('a deployment’s own source, a CloudEvents extension and a content type with parameters conform', () => {
      const sent = send({ ...canonical(wire), source: 'https://acme.example/td448', dataschema: 'https://acme.example/schemas/export' });
      const contentType = Object.keys(sent.headers).find((name) => name.toLowerCase() === 'content-type') ?? 'content-type';
      sent.headers[contentType] = `${sent.headers[contentType]}; charset=utf-8`;
      expect(messages.violations(sent)).toEqual([]);
    });

    test('an event of a type the document does not list is named', () => {
      const violations = messages.violations(send({ ...canonical(wire), type: 'td448.unknown.thing' }));
      expect(violations).toEqual([expect.stringContaining('"td448.unknown.thing" has no message')]);
    });

    test('a wrong attribute, a missing correlation and wrong data are each named with their place', () => {
      const { requestid: _dropped, ...uncorrelated } = canonical(wire);
      const event = {
        ...uncorrelated,
        time: 'yesterday',
        data: { ...(canonical(wire).data as object), record: { resource: exported.endpoint } },
      };
      const violations = messages.violations(send(event)).join('\n');
      const where =
        mode === 'binary' ? ['headers/ce_time', 'headers', 'payload/record'] : ['payload/time', 'payload', 'payload/data/record'];
      expect(violations).toContain(`${where[0]}: must match format "date-time"`);
      expect(violations).toContain(
        `${where[1]}: must have required property '${mode === 'binary' ? 'ce_' : ''}${wire.profile.events.correlation}'`,
      );
      expect(violations).toContain(`${where[2]}: must have required property 'count'`);
    });
  });
}

test('a type template that gives two operations one CloudEvents type is refused, naming both', () => {
  const merged = new Wire({ ...referenceProfile, events: { ...referenceProfile.events, typeTemplate: 'td448.{action}' } });
  expect(() => asyncApiDocument(catalog, merged)).toThrow(/gives .+ the one CloudEvents type "td448\.[a-z-]+".+Put \{endpoint\}/);
});

test('a target’s Kafka over TLS with SASL: every broker a kafka-secure server under the SASL mechanism’s scheme, no credential in the document', async () => {
  const security = {
    tls: true as const,
    sasl: { mechanism: 'SCRAM-SHA-512' as const, username: 'td448-suite', password: 'hunter2-secret' },
  };
  const document = asyncApiDocument(catalog, new Wire(referenceProfile), {
    topic: 'orders.events',
    bootstrap: 'b-1:9096,b-2:9096',
    security,
  });
  expect(document.servers).toMatchObject({
    kafka: { host: 'b-1:9096', protocol: 'kafka-secure', security: [{ $ref: '#/components/securitySchemes/sasl' }] },
    'kafka-2': { host: 'b-2:9096', protocol: 'kafka-secure' },
  });
  expect(document.components.securitySchemes).toEqual({ sasl: { type: 'scramSha512', description: 'SASL SCRAM-SHA-512 over TLS' } });
  expect(serialize(document)).not.toContain('hunter2-secret');
  expect((await validateAsyncApi(serialize(document))).errors).toEqual([]);
});
