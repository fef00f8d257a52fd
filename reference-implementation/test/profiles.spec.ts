import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expect, test } from '@playwright/test';
import { XMLParser } from 'fast-xml-parser';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import type { Operation } from '../../fixtures/catalog/model.ts';
import type { ActionKey } from '../../fixtures/catalog/vocabulary.ts';
import { buildConfig, buildRecordFields, fakerFor } from '../../fixtures/data/factories.ts';
import { consume, type EventConsumer, type KafkaEvent } from '../../fixtures/kafka/client.ts';
import { resolveProfile } from '../../fixtures/profile/load-profile.ts';
import { logEntriesOf, readLogEntry } from '../../fixtures/profile/log-entries.ts';
import { TargetProfile } from '../../fixtures/profile/profile.ts';
import { type HttpRequestSpec, type OperationCall, Wire } from '../../fixtures/profile/wire.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { Problem, problemType } from '../../fixtures/schemas/problem.ts';
import { ExportDocument, type ResourceEndpoint, ResourceRecord } from '../../fixtures/schemas/resources.ts';
import { ClientRole } from '../../fixtures/schemas/target.ts';
import { TransactionLogEntry } from '../../fixtures/schemas/transaction-log.ts';
import { type Stack, startStack } from '../stack.ts';
import { type Answer, EventProbe, LogReader, requestToken, Tokens, urlOf } from './support.ts';

/**
 * The reference implementation serving a profile other than its own: the acme profile
 * (targets/profiles/acme.yaml), every convention checked from outside, through the ports, on one
 * stack for the file (with a limit of 3 requests per minute, so that a 429 is three requests away).
 * The reference profile is checked by gateway.spec.ts; the planted defects under acme by a second
 * stack sharing this one's broker.
 */

test.describe.configure({ mode: 'serial' });

const catalog = loadCatalog();
const profile = resolveProfile('acme', process.cwd());
const wire = new Wire(profile);
const limit = 3;
const faultNames = (() => {
  if (profile.faultInjection === false) throw new Error('the acme profile declares fault injection');
  return profile.faultInjection;
})();

type Predicate = (operation: Operation) => boolean;
const is =
  (actionKey: ActionKey): Predicate =>
  (operation) =>
    operation.actionKey === actionKey;
const unlimited: Predicate = (operation) => !operation.notes.includes('rate-limit');
const withEvent: Predicate = (operation) => operation.results.includes('kafka');
const hasBody: Predicate = (operation) => operation.method !== 'GET' && operation.method !== 'DELETE';

function find(what: string, ...predicates: Predicate[]): Operation {
  const found = catalog.operations.find((operation) => predicates.every((predicate) => predicate(operation)));
  if (!found) throw new Error(`the catalog declares no operation that ${what}`);
  return found;
}

/** A GET check-status without a rate limit, on an endpoint whose GET declares several actions (so none is implied). */
const status = find(
  'checks status by GET among other GET actions, without a rate limit',
  is('check-status'),
  unlimited,
  (operation) =>
    operation.method === 'GET' &&
    catalog.operations.filter((other) => other.endpoint === operation.endpoint && other.method === 'GET').length > 1,
);
const createWithEvent = find('creates with a body and an event, without a rate limit', is('create'), hasBody, withEvent, unlimited);
const eventEndpoint = createWithEvent.endpoint as ResourceEndpoint;

let stack: Stack;
let tokens: Tokens;
let logs: LogReader;
let events: EventProbe;
let audit: EventConsumer;
const audited: KafkaEvent[] = [];
let auditPump: Promise<void>;
let seed = 9000;
let counter = 0;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = await startStack({ profile, rateLimitPerMinute: limit });
  tokens = new Tokens(stack.target, profile);
  logs = new LogReader(stack.target, profile, tokens);
  events = await EventProbe.start(stack.target, profile);
  const auditTopic = stack.target.topics.audit;
  if (!auditTopic) throw new Error('the embedded stack has an audit topic');
  audit = await consume(stack.target.kafkaBootstrap, { topics: [auditTopic], groupId: `ri-audit-${randomUUID()}`, fromBeginning: false });
  auditPump = (async () => {
    for await (const message of audit) audited.push(message);
  })().catch(() => {});
});

test.afterAll(async () => {
  await events?.close();
  await audit?.close();
  await auditPump;
  await stack?.stop();
});

