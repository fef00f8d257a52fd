import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pacticipants, as a Pact Broker knows them. */
export const participants = {
  consumer: 'td448-suite',
  /** The HTTP API behind the gateway. */
  httpProvider: 'td448-gateway',
  /** The domain events on Kafka; a pacticipant of its own, since its verification reads Kafka, not HTTP. */
  eventProvider: 'td448-events',
} as const;

export type PactKind = 'http' | 'events';

export const providerOf = (kind: PactKind) => (kind === 'http' ? participants.httpProvider : participants.eventProvider);

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Generated, git-ignored: the assembled pacts, one per provider, and the per-row parts they are assembled from. */
export const pactDir = join(projectRoot, 'reports', 'output', 'pacts');

export const pactFileName = (kind: PactKind) => `${participants.consumer}-${providerOf(kind)}.json`;
export const pactFile = (kind: PactKind) => join(pactDir, pactFileName(kind));

/** One pact per row and kind: the consumer test of a row writes it, the provider test of that row verifies it. */
export const rowPactDir = (kind: PactKind, row: number) => join(pactDir, 'rows', kind, `row-${String(row).padStart(3, '0')}`);
export const rowPactFile = (kind: PactKind, row: number) => join(rowPactDir(kind, row), pactFileName(kind));

/** Quiet by default; PACT_LOG_LEVEL=debug shows the mock server's and the verifier's own logs. */
export const pactLogLevel = (process.env.PACT_LOG_LEVEL ?? 'error') as 'trace' | 'debug' | 'info' | 'warn' | 'error';

process.env.PACT_DO_NOT_TRACK ??= 'true';
