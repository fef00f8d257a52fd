import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import type { Operation } from '../../fixtures/catalog/model.ts';
import type { ActionKey } from '../../fixtures/catalog/vocabulary.ts';
import { buildConfig, buildRecordFields, fakerFor } from '../../fixtures/data/factories.ts';
import { consume, type KafkaEvent } from '../../fixtures/kafka/client.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { type OperationCall, Wire } from '../../fixtures/profile/wire.ts';
import { DomainEvent } from '../../fixtures/schemas/event.ts';
import type { ResourceEndpoint } from '../../fixtures/schemas/resources.ts';
import { type KafkaBroker, startKafkaBroker } from '../kafka/broker.ts';
import { type Stack, startStack } from '../stack.ts';
import { LogReader, Tokens, urlOf } from './support.ts';

/**
 * The stack as a deployment runs it: fault injection off and a Kafka broker it did not start,
 * which this file starts, stops and starts again on the same data dir (hence the same port).
 */

test.describe.configure({ mode: 'serial' });

const catalog = loadCatalog();
const profile = referenceProfile;
const wire = new Wire(profile);
const faultApplied = profile.faultInjection === false ? 'td448-fault-applied' : profile.faultInjection.applied;
const attemptsHeader = profile.headers.attempts ?? 'td448-attempts';
/** The client of every request here (a functional client). */
let clientId: string;

const find = (what: string, predicate: (operation: Operation) => boolean): Operation => {
  const found = catalog.operations.find(predicate);
  if (!found) throw new Error(`the catalog declares no operation that ${what}`);
  return found;
};
const unlimited = (operation: Operation) => !operation.notes.includes('rate-limit');
const withEvent = (endpoint: string, actionKey: ActionKey) =>
  find(
    `${actionKey}s on ${endpoint} with an event and no rate limit`,
    (operation) =>
      operation.endpoint === endpoint && operation.actionKey === actionKey && operation.results.includes('kafka') && unlimited(operation),
  );
/** An endpoint where create and update-config both announce an event. */
const eventfulEndpoint = (() => {
  const endpoints = [...new Set(catalog.operations.map((operation) => operation.endpoint))];
  const found = endpoints.find((endpoint) =>
    (['create', 'update-config'] as const).every((actionKey) =>
      catalog.operations.some(
        (operation) =>
          operation.endpoint === endpoint &&
          operation.actionKey === actionKey &&
          operation.results.includes('kafka') &&
          unlimited(operation),
      ),
    ),
  );
  if (!found) throw new Error('no endpoint announces both its creates and its configuration updates');
  return found as ResourceEndpoint;
})();

let brokerDir: string;
let broker: KafkaBroker | undefined;
let stack: Stack;
let oauth: Tokens;
let logs: LogReader;
const relayErrors: unknown[] = [];
let seed = 5000;
let counter = 0;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  brokerDir = await mkdtemp(join(tmpdir(), 'td448-ri-broker-'));
  broker = await startKafkaBroker({ dataDir: brokerDir });
  // The at-least-once relay: its broker errors surface at once, which the outage test below waits for. The
  // transactional relay (the default) retries a gone broker for longer; the resilience checks and
  // kafka/transactional-sink.spec.ts prove it across outages and crashes.
  stack = await startStack({
    faultInjection: false,
    kafkaBootstrap: broker.bootstrap,
    relay: 'at-least-once',
    onRelayError: (error) => relayErrors.push(error),
  });
  oauth = new Tokens(stack.target, profile);
  clientId = oauth.byRole('functional', 5).clientId;
  logs = new LogReader(stack.target, profile, oauth);
});

test.afterAll(async () => {
  await stack?.stop();
  await broker?.stop();
  if (brokerDir) await rm(brokerDir, { recursive: true, force: true });
});

