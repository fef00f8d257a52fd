import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { Catalog } from '../fixtures/catalog/model.ts';
import { createProducer } from '../fixtures/kafka/client.ts';
import { TargetProfile } from '../fixtures/profile/profile.ts';
import { createTokenVerifier } from './auth/verify-token.ts';
import { maxRetries, relayPositionsTopic, topics } from './conventions.ts';
import { Defect } from './defects.ts';
import { buildGateway } from './gateway/app.ts';
import { RateLimiter } from './gateway/rate-limit.ts';
import { cacheVerifiedTokens } from './gateway/token-cache.ts';
import { createTransactionalSink } from './kafka/transactional-sink.ts';
import { Database } from './storage/database.ts';
import { Outbox, OutboxRelay } from './storage/outbox.ts';
import { RecordStore } from './storage/records.ts';
import { TransactionLog } from './storage/transaction-log.ts';

/**
 * Everything the service needs to start, as data: what the stack hands it in process, or writes to
 * `<dataDir>/service.json` for the service's own process (`service-process.ts`), which reads it again
 * at every restart on the same database and port.
 */
export const ServiceConfig = z.strictObject({
  catalog: Catalog,
  profile: TargetProfile,
  /** SQLite (`td448.sqlite`) and the transaction-log file live here. */
  dataDir: z.string().min(1),
  /** The port to listen on (127.0.0.1); 0 for any free one. */
  port: z.number().int().min(0).max(65535),
  kafkaBootstrap: z.string().min(1),
  issuer: z.string().min(1),
  jwksUrl: z.url(),
  audience: z.string().min(1),
  downstreamUrl: z.url(),
  /** Requests per minute per client on the rate-limited operations. */
  rateLimitPerMinute: z.number().int().positive(),
  faultInjection: z.boolean(),
  defects: z.array(Defect),
  /**
   * How the outbox relay publishes: `transactional` sends each batch with its outbox position in one Kafka
   * transaction and reads the position back at start (exactly once for read_committed consumers, across
   * crashes); `at-least-once` marks a batch published after the broker's acknowledgement (a crash in between
   * sends it again, under the same CloudEvents ids).
   */
  relay: z.enum(['transactional', 'at-least-once']).default('transactional'),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

/** The running service: the gateway, its database and the outbox relay. */
export interface Service {
  /** The API's base URL, `http://127.0.0.1:<port>`. */
  url: string;
  transactionLogFile: string;
  /** Pending outbox messages: 0 once every event has reached Kafka. */
  pendingEvents(): number;
  /** Stops the gateway, drains nothing more, closes the database (the outbox keeps what is pending). */
  stop(): Promise<void>;
}

/** The line the service's own process prints once it listens, followed by its URL. */
export const serviceReadyPrefix = 'SERVICE READY ';

/** The SQLite file of a service's data dir: what a restart opens again. */
export const databaseFile = (dataDir: string) => join(dataDir, 'td448.sqlite');

/**
 * Starts the reference implementation's service: SQLite (WAL), the transactional outbox and its relay
 * to Kafka, the transaction log, and the gateway answering the profile's wire conventions on
 * 127.0.0.1:`config.port`. Opening an existing data dir resumes it: the relay publishes what the
 * outbox still owes. Throws when the port is taken or the database cannot be opened.
 */
export async function startService(config: ServiceConfig, options: { onRelayError?: (error: unknown) => void } = {}): Promise<Service> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const defects = new Set(config.defects);
    const database = new Database(databaseFile(config.dataDir));
    stops.push(async () => database.close());
    const outbox = new Outbox(database);
    let relay: OutboxRelay | undefined;
    const transactionLog = new TransactionLog(database, outbox, join(config.dataDir, 'transaction-log.jsonl'), {
      auditTopic: topics.audit,
      convention: config.profile.transactionLog,
      onWrite: () => relay?.notify(),
    });
    stops.push(async () => transactionLog.flush());
    const producer = createProducer(config.kafkaBootstrap, 'td448-outbox-relay');
    // One transactional id per database: stable across the service's restarts, apart from another stack's on the same broker.
    const transactionalId = `td448-outbox-relay-${createHash('sha256').update(resolve(config.dataDir)).digest('hex').slice(0, 16)}`;
    const transactional =
      config.relay === 'transactional'
        ? createTransactionalSink(config.kafkaBootstrap, { transactionalId, offsetsTopic: relayPositionsTopic })
        : undefined;
    const started = new OutboxRelay(
      outbox,
      transactional ?? {
        send: async (messages) =>
          void (await Promise.all(messages.map((m) => producer.send(m.topic, m.key, m.value as object, m.headers)))),
      },
      { onError: options.onRelayError ?? (() => {}), dropOnFailure: defects.has('relay-drops-on-failure') },
    );
    relay = started;
    started.start();
    stops.push(async () => {
      await started.stop();
      await producer.close();
      await transactional?.close();
    });

    const gateway = buildGateway({
      catalog: config.catalog,
      profile: config.profile,
      eventsTopic: topics.events,
      database,
      records: new RecordStore(database),
      outbox,
      transactionLog,
      verifier: cacheVerifiedTokens(
        createTokenVerifier({
          issuer: config.issuer,
          jwksUrl: config.jwksUrl,
          audience: config.audience,
          clockToleranceSeconds: config.profile.oauth.leewaySeconds,
        }),
      ),
      rateLimiter: new RateLimiter(config.rateLimitPerMinute, 60_000, undefined, defects.has('rate-limit-window-of-30s') ? 30_000 : 60_000),
      downstreamUrl: config.downstreamUrl,
      retryPolicy: { maxRetries: defects.has('retry-twice') ? 2 : maxRetries, baseDelayMs: 10, maxDelayMs: 80 },
      faultInjection: config.faultInjection,
      onCommit: () => started.notify(),
      defects,
      publishDirectly: async (m) => void (await producer.send(m.topic, m.key, m.value as object, m.headers)),
    });
    const url = await gateway.listen({ host: '127.0.0.1', port: config.port });
    stops.push(() => gateway.close());
    return { url, transactionLogFile: transactionLog.file, pendingEvents: () => outbox.pendingCount(), stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
