import { randomUUID } from 'node:crypto';
import { consume, type EventConsumer, type KafkaEvent } from '../../fixtures/kafka/client.ts';
import { correlationOf, readEvent } from '../../fixtures/profile/events.ts';
import { logEntriesOf, readLogEntry } from '../../fixtures/profile/log-entries.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import type { ClientCredentials, ClientRole, TargetDescription } from '../../fixtures/schemas/target.ts';
import { type TransactionLogEntry, TransactionLogEntry as TransactionLogEntrySchema } from '../../fixtures/schemas/transaction-log.ts';

/**
 * The reference implementation's own tests reach it from outside only, through its ports, as the
 * profile it serves says: tokens by a plain client-credentials request (client_secret_basic or
 * client_secret_post), the transaction log through its query endpoint, domain events from Kafka.
 * Deliberately independent of the suites' clients and probes (fixtures/clients, fixtures/probes).
 */

export { urlOf } from '../../fixtures/profile/wire.ts';

/** An answer of the gateway as the tests read it. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  requestId: string;
  json<T = Record<string, unknown>>(): T;
}

/** A token endpoint's answer: the status and the parsed JSON body. */
export interface TokenAnswer {
  status: number;
  body: { access_token?: string; expires_in?: number; error?: string; error_description?: string };
}

/**
 * One client-credentials token request (RFC 6749 §4.4) by plain fetch: the client authenticates as
 * `method` says (HTTP Basic, or client_id and client_secret in the form body); `audience` is sent in
 * the profile's audience parameter.
 */
