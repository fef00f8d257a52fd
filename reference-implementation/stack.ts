import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import type { Catalog } from '../fixtures/catalog/model.ts';
import { createTopics } from '../fixtures/kafka/client.ts';
import type { TargetProfile } from '../fixtures/profile/profile.ts';
import { TargetDescription } from '../fixtures/schemas/target.ts';
import { startAuthorizationServer } from './auth/authorization-server.ts';
import { profileReference, rateLimitPerMinute, servedProfile, topics } from './conventions.ts';
import type { Defect } from './defects.ts';
import { startDownstreamBackend } from './downstream/backend.ts';
import { transactionLogPath } from './gateway/transaction-log-route.ts';
import { type KafkaBroker, startKafkaBroker } from './kafka/broker.ts';
import { type Cuttable, startFaultApi } from './kafka/fault-api.ts';
import { type ServiceConfig, startService } from './service.ts';
import { superviseService } from './service-supervisor.ts';

/** How to start the stack; every option has the embedded stack's default. */
export interface StackOptions {
  catalog?: Catalog;
  /**
   * The wire conventions to serve (fixtures/profile/profile.ts): a profile, or a built-in name or
   * profile file resolved against the working directory. The reference profile by default.
   */
  profile?: TargetProfile | string;
  /** Honour the profile's fault-injection headers. The embedded stack turns it on; a deployment never should. */
  faultInjection?: boolean;
  /** Kept after stop when given; a temp dir removed on stop otherwise. */
  dataDir?: string;
  /** Requests per minute per client on rate-limited operations (the catalog says 1000). */
  rateLimitPerMinute?: number;
  /** An existing broker instead of starting one. */
  kafkaBootstrap?: string;
  onRelayError?: (error: unknown) => void;
  /** Planted defects, to prove the suite can fail; none by default. */
  defects?: Iterable<Defect>;
  /**
   * Run the service (gateway, SQLite, outbox relay) in a process of its own, restarted on the same database
   * and port whenever it dies: the target description then names a crash command (`crash`) that kills it
   * with SIGKILL, for the crash-under-load check. In this process by default. Relay errors go to stderr.
   */
  crashable?: boolean;
  /** How the outbox relay publishes (ServiceConfig.relay): transactional, exactly once, by default. */
  relay?: ServiceConfig['relay'];
}

/** A running stack: the target description the suites read, and how to stop it. */
export interface Stack {
  target: TargetDescription;
  /** The profile served, resolved. */
  profile: TargetProfile;
  dataDir: string;
  transactionLogFile: string;
  /** Pending outbox messages: 0 once every event has reached Kafka. */
  pendingEvents(): number;
  stop(): Promise<void>;
}

const audience = 'https://api.td448.local';
/** The name of the broker in the fault API, as a Toxiproxy in front of a deployment's Kafka names its proxy. */
const kafkaProxyName = 'kafka';

/**
 * Starts Kafka, the authorization server, the downstream backend and the gateway, each on free ports
 * of 127.0.0.1, serving the profile's conventions (the reference profile's by default).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const catalog = options.catalog ?? loadCatalog();
  const profile = servedProfile(options.profile);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'td448-stack-')));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const brokerOptions = { dataDir: join(dataDir, 'kafka'), logDir: dataDir };
    const [firstBroker, auth, downstream] = await Promise.all([
      options.kafkaBootstrap ? undefined : startKafkaBroker(brokerOptions),
      startAuthorizationServer({ audience, catalog, profile }),
      startDownstreamBackend(),
    ]);
    // The broker can be cut and restored (the fault API, test mode): stop whichever runs at the end.
    let broker: KafkaBroker | undefined = firstBroker;
    if (firstBroker) stops.push(async () => broker?.stop());
    stops.push(
      () => auth.stop(),
      () => downstream.stop(),
    );
    const kafkaBootstrap = options.kafkaBootstrap ?? (broker as { bootstrap: string }).bootstrap;
    await createTopics(kafkaBootstrap, [topics.events, topics.audit], { partitions: 3 });

    const serviceConfig: ServiceConfig = {
      catalog,
      profile,
      dataDir,
      port: 0,
      kafkaBootstrap,
      issuer: auth.issuer,
      jwksUrl: auth.jwksUrl,
      audience,
      downstreamUrl: downstream.url,
      rateLimitPerMinute: options.rateLimitPerMinute ?? rateLimitPerMinute,
      faultInjection: options.faultInjection ?? true,
      defects: [...new Set(options.defects ?? [])],
      relay: options.relay ?? 'transactional',
    };
    const service = options.crashable
      ? await superviseService(serviceConfig)
      : await startService(serviceConfig, options.onRelayError ? { onRelayError: options.onRelayError } : {});
    stops.push(() => service.stop());
    const apiBaseUrl = service.url;

    // Test mode: the broker can be taken away and given back through a Toxiproxy-shaped fault API (@resilience).
    let faultApi: { url: string } | undefined;
    if (firstBroker && (options.faultInjection ?? true)) {
      const kafka: Cuttable = {
        address: firstBroker.bootstrap,
        get enabled() {
          return broker !== undefined;
        },
        async cut() {
          const running = broker;
          broker = undefined;
          await running?.stop();
        },
        async restore() {
          broker ??= await startKafkaBroker(brokerOptions);
        },
      };
      const api = await startFaultApi({ [kafkaProxyName]: kafka });
      stops.push(() => api.close());
      faultApi = api;
    }

    const target = TargetDescription.parse({
      name: 'embedded reference implementation',
      profile: profileReference(profile),
      apiBaseUrl,
      tokenUrl: auth.tokenUrl,
      issuer: auth.issuer,
      jwksUrl: auth.jwksUrl,
      audience,
      otherAudience: auth.otherAudience,
      kafkaBootstrap,
      topics: { ...topics },
      logQueryUrl: `${apiBaseUrl}${transactionLogPath}`,
      // Honoured only when the profile names fault-injection headers at all.
      faultInjection: (options.faultInjection ?? true) && profile.faultInjection !== false,
      ...((options.faultInjection ?? true) ? { testStateUrl: `${apiBaseUrl}/_test/records` } : {}),
      ...(faultApi ? { toxiproxy: { url: faultApi.url, kafkaProxy: kafkaProxyName } } : {}),
      ...('pidFile' in service ? { crash: { command: `kill -KILL "$(cat '${service.pidFile}')"` } } : {}),
      clients: auth.clients,
    });
    return {
      target,
      profile,
      dataDir,
      transactionLogFile: service.transactionLogFile,
      pendingEvents: () => service.pendingEvents(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
