import { CrashFault, type CrashWindow } from '../fixtures/clients/crash-fault.ts';
import { fetchFor } from '../fixtures/clients/tls.ts';
import { newRecordBody } from '../fixtures/data/bodies.ts';
import { callFor } from '../fixtures/data/calls.ts';
import { buildConfig, fakerFor } from '../fixtures/data/factories.ts';
import { runId } from '../fixtures/data/run-id.ts';
import { expect, test } from '../fixtures/playwright/test.ts';
import type { ResourceEndpoint } from '../fixtures/schemas/resources.ts';
import { onlyWhenAlone } from './alone.ts';
import { accountCrash, type CrashEvent, type CrashRecord, type CrashStep } from './crash-account.ts';
import { pacer } from './pacing.ts';
import { readEventsOf } from './topic-reader.ts';
import { writeChains } from './write-chains.ts';

test.use({ bucket: 'results' });

/** Records per endpoint paced before and after the kill: each goes through its endpoint's chain (about 5 operations). */
const recordsPerEndpoint = 6;
/** Operations started per second by the paced chains. */
const startsPerSecond = 25;
/** Kills in one load: each lands in the stream of writes, once the service is back from the one before. */
const crashes = 3;
/** Chains run back to back, unpaced, by each of this many writers from a quarter into the load until the last kill is sent: each lands while writes are in flight. */
const streamWriters = 32;
/** The stream's answers before each kill: the target is then serving it at full speed. */
const streamAnswersBeforeKill = 64;
/** Chain numbers from here on are the stream's. */
const streamNumbers = 1000;

