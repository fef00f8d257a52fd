import { logEntriesOf, readLogEntry } from '../fixtures/profile/log-entries.ts';
import type { TargetProfile } from '../fixtures/profile/profile.ts';
import { TransactionLogEntry } from '../fixtures/schemas/transaction-log.ts';
import type { CampaignPlan, ClientRole } from './plan.ts';

/** The log query answers at most this many entries, newest first. */
const pageLimit = 1000;
const windowMs = 60_000;

/**
 * Collects a run's transaction-log entries for some clients through the log query port while the
 * campaign runs: a query answers at most 1000 entries, newest first, so one query after a minute
 * of 1200 requests per client would miss the oldest. Polls every few seconds with overlapping
 * `since` and keeps only this run's request ids.
 */
export class LogCollector {
  readonly #queryUrl: string;
  readonly #authorization: () => Promise<string>;
  readonly #convention: TargetProfile['transactionLog'];
  readonly #clientIds: readonly string[];
  readonly #requestIdPrefix: string;
  readonly #entries = new Map<string, TransactionLogEntry>();
  readonly #startedAt: number;
  #lastPoll = 0;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> = Promise.resolve();
  truncated = false;
  errors: string[] = [];

  constructor(options: {
    queryUrl: string;
    /** The log reader's Authorization header value. */
    authorization: () => Promise<string>;
    /** The target's profile: how the log is queried and what its entries look like. */
    profile: TargetProfile;
    clientIds: readonly string[];
    runId: string;
    slug: string;
    startedAt?: number;
  }) {
    this.#queryUrl = options.queryUrl;
    this.#authorization = options.authorization;
    this.#convention = options.profile.transactionLog;
    this.#clientIds = options.clientIds;
    this.#requestIdPrefix = `td448-load-${options.runId}-${options.slug}-`;
    this.#startedAt = options.startedAt ?? Date.now();
  }

