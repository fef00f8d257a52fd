// Thin helpers over @platformatic/kafka: JSON values, string keys and headers, bounded sends.
import {
  Admin,
  Consumer,
  compatibilityPartitioner,
  type Message,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringDeserializer,
  stringSerializer,
} from '@platformatic/kafka';

export type KafkaEvent = {
  topic: string;
  partition: number;
  key: string | undefined;
  /** The value parsed as JSON. */
  value: unknown;
  headers: Record<string, string>;
  offset: bigint;
  timestamp: bigint;
};

export type SendResult = { topic: string; partition: number; offset: bigint };

export type EventProducer = {
  /** Resolves once the broker has the event (acks=all); rejects within `sendTimeoutMs` otherwise. */
  send(topic: string, key: string, value: object, headers?: Record<string, string>): Promise<SendResult>;
  close(): Promise<void>;
};

export type EventConsumer = AsyncIterable<KafkaEvent> & { close(): Promise<void> };

export type ConsumeOptions = {
  topics: string[];
  groupId: string;
  /** Where a group with no committed offset starts: the oldest event (true) or only new ones (false). */
  fromBeginning: boolean;
  clientId?: string;
};

export class KafkaSendError extends Error {
  override name = 'KafkaSendError';
}

const defaultSendTimeoutMs = 10_000;

function parseBootstrap(bootstrap: string): string[] {
  return bootstrap
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

/** The innermost messages of nested AggregateErrors and causes, e.g. `connect ECONNREFUSED 127.0.0.1:9092`. */
function rootCauses(error: unknown, found = new Set<string>()): Set<string> {
  if (!(error instanceof Error)) {
    found.add(String(error));
    return found;
  }
  const nested = [...(error instanceof AggregateError ? error.errors : []), ...(error.cause ? [error.cause] : [])];
  if (nested.length === 0) found.add(error.message);
  for (const inner of nested) rootCauses(inner, found);
  return found;
}

/** Waits for `promise`, or rejects with `error()` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createProducer(bootstrap: string, clientId: string, options: { sendTimeoutMs?: number } = {}): EventProducer {
  const sendTimeoutMs = options.sendTimeoutMs ?? defaultSendTimeoutMs;
  const producer = new Producer({
    clientId,
    bootstrapBrokers: parseBootstrap(bootstrap),
    serializers: {
      key: stringSerializer,
      value: (value?: object) => (value === undefined ? undefined : Buffer.from(JSON.stringify(value))),
      headerKey: stringSerializer,
      headerValue: stringSerializer,
    },
    acks: ProduceAcks.ALL,
    // murmur2 masked as the Java client does: the same key lands on the same partition from either.
    // (The library default reads the hash unsigned: other partitions for about half of the keys
    // whenever the partition count is not a power of two, e.g. the broker default of 3 here.)
    partitioner: compatibilityPartitioner,
    autocreateTopics: true,
    // Short network timeouts and few retries, so that an unreachable broker surfaces as an error
    // the caller can retry (a transactional outbox does), instead of a long stall.
    connectTimeout: 2_000,
    requestTimeout: 5_000, // client side; the library's default is 30 s
    timeout: 5_000, // how long the broker may wait for acks
    retries: 2,
    retryDelay: 500,
  });

  return {
    async send(topic, key, value, headers = {}) {
      const sending = producer.send({
        messages: [{ topic, key, value, headers: new Map(Object.entries(headers)) }],
      });
      sending.catch(() => {}); // may reject after the deadline below has already answered
      const describe = `Kafka send to topic '${topic}' (key '${key}') via ${bootstrap}`;
      try {
        const result = await within(
          sending,
          sendTimeoutMs,
          () => new KafkaSendError(`${describe} did not complete within ${sendTimeoutMs} ms`),
        );
        const written = result.offsets?.find((entry) => entry.topic === topic);
        if (!written) throw new KafkaSendError(`${describe} returned no offset`);
        return { topic, partition: written.partition, offset: written.offset };
      } catch (error) {
        if (error instanceof KafkaSendError) throw error;
        const causes = [...rootCauses(error)].join('; ');
        throw new KafkaSendError(`${describe} failed: ${(error as Error).message} (${causes})`, { cause: error });
      }
    },
    async close() {
      await producer.close();
    },
  };
}

/** Creates the topics that do not exist yet (3 partitions, replication factor 1). */
export async function createTopics(bootstrap: string, topics: string[], options: { partitions?: number } = {}) {
  const admin = new Admin({ clientId: 'td448-topics', bootstrapBrokers: parseBootstrap(bootstrap) });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({ topics: missing, partitions: options.partitions ?? 3, replicas: 1 });
    } catch (error) {
      // Someone else may have created them in between: fine as long as they exist now.
      const now = new Set(await admin.listTopics());
      if (!missing.every((topic) => now.has(topic))) throw error;
    }
  } finally {
    await admin.close();
  }
}

function toEvent(message: Message<string, string, string, string>): KafkaEvent {
  let value: unknown;
  try {
    value = message.value === undefined ? undefined : JSON.parse(message.value);
  } catch (error) {
    throw new Error(`Kafka event on ${message.topic}[${message.partition}]@${message.offset} is not JSON: ${(error as Error).message}`);
  }
  return {
    topic: message.topic,
    partition: message.partition,
    key: message.key ?? undefined,
    value,
    headers: Object.fromEntries(message.headers),
    offset: message.offset,
    timestamp: message.timestamp,
  };
}

type PositionedStream = {
  on(event: 'offsets', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
};

/**
 * Waits until the stream knows where to read each assigned partition from. The library resolves
 * `consume()` before that, and an event sent in between is skipped by a group starting at the end.
 */
function positioned(stream: PositionedStream, hasAssignments: () => boolean, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolvePositioned, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      stream.removeListener('offsets', onOffsets);
      stream.removeListener('error', done);
      if (error) reject(error);
      else resolvePositioned();
    };
    const onOffsets = () => {
      if (hasAssignments()) done();
    };
    const timer = setTimeout(() => done(new Error(`Kafka consumer got no partitions assigned within ${timeoutMs} ms`)), timeoutMs);
    stream.on('offsets', onOffsets);
    stream.on('error', done);
  });
}

/** Joins the consumer group and subscribes; iterate the result for events, close it when done. */
export async function consume(bootstrap: string, options: ConsumeOptions): Promise<EventConsumer> {
  const consumer = new Consumer({
    clientId: options.clientId ?? `${options.groupId}-consumer`,
    groupId: options.groupId,
    bootstrapBrokers: parseBootstrap(bootstrap),
    deserializers: {
      key: stringDeserializer,
      value: stringDeserializer,
      headerKey: stringDeserializer,
      headerValue: stringDeserializer,
    },
    autocreateTopics: true,
    maxWaitTime: 500,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  let stream: Awaited<ReturnType<typeof consumer.consume>>;
  try {
    stream = await consumer.consume({
      topics: options.topics,
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: options.fromBeginning ? MessagesStreamFallbackModes.EARLIEST : MessagesStreamFallbackModes.LATEST,
    });
  } catch (error) {
    await consumer.close().catch(() => {});
    throw error;
  }
  try {
    await positioned(stream, () => (consumer.assignments?.length ?? 0) > 0);
  } catch (error) {
    await stream.close().catch(() => {});
    await consumer.close().catch(() => {});
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await stream.close();
      await consumer.close();
    })();
    return closing;
  };

  return {
    async *[Symbol.asyncIterator]() {
      for await (const message of stream as AsyncIterable<Message<string, string, string, string>>) {
        yield toEvent(message);
      }
    },
    close,
  };
}
