import { promised } from '../fixtures/catalog/vocabulary.ts';
import { Toxiproxy } from '../fixtures/clients/toxiproxy.ts';
import { newRecordBody } from '../fixtures/data/bodies.ts';
import { callFor } from '../fixtures/data/calls.ts';
import { buildConfig, fakerFor } from '../fixtures/data/factories.ts';
import { runId } from '../fixtures/data/run-id.ts';
import { expect, test } from '../fixtures/playwright/test.ts';
import type { ResourceEndpoint } from '../fixtures/schemas/resources.ts';
import { onlyWhenAlone } from './alone.ts';
import { pacer } from './pacing.ts';
import { readEventsOf } from './topic-reader.ts';
import { type Acknowledged, accountEvents, writeChains } from './write-chains.ts';

test.use({ bucket: 'results' });

/** Records per endpoint: each goes through its endpoint's chain (about 5 operations), about 280 operations in all. */
const recordsPerEndpoint = 8;
/** Operations started per second: slow enough that the outage (seconds) spans a third of the load. */
const startsPerSecond = 20;

interface Sent {
  requestId: string;
  key: string;
  sequence: number;
  expectsEvent: boolean;
  status: number;
  ok: boolean;
  startedAt: number;
  endedAt: number;
  promisesLatency: boolean;
}

