import { ProduceAcks, Producer, stringSerializer } from '@platformatic/kafka';
import { expect, test } from '@playwright/test';
import { consume, type KafkaEvent } from '../../fixtures/kafka/client.ts';
import type { OutboxMessage } from '../storage/outbox.ts';
import { type KafkaBroker, startKafkaBroker } from './broker.ts';
import { createTransactionalSink } from './transactional-sink.ts';

// A broker start takes a few seconds here, more on a busy 2-core machine.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

let broker: KafkaBroker | undefined;
test.afterAll(async () => {
  await broker?.stop();
});

const message = (life: number, n: number): OutboxMessage => ({
  topic: 'relay.events',
  key: `k${n}`,
  value: { life, n },
  headers: { 'content-type': 'application/json' },
});

/** Reads `topic` from its beginning (read_committed) until `count` events came, or 20 s passed. */
async function read(bootstrap: string, topic: string, count: number): Promise<KafkaEvent[]> {
  const consumer = await consume(bootstrap, { topics: [topic], groupId: `reader-${crypto.randomUUID()}`, fromBeginning: true });
  const events: KafkaEvent[] = [];
  const timer = setTimeout(() => void consumer.close(), 20_000);
  try {
    for await (const event of consumer) {
      events.push(event);
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
  return events;
}

test('a relay restarted under the same transactional id takes over every time (no PRODUCER_FENCED) and reads back the last committed position', async () => {
  broker = await startKafkaBroker();
  const options = { transactionalId: 'relay-under-test', offsetsTopic: 'relay.positions' };
  for (let life = 1; life <= 4; life += 1) {
    // Each life is a new process's relay: a new producer under the same id. Odd lives die without closing theirs.
    const sink = createTransactionalSink(broker.bootstrap, options);
    expect(await sink.committedSeq(), `life ${life}: the position the last life committed`).toBe((life - 1) * 2);
    await sink.send([message(life, 1)], life * 2 - 1);
    await sink.send([message(life, 2)], life * 2);
    if (life % 2 === 0) await sink.close();
  }
  const events = await read(broker.bootstrap, 'relay.events', 8);
  const values = events.map((event) => event.value as { life: number; n: number });
  // Keys k1 and k2 may sit on two partitions: order across them is not the broker's to keep.
  expect(
    values.toSorted((a, b) => a.life - b.life || a.n - b.n),
    'every batch exactly once',
  ).toEqual(
    [1, 2, 3, 4].flatMap((life) => [
      { life, n: 1 },
      { life, n: 2 },
    ]),
  );
});

test('a position the dead relay sent in a transaction it never committed is not read as committed, however many such lives there were', async () => {
  broker ??= await startKafkaBroker();
  const options = { transactionalId: 'relay-killed-mid-transaction', offsetsTopic: 'relay.positions.killed' };
  const first = createTransactionalSink(broker.bootstrap, options);
  expect(await first.committedSeq()).toBe(0);
  await first.send([message(1, 1)], 10);
  for (let death = 1; death <= 2; death += 1) {
    // A relay killed between the send of its batch (and position 10 + death × 100) and the commit: an open
    // transaction under the same transactional id, which the next relay's registration aborts.
    const dying = new Producer({
      clientId: options.transactionalId,
      bootstrapBrokers: [broker.bootstrap],
      transactionalId: options.transactionalId,
      producerId: -1n,
      producerEpoch: -1,
      idempotent: true,
      acks: ProduceAcks.ALL,
      serializers: { key: stringSerializer, value: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
    });
    const transaction = await dying.beginTransaction();
    await transaction.send({
      messages: [
        { topic: 'relay.events', key: 'k', value: JSON.stringify({ death }) },
        { topic: options.offsetsTopic, key: options.transactionalId, value: JSON.stringify({ seq: 10 + death * 100 }) },
      ],
    });
    const next = createTransactionalSink(broker.bootstrap, options);
    expect(await next.committedSeq(), `after death ${death}: the last committed position, not the aborted one`).toBe(10);
    await next.close();
    dying.close().catch(() => {});
  }
});
