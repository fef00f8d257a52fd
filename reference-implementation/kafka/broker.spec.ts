import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { consume, createProducer, createTopics, type KafkaEvent, KafkaSendError } from '../../fixtures/kafka/client.ts';
import { type KafkaBroker, startKafkaBroker } from './broker.ts';

// A broker start takes a few seconds here, more on a busy 2-core machine (and Maven on a first run).
test.describe.configure({ mode: 'serial', timeout: 180_000 });

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the topic from the beginning (new group) until `isLast` says so. */
async function eventsUntil(bootstrap: string, topic: string, isLast: (event: KafkaEvent) => boolean) {
  const groupId = `group-${crypto.randomUUID()}`;
  const consumer = await consume(bootstrap, { topics: [topic], groupId, fromBeginning: true });
  const events: KafkaEvent[] = [];
  try {
    for await (const event of consumer) {
      events.push(event);
      if (isLast(event)) break;
    }
  } finally {
    await consumer.close();
  }
  return events;
}

test.describe('embedded Kafka broker', () => {
  let broker: KafkaBroker | undefined;

  test.afterAll(async () => {
    await broker?.stop();
  });

  test('starts on a free 127.0.0.1 port and round-trips a JSON event with key and headers', async () => {
    broker = await startKafkaBroker();
    expect(broker.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(isProcessAlive(broker.pid)).toBe(true);

    const topic = 'orders.events';
    await createTopics(broker.bootstrap, [topic]);
    const producer = createProducer(broker.bootstrap, 'broker-spec');
    const event = { type: 'OrderPlaced', orderId: 'ord-42', total: { amount: 1999, currency: 'EUR' } };
    const headers = { 'ce-type': 'order.placed', 'correlation-id': 'c-123' };
    try {
      const sent = await producer.send(topic, 'ord-42', event, headers);
      expect(sent.topic).toBe(topic);
    } finally {
      await producer.close();
    }

    const [received] = await eventsUntil(broker.bootstrap, topic, () => true);
    expect(received).toMatchObject({ topic, key: 'ord-42', value: event, headers });
  });

  test('a consumer of new events receives one sent right after it subscribed', async () => {
    if (!broker) throw new Error('no broker from the previous test');
    const topic = 'fresh.events';
    const consumer = await consume(broker.bootstrap, { topics: [topic], groupId: 'latest-only', fromBeginning: false });
    const producer = createProducer(broker.bootstrap, 'broker-spec-latest');
    try {
      await producer.send(topic, 'k', { right: 'after' });
      for await (const event of consumer) {
        expect(event.value).toEqual({ right: 'after' });
        break;
      }
    } finally {
      await producer.close();
      await consumer.close();
    }
  });

  test('stop ends the JVM and removes the temporary data dir', async () => {
    if (!broker) throw new Error('no broker from the previous test');
    const { pid, dataDir } = broker;
    await broker.stop();
    broker = undefined;
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });

  test('two brokers at once listen on different ports', async () => {
    const [first, second] = await Promise.all([startKafkaBroker(), startKafkaBroker()]);
    try {
      expect(first.bootstrap).not.toBe(second.bootstrap);
      expect(first.pid).not.toBe(second.pid);
      await createTopics(first.bootstrap, ['only.on.first']);
      await createTopics(second.bootstrap, ['only.on.second']);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
    expect(isProcessAlive(first.pid)).toBe(false);
    expect(isProcessAlive(second.pid)).toBe(false);
  });

  test('a send during an outage fails within its bound, and a restart on the same data dir serves again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'td448-kafka-spec-'));
    const topic = 'outbox.events';
    try {
      const before = await startKafkaBroker({ dataDir });
      const producer = createProducer(before.bootstrap, 'outage-spec', { sendTimeoutMs: 5_000 });
      try {
        await producer.send(topic, 'order-7', { n: 1 });
        await before.stop();
        expect(isProcessAlive(before.pid)).toBe(false);

        const started = Date.now();
        await expect(producer.send(topic, 'order-7', { n: 2 })).rejects.toBeInstanceOf(KafkaSendError);
        // Its 5 s bound, with room for a busy 2-core machine; the default bound (10 s) would fail this.
        expect(Date.now() - started, 'the send failed within its own bound (5 s)').toBeLessThan(9_000);

        const after = await startKafkaBroker({ dataDir });
        try {
          expect(after.bootstrap).toBe(before.bootstrap);
          const fresh = createProducer(after.bootstrap, 'outage-spec-fresh');
          try {
            await fresh.send(topic, 'order-7', { n: 3 });
          } finally {
            await fresh.close();
          }
          // One key, so one partition and the order of sending.
          const events = await eventsUntil(after.bootstrap, topic, (event) => (event.value as { n: number }).n === 3);
          expect(events.map((event) => event.value)).toEqual([{ n: 1 }, { n: 3 }]);
        } finally {
          await after.stop();
        }
      } finally {
        await producer.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