test('@resilience @crash the service killed with SIGKILL in the middle of a write load, three times, and restarted on the same database: every acknowledged write is there and whole, nothing cut off is half-done, and the outbox delivers every event it owed, once', async ({
  api,
  target,
  catalog,
  profile,
}) => {
  test.setTimeout(300_000);
  onlyWhenAlone('it kills the service');
  test.skip(
    !target.crash,
    `not run: target "${target.name}" names no crash fault (crash.command: what kills its service, e.g. docker kill --signal KILL), so it cannot be crashed`,
  );
  const fault = new CrashFault(target);
  const send = await fetchFor(target.caFile);
  expect(await fault.answers(), `the service answers at ${target.apiBaseUrl} before the check`).toBe(true);

  const chains = writeChains(catalog);
  const paced = chains.flatMap((chain) => Array.from({ length: recordsPerEndpoint }, () => chain));
  const total = paced.reduce((sum, chain) => sum + chain.steps.length, 0);
  const records: CrashRecord[] = [];
  let acknowledged = 0;
  const windows: Promise<CrashWindow>[] = [];
  let crashing = false;
  let inFlight = 0;
  const inFlightAtKills: number[] = [];
  // While the service is down, paced steps wait for it (the kill is meant to cut requests in flight, not all that follow).
  let serviceBack: Promise<unknown> = Promise.resolve();

  const runChain = async (chain: (typeof chains)[number], chainNumber: number, pace: () => Promise<void>) => {
    const faker = fakerFor(90_000 + chainNumber);
    const id = `crash-${chainNumber}-${runId()}-${faker.string.alphanumeric(6)}`;
    const record: CrashRecord = { endpoint: chain.endpoint, id, steps: [], after: undefined };
    records.push(record);
    for (const step of chain.steps) {
      await pace();
      await serviceBack;
      const fields = newRecordBody(profile, chain.endpoint as ResourceEndpoint, faker);
      const config = buildConfig(faker);
      const action = step.operation.actionKey;
      const requestId = api.newRequestId('crash');
      const call = {
        ...callFor(step.operation, api.wire, {
          fields: () => fields,
          config: () => config,
          recordId: id,
        }),
        id,
        requestId,
      };
      const sent: CrashStep = {
        requestId,
        action,
        expectsEvent: step.expectsEvent,
        outcome: 'cut-off',
        ...(action === 'create' ? { wrote: fields } : action === 'update-config' ? { wrote: config } : {}),
      };
      record.steps.push(sent);
      // Sent with fetch, not Playwright's request context: it keeps the target busier than the checks' client can
      // (the kill must find writes in the service), and a reset connection's error carries no call log.
      const request = await api.prepare(step.operation, call);
      inFlight++;
      try {
        const answer = await send(request.url, {
          method: request.spec.method,
          headers: request.spec.headers,
          ...(request.spec.body !== undefined ? { body: request.spec.body } : {}),
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        });
        await answer.arrayBuffer();
        sent.outcome = answer.status === api.wire.successStatus(action) ? 'acknowledged' : 'refused';
      } catch {
        // No answer: the connection died with the service.
      } finally {
        inFlight--;
      }
      if (sent.outcome !== 'acknowledged') break; // the record's later steps need this one
      if (chainNumber >= streamNumbers && ++streamAnswered >= streamAnswersBeforeKill && !crashing && windows.length < crashes) killNow();
      if (++acknowledged === Math.floor(total / 4) && !streamStarted) startStream();
    }
  };
  // The stream: writers running chains back to back until the last kill has been sent.
  const streams: Promise<void>[] = [];
  let streamStarted = false;
  let streamAnswered = 0;
  let lastKillSent = false;
  let streamChains = 0;
  const startStream = () => {
    streamStarted = true;
    for (let writer = 0; writer < streamWriters; writer++)
      streams.push(
        (async () => {
          while (!lastKillSent) {
            const number = streamChains++;
            await runChain(chains[number % chains.length] as (typeof chains)[number], streamNumbers + number, async () => {});
          }
        })(),
      );
  };
  const killNow = () => {
    crashing = true;
    const crash = (async () => {
      let killedAt: number;
      try {
        killedAt = await fault.kill();
      } finally {
        inFlightAtKills.push(inFlight);
        if (windows.length === crashes) lastKillSent = true; // the stream stops, whether the kill was sent or failed
      }
      return fault.waitUntilBack(killedAt);
    })();
    windows.push(crash);
    serviceBack = crash.then(
      () => {
        streamAnswered = 0;
        crashing = false;
      },
      () => {
        lastKillSent = true;
      },
    );
  };

  const pace = pacer(startsPerSecond);
  const loadStarted = Date.now();
  await Promise.all(paced.map((chain, index) => runChain(chain, index, pace)));
  await Promise.all(streams);
  expect(windows.length, 'the kills happened (in the stream of writes started a quarter into the load)').toBe(crashes);
  const crashWindows = await Promise.all(windows);
  const loadSeconds = (Date.now() - loadStarted) / 1000;

  // The state after the restart, read back through the API as any client would.
  for (const record of records) {
    const seen = await api.observeRecord(record.endpoint, record.id);
    if (seen.status !== 200 && seen.status !== 404)
      throw new Error(`reading ${record.endpoint} ${record.id} back after the restart answered ${seen.status}`);
    record.after = seen.status === 200 ? seen.record : undefined;
  }

  // The events: until every operation the state shows done has its event, or none came for 20 s, at most 90 s.
  const requestIds = records.flatMap((record) => record.steps.map((step) => step.requestId));
  const waitStarted = Date.now();
  const events: CrashEvent[] = await readEventsOf(target, profile, requestIds, (seen) => {
    const account = accountCrash(records, seen);
    return account.eventsLost.length === 0 && account.torn.length === 0;
  });
  const account = accountCrash(records, events);

  const figures = {
    operations: { chains: records.length, sent: requestIds.length, acknowledged, loadSeconds },
    crashes: crashWindows.map((window, index) => ({
      inFlightAtKill: inFlightAtKills[index],
      killToDownMs: window.downSeenAt > 0 ? window.downSeenAt - window.killedAt : null,
      backAfterSeconds: (window.readyAt - window.killedAt) / 1000,
    })),
    writes: {
      acknowledged: account.acknowledgedWrites,
      foundAfterRestart: account.found,
      lost: account.lost.length,
      torn: account.torn.length,
      cutOff: account.cutOff,
      cutOffDone: account.cutOffDone,
    },
    events: {
      owed: account.eventsOwed,
      delivered: account.delivered,
      lost: account.eventsLost.length,
      duplicated: account.duplicated,
      redeliveredSameId: account.redelivered,
      emittedForNothing: account.emittedForNothing.length,
      waitedSeconds: (Date.now() - waitStarted) / 1000,
    },
  };
  console.log(
    `crash under load: ${crashes} kills; ${account.acknowledgedWrites} writes acknowledged, ${account.found} found after the restarts, lost ${account.lost.length}, torn ${account.torn.length} ` +
      `(${account.cutOff} requests cut off by the kills, ${account.cutOffDone} of them done; in flight at each kill ${inFlightAtKills.join(', ')}; back after ${figures.crashes.map((c) => c.backAfterSeconds.toFixed(1)).join(', ')} s); ` +
      `events owed ${account.eventsOwed}, delivered ${account.delivered}, lost ${account.eventsLost.length}, duplicated ${account.duplicated} (redelivered under the same id ${account.redelivered})`,
  );
  await test.info().attach('crash-under-load.json', {
    body: JSON.stringify({ figures, ...account }, null, 2),
    contentType: 'application/json',
  });

  expect(account.cutOff, 'the kill cut requests off in flight (else no write was interrupted)').toBeGreaterThan(0);
  expect(account.lost, 'acknowledged writes lost in the crash').toEqual([]);
  expect(account.torn, 'operations half done: a write without its event, an event without its write, a record without its fields').toEqual(
    [],
  );
  expect(account.eventsLost, 'events the outbox owed and never delivered').toEqual([]);
  expect(account.duplicated, 'operations announced twice under different CloudEvents ids').toBe(0);
  // A deployment that promises at-least-once delivery (profile events.delivery) may send an event again after a crash,
  // under the same id; one that promises exactly-once may not.
  if (profile.events.delivery === 'exactly-once')
    expect(account.redelivered, 'events delivered again under the same CloudEvents id (the profile promises exactly-once)').toBe(0);
  expect(account.emittedForNothing, 'events of requests the target refused').toEqual([]);
  expect(account.acknowledgedWrites).toBeGreaterThan(100);
});