type Call = OperationCall & {
  clientId?: string;
  extraHeaders?: Record<string, string>;
  /** Names the action by this word as it is (the Wire would translate a catalog key into acme's word). */
  rawAction?: string;
  target?: Stack;
};

/** A functional client of this file's own (each is its own rate-limit bucket). */
const functional = (index: number) => tokens.byRole('functional', index).clientId;

/** Sends one catalog operation as the acme Wire builds it. */
async function send(operation: Operation, call: Call = {}): Promise<Answer> {
  const requestId = call.requestId ?? `ri-acme-${process.pid}-${++counter}`;
  const on = call.target ?? stack;
  const authorization = call.authorization ?? (await tokens.authorization(call.clientId ?? functional(0)));
  const spec = wire.request(operation, { ...call, requestId, authorization, ...(call.rawAction ? { omitAction: true } : {}) });
  if (call.rawAction)
    spec.query.unshift([profile.requests.action.in === 'query' ? profile.requests.action.name : 'action', call.rawAction]);
  Object.assign(spec.headers, call.extraHeaders ?? {});
  const response = await fetch(urlOf(on.target.apiBaseUrl, spec), {
    method: spec.method,
    headers: spec.headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, requestId, json: () => JSON.parse(text) };
}

function expectProblem(answer: Answer, status: number, slug: string) {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get('content-type')).toContain(mediaTypes.problemJson);
  const problem = Problem.parse(answer.json());
  expect(problem).toMatchObject({ type: problemType(slug), status, requestId: answer.requestId });
  return problem;
}

test('the target description names the acme profile, and its clients by acme names with every role', () => {
  expect(stack.target.profile).toBe('acme');
  expect(stack.profile).toEqual(profile);
  const ids = stack.target.clients.map((client) => client.clientId);
  expect(
    ids.every((id) => id.startsWith('acme-')),
    ids.join(', '),
  ).toBe(true);
  for (const role of ClientRole.options)
    expect(
      stack.target.clients.some((client) => client.roles.includes(role)),
      role,
    ).toBe(true);
  expect(stack.target.clients.filter((client) => client.roles.includes('functional'))).toHaveLength(8);
  expect(stack.target.clients.filter((client) => client.roles.includes('load'))).toHaveLength(20);
  expect(tokens.byRole('log-reader').scopes).toEqual([profile.oauth.logScope]);
  expect(tokens.byRole('unscoped').scopes).toEqual([]);
});