  get entries(): TransactionLogEntry[] {
    return [...this.#entries.values()];
  }

  start(intervalMs = 5000) {
    this.#timer = setInterval(() => {
      this.#polling = this.#polling.then(() => this.poll());
    }, intervalMs);
  }

  /** Stops polling, then polls until two rounds in a row find nothing new (a deployment's log may lag), at most `rounds` times. */
  async stop(rounds = 6, pauseMs = 1000): Promise<TransactionLogEntry[]> {
    clearInterval(this.#timer);
    await this.#polling;
    let quiet = 0;
    for (let round = 0; round < rounds && quiet < 2; round++) {
      const before = this.#entries.size;
      await this.poll();
      quiet = this.#entries.size === before ? quiet + 1 : 0;
      if (quiet < 2) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return this.entries;
  }

  async poll(): Promise<void> {
    const pollStarted = Date.now();
    // Overlap the previous poll generously: an entry's time is when the gateway answered, and a slow answer is logged late.
    // A minute's margin for a deployment whose clock differs from ours: older entries are not this run's and are dropped.
    const since = new Date(Math.max(this.#startedAt - 60_000, this.#lastPoll - 15_000)).toISOString();
    const authorization = await this.#authorization();
    const { clientParameter, sinceParameter, limitParameter } = this.#convention;
    if (clientParameter === null)
      throw new Error('the profile says the log cannot be queried by client (transactionLog.clientParameter: null)');
    for (const clientId of this.#clientIds) {
      const url = `${this.#queryUrl}?${new URLSearchParams({ [clientParameter]: clientId, [sinceParameter]: since, [limitParameter]: String(pageLimit) })}`;
      try {
        const response = await fetch(url, { headers: { authorization, accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new Error(`${response.status} ${(await response.text()).slice(0, 200)}`);
        const page = logEntriesOf(this.#convention, await response.json());
        if (!page)
          throw new Error(`the answer has no list of entries at ${JSON.stringify(this.#convention.entries)} (transactionLog.entries)`);
        const entries = page.map((raw) => TransactionLogEntry.parse(readLogEntry(this.#convention, raw)));
        // A full page (newest first) may have cut off older entries of this run: only if its oldest is still ours.
        if (entries.length >= pageLimit && entries.at(-1)?.requestId.startsWith(this.#requestIdPrefix)) this.truncated = true;
        for (const entry of entries) if (entry.requestId.startsWith(this.#requestIdPrefix)) this.#entries.set(entry.requestId, entry);
      } catch (error) {
        this.errors.push(`log query for ${clientId} failed: ${(error as Error).message}`);
      }
    }
    this.#lastPoll = pollStarted;
  }
}

export interface ClientAudit {
  clientId: string;
  role: ClientRole;
  /** Requests of this client to operations carrying the rate limit, as the log recorded them. */
  logged: number;
  reachedDownstream: number;
  rateLimited: number;
  /** Rate-limited entries that nevertheless show a downstream attempt: must be 0. */
  rateLimitedButReached: number;
  windows: number;
  /** The most requests that reached the downstream within one window. */
  reachedInBusiestWindow: number;
  /** What the client itself counted, to compare with the log (a request with no answer may be in the log either way). */
  observed: Observed;
  problems: string[];
}

export interface Observed {
  allowed: number;
  limited: number;
  noAnswer: number;
}

export interface LogAudit {
  status: 'passed' | 'failed' | 'broken';
  clients: ClientAudit[];
  message: string;
}

/**
 * The log's account of the rate limit, per client: no rate-limited request reached the downstream,
 * at most the limit per window did, and the log agrees with what the client saw.
 */
export function auditRateLimit(
  plan: CampaignPlan,
  entries: readonly TransactionLogEntry[],
  observed: ReadonlyMap<string, Observed>,
  collection: { truncated: boolean; errors: readonly string[] } = { truncated: false, errors: [] },
): LogAudit {
  const limitedOperations = new Set(
    Object.values(plan.operations)
      .filter((operation) => operation.notes.includes('rate-limit'))
      .map((operation) => operation.id),
  );
  const clients = plan.clients.map((client): ClientAudit => {
    const mine = entries
      .filter((entry) => entry.clientId === client.clientId && limitedOperations.has(`${entry.method} ${entry.endpoint} ${entry.action}`))
      .sort((a, b) => a.time.localeCompare(b.time));
    const windows: number[] = [];
    let windowStart = Number.NEGATIVE_INFINITY;
    for (const entry of mine) {
      const at = Date.parse(entry.time);
      if (at >= windowStart + windowMs) {
        windowStart = at;
        windows.push(0);
      }
      if (entry.attempts > 0) windows[windows.length - 1] = (windows.at(-1) ?? 0) + 1;
    }
    const seen = observed.get(client.clientId) ?? { allowed: 0, limited: 0, noAnswer: 0 };
    const audit: ClientAudit = {
      clientId: client.clientId,
      role: client.role,
      logged: mine.length,
      reachedDownstream: mine.filter((entry) => entry.attempts > 0).length,
      rateLimited: mine.filter((entry) => entry.outcome === 'rate-limited').length,
      rateLimitedButReached: mine.filter((entry) => entry.outcome === 'rate-limited' && entry.attempts > 0).length,
      windows: windows.length,
      reachedInBusiestWindow: Math.max(0, ...windows),
      observed: seen,
      problems: [],
    };
    if (audit.rateLimitedButReached > 0)
      audit.problems.push(`${audit.rateLimitedButReached} rate-limited requests still reached the downstream`);
    if (audit.reachedInBusiestWindow > plan.rateLimitPerMinute) {
      audit.problems.push(
        `${audit.reachedInBusiestWindow} requests reached the downstream within one window; the limit is ${plan.rateLimitPerMinute}`,
      );
    }
    if (client.role === 'over-limit' && audit.reachedInBusiestWindow < plan.rateLimitPerMinute) {
      audit.problems.push(
        `only ${audit.reachedInBusiestWindow} requests reached the downstream in a window, below the limit of ${plan.rateLimitPerMinute}`,
      );
    }
    if (client.role === 'under-limit' && audit.rateLimited > 0)
      audit.problems.push(`${audit.rateLimited} requests were rate-limited under the limit`);
    const within = (logged: number, seenCount: number) => logged >= seenCount && logged <= seenCount + seen.noAnswer;
    if (
      !within(audit.reachedDownstream, seen.allowed) ||
      !within(audit.rateLimited, seen.limited) ||
      audit.logged > seen.allowed + seen.limited + seen.noAnswer
    ) {
      audit.problems.push(
        `the log (${audit.reachedDownstream} reached, ${audit.rateLimited} rate-limited) disagrees with the client (${seen.allowed} allowed, ${seen.limited} × 429, ${seen.noAnswer} unanswered)`,
      );
    }
    return audit;
  });
  const problems = clients.flatMap((client) => client.problems.map((problem) => `${client.clientId}: ${problem}`));
  if (collection.truncated || collection.errors.length > 0) {
    return {
      status: 'broken',
      clients,
      message: [
        ...(collection.truncated ? ['a log query returned its 1000-entry maximum: entries may be missing, poll more often'] : []),
        ...collection.errors.slice(0, 5),
        ...problems,
      ].join('\n'),
    };
  }
  return {
    status: problems.length === 0 ? 'passed' : 'failed',
    clients,
    message:
      problems.length === 0 ? 'the log shows every client held to the limit, and agrees with what the clients saw' : problems.join('\n'),
  };
}
