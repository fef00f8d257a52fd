import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect, test } from '@playwright/test';
import { XMLParser } from 'fast-xml-parser';
import { generateKeyPair, SignJWT } from 'jose';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import type { Operation } from '../../fixtures/catalog/model.ts';
import { type ActionKey, httpMethods, type NoteKey, type ResultKey } from '../../fixtures/catalog/vocabulary.ts';
import { buildConfig, buildRecordFields, fakerFor } from '../../fixtures/data/factories.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { fieldsToXml, type OperationCall, Wire } from '../../fixtures/profile/wire.ts';
import { DomainEvent } from '../../fixtures/schemas/event.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { Problem, problemType } from '../../fixtures/schemas/problem.ts';
import { ExportDocument, type ResourceEndpoint, ResourceRecord } from '../../fixtures/schemas/resources.ts';
import { rateLimitPerMinute } from '../conventions.ts';
import { type Stack, startStack } from '../stack.ts';
import { type Answer, EventProbe, LogReader, Tokens, urlOf } from './support.ts';

/**
 * The reference implementation's own checks, through its ports (HTTP, OAuth2 token endpoint,
 * Kafka, log query) on one stack of its own with fault injection on, serving the reference profile
 * (profiles.spec.ts checks another). Requests are built by the profile's Wire; clients are found by
 * role. The operations each check needs are picked from the catalog by what they promise, never
 * named row by row.
 */

const catalog = loadCatalog();
const profile = referenceProfile;
const wire = new Wire(profile);
const names = profile.headers;
const [faultHeaders, attemptsHeader] = (() => {
  const { faultInjection } = profile;
  if (faultInjection === false || !names.attempts) throw new Error('the reference profile names its fault-injection and attempts headers');
  return [faultInjection, names.attempts] as const;
})();
const actionHeader = profile.requests.action.in === 'header' ? profile.requests.action.name : 'td448-action';
/** The client of most checks (a functional client of its own, for its own rate-limit bucket). */
let clientId: string;
/** The rate-limit check counts one client's window from its first request: no other check of this stack uses this client. */
let rateLimitedClient: string;

// ---- operations, chosen by their promises ---------------------------------------------------

type Predicate = (operation: Operation) => boolean;
const is =
  (actionKey: ActionKey): Predicate =>
  (operation) =>
    operation.actionKey === actionKey;
const promises =
  (result: ResultKey): Predicate =>
  (operation) =>
    operation.results.includes(result);
const noted =
  (note: NoteKey): Predicate =>
  (operation) =>
    operation.notes.includes(note);
const not =
  (predicate: Predicate): Predicate =>
  (operation) =>
    !predicate(operation);
const hasBody: Predicate = (operation) => operation.method !== 'GET' && operation.method !== 'DELETE';
const on =
  (endpoint: string): Predicate =>
  (operation) =>
    operation.endpoint === endpoint;

function find(what: string, ...predicates: Predicate[]): Operation {
  const found = catalog.operations.find((operation) => predicates.every((predicate) => predicate(operation)));
  if (!found) throw new Error(`the catalog declares no operation that ${what}`);
  return found;
}

/** The endpoint's plainest create (no rate limit, POST if there is one), for arranging records. */
const seedOperation = (endpoint: string) => {
  const creates = catalog.operations.filter(
    (operation) => on(endpoint)(operation) && is('create')(operation) && not(noted('rate-limit'))(operation),
  );
  const found = creates.find((operation) => operation.method === 'POST') ?? creates[0];
  if (!found) throw new Error(`no unlimited create on ${endpoint}`);
  return found;
};
const statusOf = (endpoint: string) =>
  find(`checks status on ${endpoint} without a rate limit`, on(endpoint), is('check-status'), not(noted('rate-limit')));
const exportOf = (endpoint: string) =>
  find(`exports ${endpoint} as JSON without a rate limit`, on(endpoint), is('export'), not(noted('rate-limit')));

// ---- the stack and its clients ---------------------------------------------------------------

let stack: Stack;
let oauth: Tokens;
let kafka: EventProbe;
let logs: LogReader;
let database: DatabaseSync;
let seed = 1000;
let counter = 0;

const newRequestId = (tag: string) => `ri-${tag}-${process.pid}-${++counter}`;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = await startStack();
  oauth = new Tokens(stack.target, profile);
  clientId = oauth.byRole('functional', 5).clientId;
  rateLimitedClient = oauth.byRole('functional', 6).clientId;
  kafka = await EventProbe.start(stack.target, profile);
  logs = new LogReader(stack.target, profile, oauth);
  database = new DatabaseSync(join(stack.dataDir, 'td448.sqlite'), { readOnly: true });
});