test('the token endpoint refuses client_secret_basic and accepts client_secret_post', async () => {
  const client = tokens.byRole('functional');
  const basic = await requestToken(stack.target, profile, client, { method: 'client_secret_basic' });
  expect(basic.status).toBe(401);
  expect(basic.body.error).toBe('invalid_client');
  const post = await requestToken(stack.target, profile, client, { method: 'client_secret_post' });
  expect(post.status, JSON.stringify(post.body)).toBe(200);
  expect(post.body.access_token).toMatch(/^eyJ/);
  const discovery = (await (await fetch(`${stack.target.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  expect(discovery.token_endpoint_auth_methods_supported).toEqual(['client_secret_post']);
});

test('the action is named by the ?action= word under /api; the catalog key, the header and the reference path are refused', async () => {
  const answer = await send(status);
  expect(answer.status, answer.text).toBe(200);
  expect(new URL(urlOf(stack.target.apiBaseUrl, wire.request(status))).search).toBe('?action=status');
  expect(answer.json()).toMatchObject({ resource: status.endpoint, status: 'ok' });
  expect(await logs.entryFor(answer.requestId)).toMatchObject({ action: 'check-status', endpoint: status.endpoint, version: 'v2' });

  // The catalog's key is not acme's word for it.
  const key = await send(status, { rawAction: 'check-status' });
  expect(expectProblem(key, 400, 'action-not-declared').detail).toContain('"check-status"');
  expect(expectProblem(key, 400, 'action-not-declared').allowedActions).toContain('status');

  // The reference convention (the td448-action header) names nothing here.
  const header = await send(status, { omitAction: true, extraHeaders: { 'td448-action': 'check-status' } });
  const problem = expectProblem(header, 400, 'action-not-declared');
  expect(problem.detail).toContain('the action query parameter');

  const authorization = await tokens.authorization(functional(0));
  const reference = await fetch(`${stack.target.apiBaseUrl}/v2${status.endpoint}?action=status`, { headers: { authorization } });
  expect(reference.status, 'the reference path has no /api prefix').toBe(404);
  expect(Problem.parse(await reference.json()).type).toBe(problemType('not-found'));

  const unknown = await send(status, { version: 'v3' });
  expect(expectProblem(unknown, 404, 'unknown-version').supportedVersions).toEqual(profile.versions);

  const v1 = await send(status, { version: 'v1' });
  expect(v1.status, v1.text).toBe(200);
  expect(wire.deprecation(Object.fromEntries(v1.headers)).deprecated).toBe(true);
  expect(v1.headers.get('link')).toBe(`</api/v2${status.endpoint}?action=status>; rel="successor-version"`);
});

test('x-correlation-id is the request id: propagated to the answer, the log and the event; x-request-id means nothing', async () => {
  const requestId = `acme-corr-${randomUUID()}`;
  const created = await send(createWithEvent, {
    requestId,
    fields: buildRecordFields(eventEndpoint, fakerFor(++seed)),
    extraHeaders: { 'x-request-id': 'not-acme-s-header' },
  });
  expect(created.status, created.text).toBe(201);
  expect(created.headers.get('x-correlation-id')).toBe(requestId);
  expect(created.headers.get('x-request-id')).toBeNull();
  expect(created.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  expect(await logs.entryFor(requestId)).toMatchObject({ requestId, status: 201, outcome: 'success' });

  const ignored = await send(status, { extraHeaders: { 'x-request-id': 'reference-id' } });
  expect(ignored.headers.get('x-correlation-id')).toBe(ignored.requestId);
  expect(await logs.entryFor('reference-id', 300)).toBeUndefined();
});

test('a create answers 201 with Location under /api and the id in the body; its event is a binary CloudEvent with ce_correlationid', async () => {
  const fields = buildRecordFields(eventEndpoint, fakerFor(++seed));
  const created = await send(createWithEvent, { fields });
  expect(created.status, created.text).toBe(wire.successStatus('create'));
  const id = wire.createdId(Object.fromEntries(created.headers), () => created.json());
  expect(id).toBe(ResourceRecord.parse(created.json()).id);
  expect(created.headers.get('location')).toBe(`/api/v2${eventEndpoint}/${encodeURIComponent(id as string)}`);

  const [message] = await events.waitForEvents(created.requestId);
  if (!message) throw new Error(`no event for ${created.requestId}`);
  expect(message.headers).toMatchObject({
    ce_specversion: '1.0',
    ce_type: wire.eventType(eventEndpoint, 'create'),
    ce_source: `/td448${eventEndpoint}`,
    ce_subject: id,
    ce_correlationid: created.requestId,
    'content-type': 'application/json',
    'x-correlation-id': created.requestId,
  });
  expect(message.headers.ce_type).toMatch(/^com\.acme\.td448\./);
  expect(message.headers.ce_requestid).toBeUndefined();
  expect(message.headers.ce_traceparent).toBe(created.headers.get('traceparent'));
  // Binary mode: the value is the event's data, not the whole event.
  expect(message.value).toMatchObject({ endpoint: eventEndpoint, action: 'create', version: 'v2', record: { id } });
  expect(events.canonical(message)).toMatchObject({ requestid: created.requestId, type: message.headers.ce_type });
});

test('the transaction log answers under /data with acme field names, outcome words and durations in seconds; so does the audit topic', async () => {
  const answer = await send(status);
  expect(answer.status).toBe(200);
  const unscoped = await send(status, { clientId: tokens.byRole('unscoped').clientId });
  expect(unscoped.status).toBe(403);

  const convention = profile.transactionLog;
  await expect.poll(async () => (await logs.entriesFor(unscoped.requestId)).length).toBe(1);
  const page = (await logs.rawPage({ [convention.parameter]: answer.requestId })) as { data?: unknown[] };
  expect(Object.keys(page)).toEqual(['data']);
  const [raw] = page.data ?? [];
  expect(raw).toMatchObject({
    request_id: answer.requestId,
    client: functional(0),
    route: status.endpoint,
    http: { method: 'GET', status: 200 },
    operation: 'check-status',
    api_version: 'v2',
    upstream_attempts: 1,
    result: 'OK',
    rolled_back: false,
  });
  expect((raw as { trace: { id: string } }).trace.id).toMatch(/^[0-9a-f]{32}$/);
  const seconds = (raw as { elapsed_s: number }).elapsed_s;
  expect(seconds).toBeGreaterThan(0);
  expect(seconds, 'a duration in seconds').toBeLessThan(5);
  expect(raw).not.toHaveProperty('requestId');
  expect(TransactionLogEntry.parse(readLogEntry(convention, raw))).toMatchObject({ requestId: answer.requestId, outcome: 'success' });

  const [denied] = logEntriesOf(convention, await logs.rawPage({ [convention.parameter]: unscoped.requestId })) ?? [];
  expect(denied).toMatchObject({ request_id: unscoped.requestId, result: 'DENIED', http: { status: 403 } });

  // The reference parameter selects nothing in particular: it is not acme's.
  const reference = (await logs.rawPage({ requestId: answer.requestId, limit: '1000' })) as { data: { request_id: string }[] };
  expect(reference.data.length).toBeGreaterThan(1);

  await expect
    .poll(() => audited.find((message) => (message.value as { request_id?: string })?.request_id === answer.requestId)?.value, {
      timeout: 10_000,
    })
    .toMatchObject({ request_id: answer.requestId, result: 'OK', http: { status: 200 } });
});

test(`the rate limit speaks RateLimit-Limit/-Remaining/-Reset, and a 429 says Retry-After as an HTTP-date`, async () => {
  const limited = find(
    'checks status under the rate limit, without an event',
    is('check-status'),
    (o) => !unlimited(o),
    (o) => !withEvent(o),
  );
  const clientId = functional(7);
  const remaining: number[] = [];
  for (let n = 0; n < limit; n++) {
    const answer = await send(limited, { clientId });
    expect(answer.status, answer.text).toBe(200);
    const headers = Object.fromEntries(answer.headers);
    expect(headers['ratelimit-limit']).toBe(`${limit}, ${limit};w=60`);
    expect(headers.ratelimit).toBeUndefined();
    expect(headers['ratelimit-policy']).toBeUndefined();
    const state = wire.rateLimit(headers);
    expect(state).toMatchObject({ limit, windowSeconds: 60 });
    expect(state.resetSeconds).toBeGreaterThan(0);
    remaining.push(state.remaining as number);
  }
  expect(remaining).toEqual([2, 1, 0]);

  const refused = await send(limited, { clientId });
  expectProblem(refused, 429, 'rate-limited');
  const retryAfter = refused.headers.get('retry-after') ?? '';
  expect(retryAfter).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  const seconds = wire.retryAfterSeconds(retryAfter);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(61);
  expect(refused.headers.get('ratelimit-remaining')).toBe('0');
  expect(refused.headers.get('x-upstream-attempts'), 'refused before the downstream').toBeNull();
  expect(await logs.entryFor(refused.requestId)).toMatchObject({ status: 429, outcome: 'rate-limited', attempts: 0, clientId });
});

test('the acme fault headers inject faults; the reference ones are ignored', async () => {
  const retried = find('checks status with the retry promise, without a rate limit', is('check-status'), unlimited, (o) =>
    o.results.includes('retry'),
  );
  const answer = await send(retried, { faults: { downstreamFailures: 2 } });
  expect(answer.status, answer.text).toBe(200);
  expect(answer.headers.get(profile.headers.attempts as string)).toBe('3');
  expect(answer.headers.get(faultNames.applied)).toContain('downstream-failures=2');
  expect(answer.headers.get('td448-attempts')).toBeNull();

  const reference = await send(retried, { extraHeaders: { 'td448-fault-downstream-failures': '2' } });
  expect(reference.status).toBe(200);
  expect(reference.headers.get(profile.headers.attempts as string)).toBe('1');
  expect(reference.headers.get(faultNames.applied)).toBeNull();

  const rollback = find('creates with rollback and an event, without a rate limit', is('create'), unlimited, withEvent, (o) =>
    o.results.includes('rollback'),
  );
  const id = `acme-rollback-${randomUUID()}`;
  const failed = await send(rollback, {
    id,
    fields: buildRecordFields(rollback.endpoint as ResourceEndpoint, fakerFor(++seed)),
    faults: { failAfterWrite: true },
  });
  expectProblem(failed, 500, 'rolled-back');
  expect(failed.headers.get(faultNames.applied)).toContain('fail-after-write');
  const [raw] = logEntriesOf(profile.transactionLog, await logs.rawPage({ request_id: failed.requestId })) ?? [];
  expect(raw).toMatchObject({ result: 'ROLLED_BACK', rolled_back: true });
});

test('update-config reads the configuration from "settings"; an XML body is read whatever its root element', async () => {
  const update = find('updates the configuration with a body, without a rate limit', is('update-config'), hasBody, unlimited, (o) =>
    catalog.operations.some((create) => create.endpoint === o.endpoint && is('create')(create) && hasBody(create) && unlimited(create)),
  );
  const endpoint = update.endpoint as ResourceEndpoint;
  const create = find(`creates on ${endpoint}`, (o) => o.endpoint === endpoint, is('create'), hasBody, unlimited);
  const exporter = find(`exports ${endpoint}`, (o) => o.endpoint === endpoint, is('export'), unlimited);

  const created = await send(create, { fields: buildRecordFields(endpoint, fakerFor(++seed)) });
  expect(created.status, created.text).toBe(201);
  const id = ResourceRecord.parse(created.json()).id;
  const config = buildConfig(fakerFor(++seed));
  const updated = await send(update, { id, fields: wire.configFields(config) });
  expect(updated.status, updated.text).toBe(200);
  expect(ResourceRecord.parse(updated.json()).config).toMatchObject(config);
  const exported = await send(exporter, { id });
  expect(exported.status, exported.text).toBe(200);
  expect(ExportDocument.parse(exported.json()).items[0]?.config).toMatchObject(config);

  const xmlCreate = find('creates with a body in XML', is('create'), hasBody, unlimited, (o) => o.notes.includes('formats'));
  const xmlEndpoint = xmlCreate.endpoint as ResourceEndpoint;
  const fields = buildRecordFields(xmlEndpoint, fakerFor(++seed));
  const spec = wire.request(xmlCreate, { fields, format: 'xml' });
  expect(spec.body).toContain(`<${profile.requests.xmlRoot}>`);
  const xml = await send(xmlCreate, { fields, format: 'xml' });
  expect(xml.status, xml.text).toBe(201);
  const parsed = new XMLParser({ ignoreDeclaration: true, parseTagValue: false }).parse(xml.text) as { record: { id: string } };
  const record = await send(
    find(`exports ${xmlEndpoint}`, (o) => o.endpoint === xmlEndpoint, is('export'), unlimited),
    {
      id: parsed.record.id,
    },
  );
  expect(ExportDocument.parse(record.json()).items[0]?.data).toEqual(fields);
});

test.describe('planted defects under the acme profile', () => {
  let defective: Stack;

  test.beforeAll(async () => {
    test.setTimeout(60_000);
    // A second stack on this file's broker: no second JVM.
    defective = await startStack({
      profile,
      kafkaBootstrap: stack.target.kafkaBootstrap,
      defects: ['skip-scope-check-on-delete', 'drop-event', 'skip-rollback'],
    });
  });

  test.afterAll(async () => {
    await defective?.stop();
  });

  test('each defect breaks its promise here too', async () => {
    const own = new Tokens(defective.target, profile);
    const functionalId = own.byRole('functional').clientId;
    const authorization = await own.authorization(functionalId);

    const remove = find('deletes by DELETE, without a rate limit', is('delete'), unlimited, (o) => o.method === 'DELETE');
    const unscoped = await send(remove, {
      target: defective,
      id: 'no-such-record',
      authorization: await own.authorization(own.byRole('unscoped').clientId),
    });
    expect(unscoped.status, 'skip-scope-check-on-delete: no 403 on DELETE').not.toBe(403);

    const rollback = find('creates with rollback, without a rate limit', is('create'), unlimited, (o) => o.results.includes('rollback'));
    const rollbackEndpoint = rollback.endpoint as ResourceEndpoint;
    const id = `acme-kept-${randomUUID()}`;
    const failed = await send(rollback, {
      target: defective,
      authorization,
      id,
      fields: buildRecordFields(rollbackEndpoint, fakerFor(++seed)),
      faults: { failAfterWrite: true },
    });
    expect(failed.status).toBe(500);
    const kept = await send(
      find(`exports ${rollbackEndpoint}`, (o) => o.endpoint === rollbackEndpoint, is('export'), unlimited),
      {
        target: defective,
        authorization,
        id,
      },
    );
    expect(kept.status, 'skip-rollback: the record was kept').toBe(200);

    const created = await send(createWithEvent, {
      target: defective,
      authorization,
      fields: buildRecordFields(eventEndpoint, fakerFor(++seed)),
    });
    expect(created.status, created.text).toBe(201);
    await expect.poll(() => defective.pendingEvents(), { timeout: 15_000 }).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(events.eventsFor(created.requestId), 'drop-event: no event').toEqual([]);
  });
});

test.describe('a profile given as an object, unlike both built-in ones', () => {
  /** Actions in the path, X-RateLimit headers, GET fields in a body, the log as a bare array, no fault injection, 200 on create. */
  const custom = TargetProfile.parse({
    name: 'custom',
    requests: {
      action: { in: 'path' },
      actionNames: { create: 'new', 'check-status': 'health' },
      collectionPath: '/svc/{version}{endpoint}/{action}',
      itemPath: '/svc/{version}{endpoint}/{id}/{action}',
      bodylessFields: 'body',
      xmlRoot: 'payload',
    },
    responses: { successStatus: { create: 200, delete: 204, 'check-status': 200, export: 200, 'update-config': 200 } },
    headers: { requestId: 'x-trace-request', attempts: null },
    faultInjection: false,
    transactionLog: { parameter: 'rid', entries: '' },
    rateLimit: { headers: 'x-ratelimit', retryAfter: 'either' },
    oauth: { scopeTemplate: 'td448/{resource}.{access}', logScope: 'td448/audit.read' },
  });
  const customWire = new Wire(custom);
  let other: Stack;
  let own: Tokens;

  test.beforeAll(async () => {
    test.setTimeout(60_000);
    other = await startStack({ profile: custom, kafkaBootstrap: stack.target.kafkaBootstrap });
    own = new Tokens(other.target, custom);
  });

  test.afterAll(async () => {
    await other?.stop();
  });

  /** Node's fetch sends no GET body: node:http does. */
  function raw(spec: HttpRequestSpec): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    return new Promise((resolve, reject) => {
      // Node frames no GET body by itself: without a Content-Length it would reach the server as the next request.
      const headers = spec.body === undefined ? spec.headers : { ...spec.headers, 'content-length': String(Buffer.byteLength(spec.body)) };
      const outgoing = httpRequest(urlOf(other.target.apiBaseUrl, spec), { method: spec.method, headers }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      });
      outgoing.on('error', reject);
      outgoing.end(spec.body);
    });
  }

  test('the stack serves it: path actions, its scopes, a GET create with a body, X-RateLimit, its log shape, no faults', async () => {
    expect(other.target.profile).toMatchObject({ name: 'custom', requests: { action: { in: 'path' } } });
    expect(other.target.faultInjection).toBe(false);
    expect(own.byRole('functional').scopes).toContain(customWire.scope('/customer/update', 'create'));
    expect(own.byRole('log-reader').scopes).toEqual(['td448/audit.read']);
    const authorization = await own.authorization(own.byRole('functional').clientId);

    const getCreate = find('creates by GET', is('create'), (o) => o.method === 'GET');
    const fields = buildRecordFields(getCreate.endpoint as ResourceEndpoint, fakerFor(++seed));
    const spec = customWire.request(getCreate, {
      fields,
      authorization,
      requestId: `custom-${randomUUID()}`,
      faults: { failAfterWrite: true },
    });
    spec.headers['td448-fault-fail-after-write'] = 'true';
    expect(spec.path).toBe(`/svc/v2${getCreate.endpoint}/new`);
    expect(spec.body).toBeDefined();
    const created = await raw(spec);
    expect(created.status, created.text).toBe(200);
    expect(JSON.parse(created.text)).toMatchObject({ data: fields });
    expect(created.headers['x-trace-request']).toBe(spec.headers['x-trace-request']);
    expect(created.headers['td448-attempts']).toBeUndefined();
    const rateLimited = getCreate.notes.includes('rate-limit');
    if (rateLimited) expect(customWire.rateLimit(created.headers as Record<string, string>).limit).toBe(1000);

    const health = await fetch(urlOf(other.target.apiBaseUrl, customWire.request(status, { authorization })), {
      headers: { authorization },
    });
    expect(health.status, await health.text()).toBe(200);
    const refused = await fetch(`${other.target.apiBaseUrl}/svc/v2${status.endpoint}/check-status`, { headers: { authorization } });
    expect(refused.status).toBe(400);

    const logs = new LogReader(other.target, custom, own);
    const [entry] = await logs.entriesFor(spec.headers['x-trace-request'] as string);
    expect(entry).toMatchObject({ status: 200, outcome: 'success', action: 'create', rolledBack: false });
  });
});