test('@resilience @broker-outage the Kafka broker stopped in the middle of a write load and started again: every event of every acknowledged operation arrives, exactly once, in order per key, and the operations during the outage still answer in time', async ({
  api,
  target,
  catalog,
  profile,
}) => {
  test.setTimeout(300_000);
  onlyWhenAlone('it cuts the broker');
  test.skip(
    !target.toxiproxy,
    `not run: target "${target.name}" names no fault port (toxiproxy: the Toxiproxy API in front of its Kafka), so the broker cannot be cut`,
  );
  const faults = new Toxiproxy(target.toxiproxy as NonNullable<typeof target.toxiproxy>);
  const before = await faults.proxy();
  expect(before.enabled, `the Kafka proxy ${faults.proxyName} at ${faults.url} is enabled before the check`).toBe(true);

  const chains = writeChains(catalog).flatMap((chain) => Array.from({ length: recordsPerEndpoint }, (_, index) => ({ ...chain, index })));
  const total = chains.reduce((sum, chain) => sum + chain.steps.length, 0);
  const sent: Sent[] = [];
  const outage = { cutStarted: 0, cutDone: 0, restoreStarted: 0, restoreDone: 0 };
  let acknowledged = 0;
  let faultWork: Promise<unknown> = Promise.resolve();
  const onAcknowledged = () => {
    acknowledged++;
    if (acknowledged === Math.floor(total / 4)) {
      outage.cutStarted = Date.now();
      faultWork = faults.cut().then(() => {
        outage.cutDone = Date.now();
      });
    }
    const duringOutage = sent.filter((item) => outage.cutDone > 0 && item.startedAt >= outage.cutStarted).length;
    if (outage.cutDone > 0 && outage.restoreStarted === 0 && duringOutage >= total / 3) restore();
  };
  const restore = () => {
    outage.restoreStarted = Date.now();
    faultWork = faultWork.then(() =>
      faults.restore().then(() => {
        outage.restoreDone = Date.now();
      }),
    );
  };

  // One start every 1/startsPerSecond s across all chains; each chain's steps one after the other.
  const pace = pacer(startsPerSecond);
  const runChain = async (chain: (typeof chains)[number], chainNumber: number) => {
    const faker = fakerFor(70_000 + chainNumber);
    const id = `outage-${chainNumber}-${runId()}-${faker.string.alphanumeric(6)}`;
    let sequence = 0;
    for (const step of chain.steps) {
      await pace();
      const call = {
        ...callFor(step.operation, api.wire, {
          fields: () => newRecordBody(profile, chain.endpoint as ResourceEndpoint, faker),
          config: () => buildConfig(faker),
          recordId: id,
        }),
        id,
        requestId: api.newRequestId('outage'),
      };
      const startedAt = Date.now();
      const answer = await api.send(step.operation, call);
      const ok = answer.status === api.wire.successStatus(step.operation.actionKey);
      sent.push({
        requestId: answer.requestId,
        key: id,
        sequence: ok ? sequence++ : -1,
        expectsEvent: step.expectsEvent,
        status: answer.status,
        ok,
        startedAt,
        endedAt: Date.now(),
        promisesLatency: step.operation.results.includes('latency'),
      });
      if (ok) onAcknowledged();
      else break; // the record's later steps need it
    }
  };
  const loadStarted = Date.now();
  await Promise.all(chains.map((chain, index) => runChain(chain, index)));
  if (outage.cutStarted > 0 && outage.restoreStarted === 0) restore();
  await faultWork;
  const loadSeconds = (Date.now() - loadStarted) / 1000;
  expect((await faults.proxy()).enabled, 'the broker is back after the check').toBe(true);

  // Every event of the check's operations, read back from the topic until each acknowledged one's has come.
  const acks: Acknowledged[] = sent
    .filter((item) => item.ok && item.expectsEvent)
    .map(({ requestId, key, sequence }) => ({ requestId, key, sequence }));
  const waitStarted = Date.now();
  const events = await readEventsOf(
    target,
    profile,
    acks.map((ack) => ack.requestId),
    (seen) => new Set(seen.map((event) => event.requestId)).size === acks.length,
  );
  const account = accountEvents(acks, events);

  const during = sent.filter((item) => item.startedAt >= outage.cutStarted && item.endedAt <= outage.restoreDone);
  const durations = during.map((item) => item.endedAt - item.startedAt).sort((a, b) => a - b);
  const p95 = durations[Math.max(0, Math.ceil(durations.length * 0.95) - 1)] ?? 0;
  const slow = during.filter((item) => item.promisesLatency && item.endedAt - item.startedAt >= promised.latencyMs);
  const failed = sent.filter((item) => !item.ok);
  const figures = {
    operations: { sent: sent.length, planned: total, acknowledged, failed: failed.length, loadSeconds },
    outage: {
      seconds: (outage.restoreDone - outage.cutStarted) / 1000,
      cutTookSeconds: (outage.cutDone - outage.cutStarted) / 1000,
      restoreTookSeconds: (outage.restoreDone - outage.restoreStarted) / 1000,
      operationsDuring: during.length,
      p95MsDuring: p95,
      maxMsDuring: durations.at(-1) ?? 0,
      overOneSecondDuring: slow.length,
    },
    events: {
      expected: account.expected,
      received: account.received,
      duplicated: account.duplicated,
      lost: account.lost.length,
      outOfOrderKeys: account.outOfOrder.length,
      waitedSeconds: (Date.now() - waitStarted) / 1000,
    },
  };
  console.log(
    `broker outage: ${figures.operations.acknowledged} operations acknowledged (${figures.outage.operationsDuring} during the ${figures.outage.seconds.toFixed(1)} s outage, p95 ${p95} ms), ` +
      `events expected ${account.expected}, received ${account.received}, duplicated ${account.duplicated}, lost ${account.lost.length}, keys out of order ${account.outOfOrder.length}`,
  );
  await test.info().attach('broker-outage.json', {
    body: JSON.stringify({ figures, lost: account.lost, outOfOrder: account.outOfOrder }, null, 2),
    contentType: 'application/json',
  });

  expect(
    failed.map((item) => `${item.requestId}: ${item.status}`),
    'every operation answered as it promises, the outage notwithstanding',
  ).toEqual([]);
  expect(figures.outage.operationsDuring, 'operations ran while the broker was away (else nothing was tested)').toBeGreaterThan(0);
  expect(
    slow.map((item) => item.requestId),
    'operations promising success under 1 s kept it during the outage (the outbox decouples them)',
  ).toEqual([]);
  expect(
    account.lost.length,
    `acknowledged operations whose event never arrived (the first: ${account.lost.slice(0, 5).join(', ')}; all in broker-outage.json)`,
  ).toBe(0);
  expect(account.duplicated, 'events delivered more than once').toBe(0);
  expect(account.outOfOrder, 'records whose events arrived out of the order of their operations').toEqual([]);
  expect(account.expected).toBeGreaterThan(100);
});