test.afterAll(async () => {
  database?.close();
  await kafka?.close();
  await stack?.stop();
});

type Call = OperationCall & { clientId?: string; anonymous?: boolean; body?: string };

/** Sends one catalog operation as the profile's Wire builds it, with a request id of its own. */
async function send(operation: Operation, call: Call = {}): Promise<Answer> {
  const requestId = call.requestId ?? newRequestId('call');
  const authorization = call.anonymous ? undefined : (call.authorization ?? (await oauth.authorization(call.clientId ?? clientId)));
  const spec = wire.request(operation, { ...call, requestId, ...(authorization ? { authorization } : {}) });
  if (call.contentType) spec.headers['content-type'] = call.contentType;
  const body = call.body ?? spec.body;
  const response = await fetch(urlOf(stack.target.apiBaseUrl, spec), {
    method: spec.method,
    headers: spec.headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, requestId, json: () => JSON.parse(text) };
}

/** Node's fetch refuses TRACE and CONNECT, so the raw HTTP client sends those. */
function rawRequest(method: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
    const request = httpRequest(`${stack.target.apiBaseUrl}${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.end();
  });
}

function expectProblem(answer: Answer, status: number, slug: string) {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get('content-type')).toContain(mediaTypes.problemJson);
  const problem = Problem.parse(answer.json());
  expect(problem).toMatchObject({ type: problemType(slug), status, requestId: answer.requestId });
  return problem;
}

async function seedRecord(endpoint: ResourceEndpoint, id?: string): Promise<string> {
  const created = await send(seedOperation(endpoint), { fields: buildRecordFields(endpoint, fakerFor(++seed)), ...(id ? { id } : {}) });
  expect(created.status, created.text).toBe(201);
  return ResourceRecord.parse(created.json()).id;
}

async function exportRecord(endpoint: ResourceEndpoint, id: string) {
  const exported = await send(exportOf(endpoint), { id });
  expect(exported.status, exported.text).toBe(200);
  return ExportDocument.parse(exported.json()).items[0];
}

/**
 * A successful operation with an event, sent after `requestIds`: once its event arrived, theirs
 * would have too (the relay publishes in outbox order), so an empty list means none was published.
 */
async function expectNoEvents(requestIds: string[]) {
  const sentinelOperation = find('creates with an event and no rate limit', is('create'), promises('kafka'), not(noted('rate-limit')));
  const sentinel = await send(sentinelOperation, {
    fields: buildRecordFields(sentinelOperation.endpoint as ResourceEndpoint, fakerFor(++seed)),
  });
  expect(sentinel.status, sentinel.text).toBe(201);
  expect(await kafka.waitForEvents(sentinel.requestId, 15_000, 500)).toHaveLength(1);
  for (const requestId of requestIds) expect(kafka.eventsFor(requestId), `events of ${requestId}`).toEqual([]);
}

// ---- tokens ----------------------------------------------------------------------------------

test.describe('token checks at the gateway', () => {
  const operation = find('checks status without a rate limit', is('check-status'), not(noted('rate-limit')));

  test('every kind of bad token is refused with 401 and a Bearer challenge; a token without the scope with 403', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { privateKey } = await generateKeyPair('RS256');
    const claims = { client_id: clientId, scope: oauth.client(clientId).scopes.join(' '), jti: crypto.randomUUID() };
    const foreignKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'not-the-issuers-key' })
      .setIssuer(stack.target.issuer)
      .setAudience(stack.target.audience)
      .setSubject(clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    const otherAudience = stack.target.otherAudience;
    if (!otherAudience) throw new Error('the embedded stack names another audience');
    // The seeded client allowed to ask for the other audience.
    const wrongAudience = (await oauth.requestToken(oauth.byRole('other-audience').clientId, { audience: otherAudience })).token;
    const shortLived = await oauth.requestToken(oauth.byRole('short-lived').clientId);
    // Accepted while valid (and so remembered by the gateway's verified-token cache), refused once expired.
    const whileValid = await send(operation, { authorization: `Bearer ${shortLived.token}` });
    expect(whileValid.status, whileValid.text).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, (shortLived.expiresIn + 1) * 1000));

    const missing = await send(operation, { anonymous: true });
    expectProblem(missing, 401, 'missing-token');
    // RFC 6750 §3.1: no credentials, no error code.
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="td448"');

    const refused: [string, string, string][] = [
      ['a malformed token', 'Bearer not.a.jwt', 'malformed-token'],
      ['a token signed by a foreign key', `Bearer ${foreignKey}`, 'bad-signature'],
      ['an expired token', `Bearer ${shortLived.token}`, 'expired'],
      ['a token for another audience', `Bearer ${wrongAudience}`, 'wrong-audience'],
    ];
    for (const [what, authorization, slug] of refused) {
      const answer = await send(operation, { authorization });
      expectProblem(answer, 401, slug);
      expect(answer.headers.get('www-authenticate'), what).toMatch(
        /^Bearer realm="td448", error="invalid_token", error_description="[^"]+"$/,
      );
      const entry = await logs.entryFor(answer.requestId);
      expect(entry, what).toMatchObject({ status: 401, outcome: 'rejected', clientId: null, attempts: 0 });
    }

    const noScope = await send(operation, { clientId: oauth.byRole('unscoped').clientId });
    expectProblem(noScope, 403, 'insufficient-scope');
    expect(noScope.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(noScope.headers.get('www-authenticate')).toContain(`scope="${operation.endpoint.split('/')[1]}:read"`);
    expect(await logs.entryFor(noScope.requestId)).toMatchObject({ status: 403, outcome: 'rejected', attempts: 0 });

    const valid = await send(operation);
    expect(valid.status, valid.text).toBe(200);
  });
});

// ---- rollback --------------------------------------------------------------------------------

test.describe('rollback', () => {
  /** What an operation may change: records, the events it announces, the responses it remembers. */
  const snapshot = () => ({
    records: database.prepare('SELECT * FROM records ORDER BY resource, id').all(),
    events: database.prepare('SELECT seq, topic, key, value FROM outbox WHERE topic = ? ORDER BY seq').all(stack.target.topics.events),
    idempotency: database.prepare('SELECT * FROM idempotency ORDER BY client_id, key').all(),
  });

  const rollbackOf = (actionKey: ActionKey) =>
    find(
      `${actionKey}s with rollback and an event, without a rate limit`,
      is(actionKey),
      promises('rollback'),
      promises('kafka'),
      not(noted('rate-limit')),
    );

  async function expectRolledBack(answer: Answer) {
    expectProblem(answer, 500, 'rolled-back');
    expect(answer.headers.get(faultHeaders.applied)).toContain('fail-after-write');
    expect(await logs.entryFor(answer.requestId)).toMatchObject({ status: 500, outcome: 'rolled-back', rolledBack: true });
  }

  test('create, delete and update-config that fail after their write leave the database as it was and publish nothing', async () => {
    const failed: string[] = [];

    await test.step('create', async () => {
      const operation = rollbackOf('create');
      const endpoint = operation.endpoint as ResourceEndpoint;
      const id = `rollback-${crypto.randomUUID()}`;
      const fields = buildRecordFields(endpoint, fakerFor(++seed));
      const before = snapshot();
      const answer = await send(operation, { id, fields, idempotencyKey: `rollback-${id}`, faults: { failAfterWrite: true } });
      await expectRolledBack(answer);
      failed.push(answer.requestId);
      expect(snapshot()).toEqual(before);
      const status = await send(statusOf(endpoint), { id });
      expect(status.status, 'the rolled-back record does not exist').toBe(404);
      // Nothing was remembered under the key either: the same request now runs, it does not replay the 500.
      const retried = await send(operation, { id, fields, idempotencyKey: `rollback-${id}` });
      expect(retried.status, retried.text).toBe(201);
      expect(retried.headers.get('idempotent-replayed')).toBeNull();
    });

    await test.step('delete', async () => {
      const operation = rollbackOf('delete');
      const endpoint = operation.endpoint as ResourceEndpoint;
      const id = await seedRecord(endpoint);
      const record = await exportRecord(endpoint, id);
      const before = snapshot();
      const answer = await send(operation, { id, faults: { failAfterWrite: true } });
      await expectRolledBack(answer);
      failed.push(answer.requestId);
      expect(snapshot()).toEqual(before);
      expect(await exportRecord(endpoint, id), 'the record is still there, unchanged').toEqual(record);
    });

    await test.step('update-config', async () => {
      const operation = rollbackOf('update-config');
      const endpoint = operation.endpoint as ResourceEndpoint;
      const id = await seedRecord(endpoint);
      const record = await exportRecord(endpoint, id);
      const before = snapshot();
      const answer = await send(operation, { id, fields: { config: buildConfig(fakerFor(++seed)) }, faults: { failAfterWrite: true } });
      await expectRolledBack(answer);
      failed.push(answer.requestId);
      expect(snapshot()).toEqual(before);
      expect(await exportRecord(endpoint, id), 'config and revision unchanged').toEqual(record);
    });

    await test.step('no event of a rolled-back operation reaches Kafka', () => expectNoEvents(failed));
  });
});

// ---- formats ---------------------------------------------------------------------------------

test.describe('JSON and XML', () => {
  /** An endpoint where a create with a body and an export both support XML. */
  const xmlCreate = find(
    'creates with a body in JSON or XML on an endpoint that also exports in XML',
    is('create'),
    hasBody,
    noted('formats'),
    not(noted('rate-limit')),
    (create) => catalog.operations.some((other) => on(create.endpoint)(other) && is('export')(other) && noted('formats')(other)),
  );
  const endpoint = xmlCreate.endpoint as ResourceEndpoint;
  const xmlExport = find(`exports ${endpoint} in JSON or XML`, on(endpoint), is('export'), noted('formats'));
  const jsonOnly = find('creates with a body in JSON only', is('create'), hasBody, not(noted('formats')), not(noted('rate-limit')));

  const parser = new XMLParser({
    ignoreAttributes: true,
    ignoreDeclaration: true,
    parseTagValue: false,
    isArray: (name) => name === 'item',
  });
  /** What a JSON value looks like once written as XML and read back as text: arrays as <item>s, {} as an empty element. */
  const asXml = (value: unknown): unknown => {
    if (Array.isArray(value)) return { item: value.map(asXml) };
    if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      return entries.length === 0 ? '' : Object.fromEntries(entries.map(([key, inner]) => [key, asXml(inner)]));
    }
    return String(value);
  };

  test('an XML body creates what JSON reads back, and XML answers parse to the JSON answers', async () => {
    const fields = buildRecordFields(endpoint, fakerFor(++seed));
    const created = await send(xmlCreate, { fields, format: 'xml' });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('content-type')).toContain(mediaTypes.xml);
    const createdXml = parser.parse(created.text) as { record: { id: string } };
    const id = createdXml.record.id;

    const json = await send(xmlExport, { id });
    expect(json.status, json.text).toBe(200);
    const document = ExportDocument.parse(json.json());
    const [record] = document.items;
    // The XML fields arrived with the types of the schema (numbers as numbers, repeated elements as arrays).
    expect(record?.data).toEqual(fields);
    expect({ record: asXml(record) }).toEqual(createdXml);

    const xml = await send(xmlExport, { id, format: 'xml' });
    expect(xml.status, xml.text).toBe(200);
    expect(xml.headers.get('content-type')).toContain(mediaTypes.xml);
    const exported = parser.parse(xml.text) as { export: Record<string, unknown> };
    expect({ ...exported.export, exportedAt: undefined }).toEqual({ ...(asXml(document) as object), exportedAt: undefined });
  });

  test('XML with a DTD or an entity declaration is refused with 400', async () => {
    const xml = fieldsToXml(profile.requests.xmlRoot, buildRecordFields(endpoint, fakerFor(++seed)));
    const withDtd = xml.replace('?>', '?><!DOCTYPE record [<!ENTITY boom "boom">]>');
    const withEntity = xml.replace('?>', '?><!ENTITY boom SYSTEM "file:///etc/passwd">');
    for (const body of [withDtd, withEntity]) {
      const answer = await send(xmlCreate, { format: 'xml', accept: mediaTypes.json, contentType: mediaTypes.xml, body });
      expectProblem(answer, 400, 'unsafe-xml');
    }
  });

  test('XML text arrives as sent: whitespace kept, entities and character references decoded once', async () => {
    const fields = buildRecordFields(endpoint, fakerFor(++seed)) as Record<string, unknown>;
    const text = Object.entries(fields).find(([, value]) => typeof value === 'string' && !/^\d/.test(value))?.[0] as string;
    const xml = fieldsToXml(profile.requests.xmlRoot, { ...fields, [text]: 'x' }).replace(
      `<${text}>x</${text}>`,
      `<${text}> A &amp; B &#233;&#x41; &amp;#1; </${text}>`,
    );
    const created = await send(xmlCreate, { format: 'xml', accept: mediaTypes.json, contentType: mediaTypes.xml, body: xml });
    expect(created.status, created.text).toBe(201);
    expect(ResourceRecord.parse(created.json()).data[text]).toBe(' A & B éA &#1; ');
  });

  test('fields the resource does not have, and configuration names XML cannot carry, are refused with 422', async () => {
    const fields = buildRecordFields(endpoint, fakerFor(++seed));
    const unknown = await send(xmlCreate, { fields: { ...fields, isAdmin: true } });
    expect(expectProblem(unknown, 422, 'invalid-body').detail).toContain('isAdmin');
    const id = await seedRecord(endpoint);
    const configure = find(`configures ${endpoint}`, on(endpoint), is('update-config'), hasBody);
    const badName = await send(configure, { id, fields: { config: { '1st key': 'x' } } });
    expectProblem(badName, 422, 'invalid-body');
  });

  test('unsupported media types: 406 for an Accept it cannot serve, 415 for a body it cannot read', async () => {
    const fields = buildRecordFields(endpoint, fakerFor(++seed));
    const csv = await send(xmlCreate, { fields, accept: 'text/csv' });
    expect(expectProblem(csv, 406, 'not-acceptable').supportedMediaTypes).toEqual([mediaTypes.json, mediaTypes.xml]);
    const text = await send(xmlCreate, { fields, contentType: 'text/plain', body: JSON.stringify(fields) });
    expectProblem(text, 415, 'unsupported-media-type');

    const jsonFields = buildRecordFields(jsonOnly.endpoint as ResourceEndpoint, fakerFor(++seed));
    const wantsXml = await send(jsonOnly, { fields: jsonFields, accept: mediaTypes.xml });
    expect(wantsXml.status, `${jsonOnly.id} answers in JSON only`).toBe(406);
    const sendsXml = await send(jsonOnly, { fields: jsonFields, format: 'xml', accept: mediaTypes.json });
    expectProblem(sendsXml, 415, 'unsupported-media-type');
    expect(sendsXml.headers.get('accept-post')).toBe(mediaTypes.json);
    const ok = await send(jsonOnly, { fields: jsonFields });
    expect(ok.status, ok.text).toBe(201);
  });
});

