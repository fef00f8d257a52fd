import { expect, test } from '@playwright/test';
import { Database } from '../storage/database.ts';
import { Outbox, type OutboxMessage, OutboxRelay } from '../storage/outbox.ts';

/**
 * The relay against a sink that fails now and then, as a broker does mid-batch. White-box on
 * purpose: through the ports a send failing half-way through a batch cannot be provoked on demand,
 * and what it must not cause (a second copy of the messages that did go through, or a key's
 * messages out of order) is exactly what the deployment spec cannot force.
 */
test('a batch that fails half-way is not sent again in full, and each key keeps its order', async () => {
  const database = new Database(':memory:');
  const outbox = new Outbox(database);
  const keys = ['k0', 'k1', 'k2'];
  const total = 60;
  for (let n = 0; n < total; n++) {
    database.transaction(() => outbox.enqueue({ topic: 'events', key: keys[n % keys.length] as string, value: { n }, headers: {} }));
  }

  const delivered: { key: string; n: number }[] = [];
  const failOnce = new Set([4, 5, 17, 31, 32, 50]);
  let failures = 0;
  const sink = {
    async send(messages: readonly OutboxMessage[]) {
      for (const message of messages) {
        const { n } = message.value as { n: number };
        await new Promise((resolve) => setTimeout(resolve, n % 3)); // keys answer at different speeds
        if (failOnce.delete(n)) {
          failures++;
          throw new Error(`broker unavailable for message ${n}`);
        }
        delivered.push({ key: message.key, n });
      }
    },
  };
  const relay = new OutboxRelay(outbox, sink, { batchSize: 10, idleMs: 5, maxBackoffMs: 5 });
  relay.start();
  try {
    const deadline = Date.now() + 20_000;
    while (outbox.pendingCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    await relay.stop();
    database.close();
  }

  expect(failures).toBe(6);
  const ns = delivered.map((message) => message.n);
  expect(
    ns.toSorted((a, b) => a - b),
    'every message exactly once',
  ).toEqual(Array.from({ length: total }, (_, n) => n));
  for (const key of keys) {
    const ofKey = delivered.filter((message) => message.key === key).map((message) => message.n);
    expect(ofKey, `the order of ${key}`).toEqual(ofKey.toSorted((a, b) => a - b));
  }
});

test('published messages leave the table after their retention; a message the broker never took stays', async () => {
  const database = new Database(':memory:');
  const outbox = new Outbox(database);
  for (let n = 0; n < 20; n++) {
    database.transaction(() => outbox.enqueue({ topic: 'events', key: n < 3 ? 'stuck' : `k${n}`, value: { n }, headers: {} }));
  }
  const sink = {
    async send(messages: readonly OutboxMessage[]) {
      if (messages.some((message) => message.key === 'stuck')) throw new Error('this key’s partition has no leader');
    },
  };
  const relay = new OutboxRelay(outbox, sink, { batchSize: 50, idleMs: 5, maxBackoffMs: 5, retentionMs: 0, purgeEveryMs: 0 });
  relay.start();
  try {
    const deadline = Date.now() + 10_000;
    while (outbox.size() > 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(outbox.size(), 'only the messages never published are left').toBe(3);
    expect(outbox.pendingCount()).toBe(3);
  } finally {
    await relay.stop();
    database.close();
  }
});

test('an atomic sink: a relay that died between the commit and marking the batch published sends none of it again at its next start', async () => {
  const database = new Database(':memory:');
  const outbox = new Outbox(database);
  for (let n = 0; n < 30; n++) database.transaction(() => outbox.enqueue({ topic: 'events', key: `k${n % 3}`, value: { n }, headers: {} }));

  // A broker holding committed batches and the last position committed with them; the first commit fails.
  const committed: number[] = [];
  let position = 0;
  let failNext = true;
  const broker = {
    async send(messages: readonly OutboxMessage[], seq?: number) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failNext) {
        failNext = false;
        throw new Error('the transaction did not commit');
      }
      committed.push(...messages.map((message) => (message.value as { n: number }).n));
      position = seq ?? position;
    },
    async committedSeq() {
      return position;
    },
  };
  // The first relay dies right after its first commit, before marking the batch published: nothing it does after reaches anything.
  class ForgetfulOutbox extends Outbox {
    override markPublished() {}
  }
  let dead = false;
  const dying = {
    async send(messages: readonly OutboxMessage[], seq?: number) {
      if (dead) throw new Error('dead');
      const before = committed.length;
      await broker.send(messages, seq);
      dead = committed.length > before;
    },
    committedSeq: () => broker.committedSeq(),
  };
  const first = new OutboxRelay(new ForgetfulOutbox(database), dying, { batchSize: 10, idleMs: 5, maxBackoffMs: 5 });
  first.start();
  const deadline = Date.now() + 10_000;
  while (!dead && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await first.stop();
  expect(committed, 'the first relay committed one batch before it died').toHaveLength(10);
  expect(outbox.pendingCount(), 'nothing marked: it died before').toBe(30);

  // The second relay reads the committed position back and sends only what came after it.
  const second = new OutboxRelay(outbox, broker, { batchSize: 10, idleMs: 5, maxBackoffMs: 5 });
  second.start();
  while (outbox.pendingCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await second.stop();
  database.close();
  expect(
    committed.toSorted((a, b) => a - b),
    'every message exactly once, the failed transaction included',
  ).toEqual(Array.from({ length: 30 }, (_, n) => n));
});

test('a broker that holds a send without answering: the relay waits it out and loses nothing; the planted relay-drops-on-failure gives up and drops it', async () => {
  for (const dropOnFailure of [false, true]) {
    const database = new Database(':memory:');
    const outbox = new Outbox(database);
    for (let n = 0; n < 5; n++) database.transaction(() => outbox.enqueue({ topic: 'events', key: `k${n}`, value: { n }, headers: {} }));
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // An atomic sink (a position with each batch) whose broker holds the first transaction until it is released.
    let sends = 0;
    const sink = {
      async send() {
        sends++;
        if (sends === 1) await held;
      },
      async committedSeq() {
        return 0;
      },
    };
    const relay = new OutboxRelay(outbox, sink, { batchSize: 50, idleMs: 5, maxBackoffMs: 5, dropOnFailure, giveUpAfterMs: 100 });
    relay.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(outbox.pendingCount(), `dropOnFailure ${dropOnFailure}: pending while the broker holds the send`).toBe(dropOnFailure ? 0 : 5);
      expect(sends, 'one send: the relay waits for it').toBe(1);
      release();
      const deadline = Date.now() + 5_000;
      while (outbox.pendingCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(outbox.pendingCount()).toBe(0);
    } finally {
      release();
      await relay.stop();
      database.close();
    }
  }
});