async function send(operation: Operation, call: OperationCall = {}) {
  const requestId = call.requestId ?? `ri-deploy-${process.pid}-${++counter}`;
  const spec = wire.request(operation, { ...call, requestId, authorization: await oauth.authorization(clientId) });
  const response = await fetch(urlOf(stack.target.apiBaseUrl, spec), {
    method: spec.method,
    headers: spec.headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    // A latency fault honoured would hold the answer 10 s.
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, requestId };
}

test('fault headers are ignored and the test-state routes do not exist', async () => {
  expect(stack.target.faultInjection).toBe(false);
  expect(stack.target.testStateUrl).toBeUndefined();

  const create = withEvent(eventfulEndpoint, 'create');
  const id = `no-faults-${crypto.randomUUID()}`;
  const faults = { failAfterWrite: true, downstreamFailures: 4, latencyMs: 10_000 };
  const created = await send(create, { id, fields: buildRecordFields(eventfulEndpoint, fakerFor(++seed)), faults });
  expect(created.status, created.text).toBe(201);
  expect(created.headers.get(faultApplied)).toBeNull();
  expect(created.headers.get(attemptsHeader)).toBe('1');
  expect(await logs.entryFor(created.requestId)).toMatchObject({ status: 201, outcome: 'success', rolledBack: false, attempts: 1 });

  const check = find(
    `checks status on ${eventfulEndpoint}`,
    (o) => o.endpoint === eventfulEndpoint && o.actionKey === 'check-status' && unlimited(o),
  );
  const status = await send(check, { id, faults: { downstreamFailures: 1 } });
  expect(status.status, 'the record was kept, and the downstream failure never happened').toBe(200);
  expect(status.headers.get(attemptsHeader)).toBe('1');

  const authorization = await oauth.authorization(clientId);
  for (const method of ['PUT', 'DELETE']) {
    const response = await fetch(`${stack.target.apiBaseUrl}/_test/records?endpoint=${encodeURIComponent(eventfulEndpoint)}&id=${id}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      ...(method === 'PUT' ? { body: JSON.stringify({ endpoint: eventfulEndpoint, id, fields: {} }) } : {}),
    });
    expect(response.status, `${method} /_test/records`).toBe(404);
  }
  expect((await send(check, { id })).status, 'the record survived the test-state DELETE').toBe(200);
});

/** Reads the events topic from its beginning (a group of its own) until `done` holds, then `settleMs` more for late duplicates. */
async function readEvents(done: (events: KafkaEvent[]) => boolean, timeoutMs = 60_000, settleMs = 2_000): Promise<KafkaEvent[]> {
  const consumer = await consume(stack.target.kafkaBootstrap, {
    topics: [stack.target.topics.events],
    groupId: `ri-outbox-check-${crypto.randomUUID()}`,
    fromBeginning: true,
  });
  const events: KafkaEvent[] = [];
  const pump = (async () => {
    for await (const event of consumer) events.push(event);
  })().catch(() => {});
  const deadline = Date.now() + timeoutMs;
  while (!done(events) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  await consumer.close();
  await pump;
  return events;
}

/**
 * Starts the broker again on its kept data dir, hence on its old ports. While it was down, the relay's
 * reconnection attempts may briefly hold that very port (a client connecting to a closed port in the
 * ephemeral range can be given it as its own address), so "port taken" is retried for a while.
 */
async function restartBroker(): Promise<KafkaBroker> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startKafkaBroker({ dataDir: brokerDir });
    } catch (error) {
      if (attempt >= 20 || !/port \d+ it used before is taken/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return condition();
}

test('the outbox holds events while the broker is down and delivers each exactly once, in order per key, once it is back', async () => {
  test.setTimeout(180_000);
  const running = broker;
  if (!running) throw new Error('no broker');
  const create = withEvent(eventfulEndpoint, 'create');
  const update = withEvent(eventfulEndpoint, 'update-config');
  /** Per record id, the request ids of its events in the order they happened. */
  const expected = new Map<string, string[]>();
  const record = (id: string, requestId: string) => expected.set(id, [...(expected.get(id) ?? []), requestId]);

  const before = `before-${crypto.randomUUID()}`;
  const first = await send(create, { id: before, fields: buildRecordFields(eventfulEndpoint, fakerFor(++seed)) });
  expect(first.status, first.text).toBe(201);
  record(before, first.requestId);
  expect(await waitUntil(() => stack.pendingEvents() === 0, 15_000), 'the relay publishes while the broker is up').toBe(true);

  await running.stop();
  const bootstrap = running.bootstrap;
  broker = undefined;

  const ids = [`outage-a-${crypto.randomUUID()}`, `outage-b-${crypto.randomUUID()}`];
  for (const id of ids) {
    const created = await send(create, { id, fields: buildRecordFields(eventfulEndpoint, fakerFor(++seed)) });
    expect(created.status, `a create while the broker is down: ${created.text}`).toBe(201);
    record(id, created.requestId);
  }
  for (let round = 0; round < 3; round++) {
    for (const id of ids) {
      const updated = await send(update, { id, fields: { config: { ...buildConfig(fakerFor(++seed)), round } } });
      expect(updated.status, `an update while the broker is down: ${updated.text}`).toBe(200);
      record(id, updated.requestId);
    }
  }
  const outageEvents = 2 + 3 * 2;
  expect(stack.pendingEvents(), 'the events wait in the outbox').toBeGreaterThanOrEqual(outageEvents);
  // Let the relay fail against the missing broker a few times.
  await waitUntil(() => relayErrors.length >= 2, 30_000);
  expect(relayErrors.length).toBeGreaterThan(0);

  broker = await restartBroker();
  expect(broker.bootstrap, 'a kept data dir restarts on the same port').toBe(bootstrap);
  expect(await waitUntil(() => stack.pendingEvents() === 0, 90_000), 'the relay drains the outbox once the broker is back').toBe(true);

  const wanted = new Set([...expected.values()].flat());
  const events = await readEvents((seen) => {
    const found = new Set(seen.map((event) => DomainEvent.safeParse(event.value).data?.requestid));
    return [...wanted].every((requestId) => found.has(requestId));
  });
  const ours = events.filter((event) => wanted.has(DomainEvent.parse(event.value).requestid));
  const perRequest = new Map<string, number>();
  for (const event of ours) {
    const requestId = DomainEvent.parse(event.value).requestid;
    perRequest.set(requestId, (perRequest.get(requestId) ?? 0) + 1);
  }
  for (const requestId of wanted) expect(perRequest.get(requestId) ?? 0, `events of ${requestId}`).toBe(1);

  for (const [id, requestIds] of expected) {
    const ofKey = ours.filter((event) => event.key === id);
    expect(new Set(ofKey.map((event) => event.partition)).size, `one partition for key ${id}`).toBe(1);
    const inLogOrder = ofKey.toSorted((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    expect(
      inLogOrder.map((event) => DomainEvent.parse(event.value).requestid),
      `the events of ${id} in the order they happened`,
    ).toEqual(requestIds);
  }
});