// ---- rate limit ------------------------------------------------------------------------------

test.describe('rate limit', () => {
  const operation = find(
    'checks status under the rate limit, without an event',
    is('check-status'),
    noted('rate-limit'),
    not(promises('kafka')),
  );

  test(`the ${rateLimitPerMinute + 1}st request of a client in a minute is refused with 429, before the downstream`, async () => {
    const authorization = await oauth.authorization(rateLimitedClient);
    const statuses: number[] = [];
    const remaining: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < rateLimitPerMinute) {
        next++;
        const answer = await send(operation, { authorization });
        statuses.push(answer.status);
        remaining.push(Number(/;r=(\d+);/.exec(answer.headers.get('ratelimit') ?? '')?.[1]));
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    expect(statuses.filter((status) => status === 200)).toHaveLength(rateLimitPerMinute);
    // Each request counted once: the remaining allowance went from limit − 1 down to 0.
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: rateLimitPerMinute }, (_, index) => index));

    const refused = await send(operation, { authorization });
    expectProblem(refused, 429, 'rate-limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-policy')).toBe(`"per-client";q=${rateLimitPerMinute};w=60`);
    expect(refused.headers.get('ratelimit')).toMatch(/^"per-client";r=0;t=\d+$/);
    expect(refused.headers.get(attemptsHeader)).toBeNull();
    expect(await logs.entryFor(refused.requestId)).toMatchObject({
      status: 429,
      outcome: 'rate-limited',
      attempts: 0,
      clientId: rateLimitedClient,
    });

    // The bucket is the client's: another client is served meanwhile.
    expect((await send(operation)).status).toBe(200);
  });
});

