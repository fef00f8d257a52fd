import { compatibilityPartitioner, ProduceAcks, Producer, stringSerializer } from '@platformatic/kafka';
import { consume, createTopics, kafkaConnectionOptions } from '../../fixtures/kafka/client.ts';
import type { OutboxMessage } from '../storage/outbox.ts';

/**
 * The outbox relay's exactly-once sink, as Kafka Connect's exactly-once source connectors do it (KIP-618): each
 * batch of events is sent together with the relay's position in the outbox (the highest `seq` of the batch, a record
 * on the offsets topic) in one Kafka transaction. A read_committed consumer sees the batch and the position
 * together or neither. A relay that died after the commit and before marking the batch published in SQLite finds
 * the position at its next start (`committedSeq`) and marks everything up to it published instead of sending it
 * again; a transaction left open by the dead relay is aborted by the broker when the new one registers the same
 * transactional id (fencing), so its events never reach a read_committed consumer.
 */
export interface TransactionalSink {
  /** The outbox position the last committed transaction carried (0 when none did): every seq up to it is on Kafka. */
  committedSeq(): Promise<number>;
  /** Sends the messages and the position `seq` in one transaction and commits it; rejects when it did not commit. */
  send(messages: readonly OutboxMessage[], seq: number): Promise<void>;
  close(): Promise<void>;
}

function newProducer(bootstrap: string, transactionalId: string) {
  return new Producer({
    ...kafkaConnectionOptions(bootstrap),
    clientId: transactionalId,
    bootstrapBrokers: [bootstrap],
    transactionalId,
    // A new producer asks InitProducerId for "any" id and epoch (-1, -1: KIP-360): the client's default (0, 0) reads
    // to the coordinator as the epoch it expects this producer to hold, and once a restart has bumped the epoch
    // past 0 every new producer under the id is refused as fenced (PRODUCER_FENCED).
    producerId: -1n,
    producerEpoch: -1,
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers: {
      key: stringSerializer,
      value: (value?: object) => (value === undefined ? undefined : Buffer.from(JSON.stringify(value))),
      headerKey: stringSerializer,
      headerValue: stringSerializer,
    },
    partitioner: compatibilityPartitioner,
    autocreateTopics: true,
    connectTimeout: 2_000,
    requestTimeout: 5_000,
    timeout: 5_000,
    // A transaction begun right after the last commit meets CONCURRENT_TRANSACTIONS while the coordinator writes the
    // last one's markers (a few ms): retried every 5 ms (the Java producer backs off 20 ms for it). With 500 ms, every
    // batch waited half a second (scripts/bench-relay.ts: 520 ms a batch, against 5 ms for plain sends).
    retries: 100,
    retryDelay: 5,
  });
}

/**
 * A TransactionalSink on `bootstrap` (plaintext, the embedded broker) under `transactionalId`, its position on
 * `offsetsTopic` (one partition, created when first read) under the key `transactionalId`: relays of several
 * services may share the topic. After a failed transaction the producer is replaced by a new one under the same
 * transactional id, which aborts whatever the failed one left open.
 */
export function createTransactionalSink(bootstrap: string, options: { transactionalId: string; offsetsTopic: string }): TransactionalSink {
  const positionKey = options.transactionalId;
  let producer = newProducer(bootstrap, options.transactionalId);
  /**
   * Runs `step` with the producer; when it fails, replaces the producer by a new one under the same transactional id
   * (registering it aborts whatever the failed one left open) and rethrows. The failed one is closed in the
   * background: against a broker that is gone, a graceful close waits out its timeouts.
   */
  async function withProducer(step: (current: ReturnType<typeof newProducer>) => Promise<void>): Promise<void> {
    try {
      await step(producer);
    } catch (error) {
      const failed = producer;
      producer = newProducer(bootstrap, options.transactionalId);
      failed.close().catch(() => {});
      throw error;
    }
  }
  return {
    async committedSeq() {
      // Fence first: registering the transactional id (InitProducerId) aborts a transaction a dead relay left open
      // and waits out one it had asked to commit, so the position read next is final. Read before, a commit the
      // coordinator was still completing is not yet visible to read_committed, and its batch would go out twice.
      // The position records of the aborted transactions are skipped by the reader (read_committed; the fix of
      // patches/@platformatic+kafka+1.35.0.patch: without it, an aborted position was read as committed, a skip).
      await withProducer(async (current) => {
        const fence = await current.beginTransaction();
        await fence.cancel();
      });
      await createTopics(bootstrap, [options.offsetsTopic], { partitions: 1 });
      const reader = await consume(bootstrap, {
        topics: [options.offsetsTopic],
        groupId: `${options.transactionalId}-recovery-${process.pid}-${Date.now()}`,
        fromBeginning: true,
      });
      try {
        const [end = 0n] = await reader.endOffsets(options.offsetsTopic);
        if (end === 0n) return 0;
        let seq = 0;
        const reading = (async () => {
          for await (const event of reader) {
            if (event.key === positionKey) seq = Math.max(seq, Number((event.value as { seq?: unknown }).seq ?? 0));
          }
        })();
        reading.catch(() => {});
        const deadline = Date.now() + 30_000;
        while ((reader.positions(options.offsetsTopic).get(0) ?? 0n) < end) {
          if (Date.now() > deadline) throw new Error(`the relay's position on ${options.offsetsTopic} could not be read within 30 s`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return seq;
      } finally {
        await reader.close();
      }
    },
    async send(messages, seq) {
      await withProducer(async (current) => {
        const transaction = await current.beginTransaction();
        await transaction.send({
          messages: [
            ...messages.map((m) => ({ topic: m.topic, key: m.key, value: m.value as object, headers: new Map(Object.entries(m.headers)) })),
            { topic: options.offsetsTopic, key: positionKey, value: { seq }, headers: new Map<string, string>() },
          ],
        });
        await transaction.commit();
      });
    },
    async close() {
      await producer.close();
    },
  };
}