export async function requestToken(
  target: Pick<TargetDescription, 'tokenUrl' | 'issuer'>,
  profile: TargetProfile,
  client: Pick<ClientCredentials, 'clientId' | 'clientSecret'>,
  options: { audience?: string; method?: TargetProfile['oauth']['clientAuthentication'] } = {},
): Promise<TokenAnswer> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const audienceParameter = profile.oauth.audienceParameter;
  if (options.audience && audienceParameter) form.set(audienceParameter, options.audience);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if ((options.method ?? profile.oauth.clientAuthentication) === 'client_secret_basic') {
    headers.authorization = `Basic ${btoa(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`)}`;
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  const response = await fetch(target.tokenUrl ?? `${target.issuer}/token`, { method: 'POST', headers, body: form });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}

/** The target's clients found by role (never by name), and their tokens, cached per client and audience. */
export class Tokens {
  readonly #target: TargetDescription;
  readonly #profile: TargetProfile;
  readonly #cache = new Map<string, { token: string; until: number }>();

  constructor(target: TargetDescription, profile: TargetProfile) {
    this.#target = target;
    this.#profile = profile;
  }

  /** The `index`-th client with `role` (0-based). */
  byRole(role: ClientRole, index = 0): ClientCredentials {
    const client = this.#target.clients.filter((candidate) => candidate.roles.includes(role))[index];
    if (!client) throw new Error(`the target has no client #${index + 1} with role ${role}`);
    return client;
  }

  /** The client with this id. */
  client(clientId: string): ClientCredentials {
    const client = this.#target.clients.find((candidate) => candidate.clientId === clientId);
    if (!client) throw new Error(`the target has no client ${clientId}`);
    return client;
  }

  /** A fresh token of a client; throws when the token endpoint refuses. */
  async requestToken(clientId: string, options: { audience?: string } = {}): Promise<{ token: string; expiresIn: number }> {
    const answer = await requestToken(this.#target, this.#profile, this.client(clientId), options);
    if (answer.status !== 200 || !answer.body.access_token) {
      throw new Error(`token request of ${clientId} refused: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return { token: answer.body.access_token, expiresIn: answer.body.expires_in ?? 0 };
  }

  /** A token of a client, reused while it has more than 30 s to live. */
  async token(clientId: string): Promise<string> {
    const cached = this.#cache.get(clientId);
    if (cached && cached.until > Date.now() + 30_000) return cached.token;
    const { token, expiresIn } = await this.requestToken(clientId);
    this.#cache.set(clientId, { token, until: Date.now() + expiresIn * 1000 });
    return token;
  }

  /** `Bearer <token>` of a client. */
  async authorization(clientId: string): Promise<string> {
    return `Bearer ${await this.token(clientId)}`;
  }
}

/** Reads the transaction log through its query endpoint, with the profile's parameter, and maps entries back to the canonical shape. */
export class LogReader {
  readonly #target: TargetDescription;
  readonly #profile: TargetProfile;
  readonly #tokens: Tokens;

  constructor(target: TargetDescription, profile: TargetProfile, tokens: Tokens) {
    this.#target = target;
    this.#profile = profile;
    this.#tokens = tokens;
  }

  /** The query answer as the deployment wrote it. */
  async rawPage(query: Record<string, string>): Promise<unknown> {
    if (!this.#target.logQueryUrl) throw new Error('the target has no log query endpoint');
    const response = await fetch(`${this.#target.logQueryUrl}?${new URLSearchParams(query)}`, {
      headers: { authorization: await this.#tokens.authorization(this.#tokens.byRole('log-reader').clientId), accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`log query failed: ${response.status} ${await response.text()}`);
    return response.json();
  }

  /** The canonical entries of one request. */
  async entriesFor(requestId: string): Promise<TransactionLogEntry[]> {
    const convention = this.#profile.transactionLog;
    const entries = logEntriesOf(convention, await this.rawPage({ [convention.parameter]: requestId }));
    if (!entries) throw new Error(`the log answer has no entries at ${JSON.stringify(convention.entries)}`);
    return entries.map((entry) => TransactionLogEntrySchema.parse(readLogEntry(convention, entry)));
  }

  /** The entry of `requestId`, polled for up to `timeoutMs`. */
  async entryFor(requestId: string, timeoutMs = 3000): Promise<TransactionLogEntry | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const [entry] = await this.entriesFor(requestId);
      if (entry || Date.now() > deadline) return entry;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The domain events on the events topic from now on, indexed by the request id they are correlated to (in the profile's mode). */
export class EventProbe {
  readonly #consumer: EventConsumer;
  readonly #profile: TargetProfile;
  readonly #events = new Map<string, KafkaEvent[]>();
  readonly #pump: Promise<void>;

  private constructor(consumer: EventConsumer, profile: TargetProfile) {
    this.#consumer = consumer;
    this.#profile = profile;
    this.#pump = this.#run().catch(() => {});
  }

  async #run() {
    for await (const message of this.#consumer) {
      const requestId = correlationOf(this.#profile.events, message);
      if (requestId) this.#events.set(requestId, [...(this.#events.get(requestId) ?? []), message]);
    }
  }

  /** Starts consuming the target's events topic in a group of its own, from the newest offset. */
  static async start(target: TargetDescription, profile: TargetProfile): Promise<EventProbe> {
    const consumer = await consume(target.kafkaBootstrap, {
      topics: [target.topics.events],
      groupId: `ri-test-${randomUUID()}`,
      fromBeginning: false,
    });
    return new EventProbe(consumer, profile);
  }

  /** The messages correlated to `requestId` so far. */
  eventsFor(requestId: string): KafkaEvent[] {
    return this.#events.get(requestId) ?? [];
  }

  /** The canonical structured event of a message (fixtures/profile/events.ts readEvent). */
  canonical(message: KafkaEvent): Record<string, unknown> | undefined {
    return readEvent(this.#profile.events, message);
  }

  /** Waits up to `timeoutMs` for the first event of `requestId`, then `settleMs` more for duplicates. */
  async waitForEvents(requestId: string, timeoutMs = 10_000, settleMs = 150): Promise<KafkaEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.eventsFor(requestId).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    if (this.eventsFor(requestId).length > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    return this.eventsFor(requestId);
  }

  /** Stops consuming. */
  async close() {
    await this.#consumer.close();
    await this.#pump;
  }
}