// ---- retry -----------------------------------------------------------------------------------

test.describe('downstream retry', () => {
  const retried = find(
    'checks status with the retry promise, without a rate limit',
    is('check-status'),
    promises('retry'),
    not(noted('rate-limit')),
  );
  const once = find(
    'checks status without the retry promise or a rate limit',
    is('check-status'),
    not(promises('retry')),
    not(noted('rate-limit')),
  );

  test('up to 3 failures are retried to success; a 4th is a 502 after exactly 4 attempts', async () => {
    for (const failures of [1, 2, 3]) {
      const answer = await send(retried, { faults: { downstreamFailures: failures } });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.headers.get(attemptsHeader)).toBe(String(failures + 1));
      expect(answer.headers.get(faultHeaders.applied)).toContain(`downstream-failures=${failures}`);
      expect(await logs.entryFor(answer.requestId)).toMatchObject({ status: 200, attempts: failures + 1, outcome: 'success' });
    }
    const failed = await send(retried, { faults: { downstreamFailures: 4 } });
    expect(expectProblem(failed, 502, 'downstream-failed').attempts).toBe(4);
    expect(failed.headers.get(attemptsHeader)).toBe('4');
    expect(await logs.entryFor(failed.requestId)).toMatchObject({ status: 502, attempts: 4, outcome: 'downstream-failed' });
  });

  test('an operation without the retry promise fails at the first downstream failure', async () => {
    const failed = await send(once, { faults: { downstreamFailures: 1 } });
    expect(expectProblem(failed, 502, 'downstream-failed').attempts).toBe(1);
    expect(failed.headers.get(attemptsHeader)).toBe('1');
    expect(await logs.entryFor(failed.requestId)).toMatchObject({ status: 502, attempts: 1, outcome: 'downstream-failed' });
    const fine = await send(once);
    expect(fine.headers.get(attemptsHeader)).toBe('1');
  });
});

