import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import type { Catalog } from '../../fixtures/catalog/model.ts';
import { KafkaProbe } from '../../fixtures/probes/kafka-probe.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { eventMessages } from '../interactions/event-messages.ts';
import { httpInteractions } from '../interactions/http-interactions.ts';
import { type PactKind, pactLogLevel, providerOf } from '../support/participants.ts';
import { contractProfile } from '../support/wire.ts';
import { messageProviders } from './message-providers.ts';
import { type PassThroughProxy, startPassThroughProxy } from './pass-through-proxy.ts';
import { type ProviderSession, providerSession } from './provider-session.ts';
import { type VerificationOutcome, verdictsOf } from './verification-outcome.ts';

export interface VerificationRequest {
  kind: PactKind;
  /** Pact files, directories or URLs. */
  pactUrls: string[];
  /** Another address for the HTTP API (a proxy in front of it); the target's own by default. */
  providerBaseUrl?: string;
  /** Broker options for a CI verification that publishes its results. */
  broker?: Pick<
    VerifierOptions,
    | 'pactBrokerUrl'
    | 'pactBrokerToken'
    | 'consumerVersionSelectors'
    | 'publishVerificationResult'
    | 'providerVersion'
    | 'providerVersionBranch'
    | 'enablePending'
  >;
}

/**
 * pact-js's verification proxy types a message after its `content-type` metadata. A CloudEvent's Kafka
 * header says `application/cloudevents+json` (structured mode), and the pact compares that header as
 * metadata; the message itself is the JSON document it is, so its HTTP hop to the verifier stays JSON.
 */
function keepMessagesJson(_request: unknown, response: { type: (type: string) => unknown }, next: () => void) {
  response.type = () => response;
  next();
}

export interface ProviderVerifier {
  verify(request: VerificationRequest): Promise<VerificationOutcome>;
  close(): Promise<void>;
}

/**
 * Verifies pacts against a target, in this process. The state handlers and message providers are
 * generated from the same catalog as the pacts; the Kafka probe starts with the first event pact.
 */
export function providerVerifier(target: TargetDescription, catalog: Catalog): ProviderVerifier {
  const session: ProviderSession = providerSession(target, catalog);
  const http = httpInteractions(catalog);
  const events = eventMessages(catalog);
  const stateHandlers = session.stateHandlers([
    ...http.flatMap((interaction) => interaction.states),
    ...events.flatMap((message) => message.states),
  ]);
  let probe: Promise<KafkaProbe> | undefined;
  const kafka = () => {
    probe ??= KafkaProbe.start({ ...target, topics: { events: target.topics.events } }, contractProfile);
    return probe;
  };
  const providers = messageProviders(events, session, kafka);
  /** Between the verifier and the provider: notes the records the interactions create, for the run's cleanup. */
  const recorders = new Map<string, Promise<PassThroughProxy>>();
  const recorded = (upstream: string) => {
    let proxy = recorders.get(upstream);
    if (!proxy) {
      proxy = startPassThroughProxy(upstream, (answer) => {
        session.noteCreated(answer);
        return undefined;
      });
      recorders.set(upstream, proxy);
    }
    return proxy;
  };

  return {
    async verify(request) {
      const started = performance.now();
      session.stateErrors.length = 0;
      const options: VerifierOptions = {
        provider: providerOf(request.kind),
        pactUrls: request.pactUrls,
        logLevel: pactLogLevel,
        stateHandlers,
        ...(request.kind === 'http'
          ? {
              providerBaseUrl: (await recorded(request.providerBaseUrl ?? target.apiBaseUrl)).url,
              requestFilter: session.requestFilter as VerifierOptions['requestFilter'],
            }
          : { messageProviders: providers, requestFilter: keepMessagesJson as VerifierOptions['requestFilter'] }),
        ...request.broker,
      };
      const outcome = (interactions: VerificationOutcome['interactions'], error?: string): VerificationOutcome => ({
        passed:
          error === undefined &&
          interactions.length > 0 &&
          interactions.every((verdict) => verdict.passed) &&
          session.stateErrors.length === 0,
        interactions,
        stateErrors: [...session.stateErrors],
        ...(error ? { error } : {}),
        durationMs: performance.now() - started,
      });
      try {
        return outcome(verdictsOf(await new Verifier(options).verifyProvider()));
      } catch (error) {
        const message = (error as Error).message;
        try {
          return outcome(verdictsOf(message));
        } catch {
          return outcome([], message);
        }
      }
    },
    async close() {
      if (probe) await (await probe).close();
      for (const proxy of recorders.values()) await (await proxy).close();
    },
  };
}