// ---- idempotency -----------------------------------------------------------------------------

test.describe('idempotency', () => {
  const operation = find('creates with an event and no rate limit', is('create'), promises('kafka'), not(noted('rate-limit')));
  const endpoint = operation.endpoint as ResourceEndpoint;
  const count = async () => {
    const status = await send(statusOf(endpoint));
    expect(status.status, status.text).toBe(200);
    return status.json<{ records: number }>().records;
  };

  test('the same Idempotency-Key replays the first response and creates nothing more; another body under it is a 422', async () => {
    const key = `key-${crypto.randomUUID()}`;
    const fields = buildRecordFields(endpoint, fakerFor(++seed));
    const before = await count();
    const first = await send(operation, { fields, idempotencyKey: key });
    expect(first.status, first.text).toBe(201);
    const replay = await send(operation, { fields, idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(await count()).toBe(before + 1);

    const reused = await send(operation, { fields: buildRecordFields(endpoint, fakerFor(++seed)), idempotencyKey: key });
    expectProblem(reused, 422, 'idempotency-key-reused');
    expect(await count()).toBe(before + 1);

    expect(await kafka.waitForEvents(first.requestId)).toHaveLength(1);
    await expectNoEvents([replay.requestId, reused.requestId]);
  });

  test('two concurrent requests under one key create one record and both get its response', async () => {
    const key = `key-${crypto.randomUUID()}`;
    const fields = buildRecordFields(endpoint, fakerFor(++seed));
    const before = await count();
    const answers = await Promise.all([0, 1, 2].map(() => send(operation, { fields, idempotencyKey: key })));
    for (const answer of answers) expect(answer.status, answer.text).toBe(201);
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });
});

// ---- the HTTP surface ------------------------------------------------------------------------

test.describe('HTTP surface', () => {
  test('TRACE is a 405 whose Allow lists the methods the endpoint serves', async () => {
    const endpoint = catalog.operations[0]?.endpoint as string;
    const served = new Set(catalog.operations.filter(on(endpoint)).map((operation) => operation.method));
    const answer = await rawRequest('TRACE', `/v2${endpoint}`, { authorization: await oauth.authorization(clientId) });
    expect(answer.status, answer.text).toBe(405);
    expect(answer.headers['content-type']).toContain(mediaTypes.problemJson);
    const allow = String(answer.headers.allow).split(/,\s*/);
    expect(new Set(allow)).toEqual(new Set([...served, 'OPTIONS']));
  });

  test('a method no catalog operation uses (QUERY) is a 405, not a failure of the gateway; OPTIONS lists the endpoint’s methods', async () => {
    const endpoint = catalog.operations[0]?.endpoint as string;
    const served = new Set(catalog.operations.filter(on(endpoint)).map((operation) => operation.method));
    const query = await rawRequest('QUERY', `/v2${endpoint}`, { authorization: await oauth.authorization(clientId) });
    expect(query.status, query.text).toBe(405);
    expect(new Set(String(query.headers.allow).split(/,\s*/))).toEqual(new Set([...served, 'OPTIONS']));
    const options = await rawRequest('OPTIONS', `/v2${endpoint}`, { authorization: await oauth.authorization(clientId) });
    expect(options.status).toBe(204);
    expect(new Set(String(options.headers.allow).split(/,\s*/))).toEqual(new Set([...served, 'OPTIONS']));
  });

  test('an action the endpoint and method do not declare is a 400 problem listing the declared ones', async () => {
    const actionKeys = [...new Set(catalog.operations.map((operation) => operation.actionKey))];
    const combinations = [...new Set(catalog.operations.map((operation) => operation.endpoint))].flatMap((endpoint) =>
      httpMethods.map((method) => {
        const declared = catalog.operations
          .filter((operation) => operation.endpoint === endpoint && operation.method === method)
          .map((o) => o.actionKey);
        return { endpoint, method, declared, undeclared: actionKeys.filter((key) => !declared.includes(key)) };
      }),
    );
    const missing = combinations.flatMap((combination) => combination.undeclared);
    expect(missing.length, 'endpoint × method × action combinations the catalog leaves out').toBe(
      actionKeys.length * combinations.length - catalog.operations.length,
    );
    const gap = combinations.find((combination) => combination.declared.length > 0 && combination.undeclared.length > 0);
    if (!gap) throw new Error('every endpoint × method declares every action');
    const declaredOperation = find('is declared there', on(gap.endpoint), (operation) => operation.method === gap.method);
    const answer = await send(declaredOperation, { action: gap.undeclared[0] as string });
    const problem = expectProblem(answer, 400, 'action-not-declared');
    expect(new Set(problem.allowedActions as string[])).toEqual(new Set(gap.declared));
    expect(problem.detail).toContain(`"${gap.undeclared[0]}"`);
  });

  test('an id is percent-decoded once: ids with % and / round-trip; a malformed escape is a 400 problem', async () => {
    const operation = seedOperation(catalog.operations[0]?.endpoint as string);
    const endpoint = operation.endpoint as ResourceEndpoint;
    const id = `50%off/${crypto.randomUUID()}`;
    const created = await send(operation, { id, fields: buildRecordFields(endpoint, fakerFor(++seed)) });
    expect(created.status, created.text).toBe(201);
    expect(created.json()).toMatchObject({ id });
    expect(created.headers.get('location')).toBe(`/v2${endpoint}/${encodeURIComponent(id)}`);
    const status = await send(statusOf(endpoint), { id });
    expect(status.status, status.text).toBe(200);
    expect(status.json()).toMatchObject({ id });

    const requestId = newRequestId('bad-url');
    const response = await fetch(`${stack.target.apiBaseUrl}/v2${endpoint}/%E0%A4%A`, {
      headers: { authorization: await oauth.authorization(clientId), [actionHeader]: 'check-status', [names.requestId]: requestId },
    });
    const text = await response.text();
    expectProblem(
      { status: response.status, headers: response.headers, text, requestId, json: () => JSON.parse(text) },
      400,
      'malformed-url',
    );
    expect(response.headers.get(names.requestId)).toBe(requestId);
    expect(await logs.entryFor(requestId)).toMatchObject({ status: 400, outcome: 'client-error' });
  });

  test('an unknown version is a 404 problem naming the versions', async () => {
    const operation = find('checks status without a rate limit', is('check-status'), not(noted('rate-limit')));
    const answer = await send(operation, { version: 'v3' });
    expect(expectProblem(answer, 404, 'unknown-version').supportedVersions).toEqual(['v1', 'v2']);
  });

  test('v1 answers carry Deprecation, Sunset and a successor link; v2 answers do not', async () => {
    const operation = find('checks status without a rate limit', is('check-status'), not(noted('rate-limit')));
    const v1 = await send(operation, { version: 'v1' });
    expect(v1.status, v1.text).toBe(200);
    expect(v1.headers.get('deprecation')).toMatch(/^@\d+$/);
    expect(new Date(v1.headers.get('sunset') ?? '').getTime()).toBeGreaterThan(Date.now());
    expect(v1.headers.get('link')).toBe(`</v2${operation.endpoint}>; rel="successor-version"`);
    const v2 = await send(operation, { version: 'v2' });
    expect(v2.status).toBe(200);
    expect(v2.headers.get('deprecation')).toBeNull();
    expect(v2.headers.get('sunset')).toBeNull();
  });
});

// ---- request id and trace context ------------------------------------------------------------

test.describe('request id and trace context', () => {
  const operation = find('creates with an event and no rate limit', is('create'), promises('kafka'), not(noted('rate-limit')));
  const endpoint = operation.endpoint as ResourceEndpoint;

  test("the caller's request id and trace id reach the response, the log entry and the Kafka event", async () => {
    const requestId = newRequestId('trace');
    const traceId = crypto.randomUUID().replaceAll('-', '');
    const parentId = '00f067aa0ba902b7';
    const answer = await send(operation, {
      requestId,
      traceparent: `00-${traceId}-${parentId}-01`,
      fields: buildRecordFields(endpoint, fakerFor(++seed)),
    });
    expect(answer.status, answer.text).toBe(201);
    expect(answer.headers.get(names.requestId)).toBe(requestId);
    const [, responseTrace, span, flags] =
      /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(answer.headers.get(names.traceparent) ?? '') ?? [];
    expect(responseTrace).toBe(traceId);
    expect(span).not.toBe(parentId);
    expect(flags).toBe('01');

    const [event] = await kafka.waitForEvents(requestId);
    const value = DomainEvent.parse(event?.value);
    expect(value.requestid).toBe(requestId);
    expect(value.traceparent).toBe(answer.headers.get(names.traceparent));
    expect(event?.headers).toMatchObject({ [names.requestId]: requestId, [names.traceparent]: value.traceparent });
    expect(await logs.entryFor(requestId)).toMatchObject({ requestId, traceId, status: 201 });
  });

  test('without them (or with an invalid traceparent) the gateway starts its own and still carries them through', async () => {
    const answer = await send(operation, {
      requestId: 'not a valid id!',
      traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`,
      fields: buildRecordFields(endpoint, fakerFor(++seed)),
    });
    expect(answer.status, answer.text).toBe(201);
    const requestId = answer.headers.get(names.requestId) ?? '';
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const traceparent = answer.headers.get(names.traceparent) ?? '';
    expect(traceparent).not.toContain('0'.repeat(32));
    const [event] = await kafka.waitForEvents(requestId);
    expect(DomainEvent.parse(event?.value)).toMatchObject({ requestid: requestId, traceparent });
  });
});

// ---- the transaction log keeps no secret -----------------------------------------------------

test.describe('transaction log', () => {
  test('neither the JSONL file nor the query endpoint holds a token or a client secret', async () => {
    const operation = find('checks status without a rate limit', is('check-status'), not(noted('rate-limit')));
    const token = await oauth.token(clientId);
    const secret = oauth.client(clientId).clientSecret;
    // Credentials where they do not belong: the gateway must refuse them without repeating them.
    const misplaced = [
      token,
      `Token ${token}`,
      `Bearer ${token} ${token}`,
      `Bearer ${token.slice(0, -4)}AAAA`,
      `${clientId}:${secret}`,
      `Basic ${btoa(`${clientId}:${secret}`)}`,
    ];
    const requestIds: string[] = [];
    for (const authorization of misplaced) {
      const answer = await send(operation, { authorization });
      expect(answer.status).toBe(401);
      expect(answer.text).not.toContain(secret);
      expect(answer.text).not.toContain('eyJ');
      expect(answer.headers.get('www-authenticate')).not.toContain('eyJ');
      requestIds.push(answer.requestId);
    }
    const ok = await send(operation);
    expect(ok.status).toBe(200);
    for (const requestId of [...requestIds, ok.requestId]) expect(await logs.entryFor(requestId)).toBeDefined();

    const secrets = stack.target.clients.map((client) => client.clientSecret);
    const file = readFileSync(stack.transactionLogFile, 'utf8');
    expect(file.split('\n').filter(Boolean).length).toBeGreaterThan(requestIds.length);
    const query = await fetch(`${stack.target.logQueryUrl}?limit=1000`, {
      headers: { authorization: await oauth.authorization(oauth.byRole('log-reader').clientId) },
    });
    expect(query.status).toBe(200);
    const page = await query.text();
    for (const [where, text] of [
      ['the JSONL file', file],
      ['the query endpoint', page],
    ] as const) {
      expect(text, `${where} holds a JWT`).not.toContain('eyJ');
      expect(text, `${where} holds a token`).not.toContain(token.split('.')[2]);
      for (const clientSecret of secrets) expect(text.includes(clientSecret), `${where} holds a client secret`).toBe(false);
    }
  });
});
