/**
 * The account of the crash-under-load check: what the target acknowledged before it was killed, what it
 * holds after its restart, and what its outbox delivered. Pure: no I/O, so that the account is tested on its
 * own (resilience/crash-account.spec.ts) and the check only sends, reads and prints.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ActionKey } from '../fixtures/catalog/vocabulary.ts';

/**
 * How a request ended: `acknowledged` (the operation's success status), `refused` (any other answer: the
 * target says nothing was done) or `cut-off` (no answer: the connection died with the service, the operation
 * may or may not have been done).
 */
export type StepOutcome = 'acknowledged' | 'refused' | 'cut-off';

/** One request of a record's chain, as the check sent it. */
export interface CrashStep {
  requestId: string;
  action: ActionKey;
  /** The catalog promises a Kafka event for the operation (column "Kết quả"). */
  expectsEvent: boolean;
  outcome: StepOutcome;
  /** What the step writes: the record's fields (create), its configuration (update-config). */
  wrote?: Record<string, unknown>;
}

/** One record: its chain's steps in the order sent (a chain stops at its first step not acknowledged), and its state after the restart. */
export interface CrashRecord {
  endpoint: string;
  id: string;
  steps: CrashStep[];
  /** The record read back after the restart; undefined when the target says it does not exist (404). */
  after: unknown;
}

/** An event read back from the events topic for a request of the check. */
export interface CrashEvent {
  requestId: string;
  /** CloudEvents `id`: one event redelivered keeps it (at-least-once relays do after a crash). */
  eventId: string;
}

/** What the crash check prints and judges; the lists name `endpoint id: why`. */
export interface CrashAccount {
  /** Writes (create, update-config, delete) the target acknowledged. */
  acknowledgedWrites: number;
  /** Of those, the ones whose effect the state after the restart shows. */
  found: number;
  /** Acknowledged writes whose effect is gone after the restart. */
  lost: string[];
  /** Half-done operations: a record that is there without the fields it was created with, or an operation cut off by the kill whose write and event disagree (one done, the other not). */
  torn: string[];
  /** Requests cut off by the kill (no answer). */
  cutOff: number;
  /** Of those, the ones the state shows done (committed before the kill, answer lost). */
  cutOffDone: number;
  /** Events the outbox owes: every acknowledged operation that promises one, and every cut-off one that was done with its event (one done without it is torn). */
  eventsOwed: number;
  /** Of those, how many arrived. */
  delivered: number;
  /** Owed events that never came. */
  eventsLost: string[];
  /** Two or more distinct CloudEvents ids for one operation: a consumer would act twice. */
  duplicated: number;
  /** The same CloudEvents id seen more than once: a redelivery, which consumers drop by id (CloudEvents `source` + `id`). */
  redelivered: number;
  /** Events of operations the target refused: something was emitted for nothing done. */
  emittedForNothing: string[];
}

const writes: readonly ActionKey[] = ['create', 'update-config', 'delete'];

/** Whether `value` holds every member of `fields` with equal values, at its top level or in an object nested in it. */
export function holds(value: unknown, fields: Record<string, unknown>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Record<string, unknown>;
  if (Object.entries(fields).every(([key, expected]) => isDeepStrictEqual(object[key], expected))) return true;
  return Object.values(object).some((member) => holds(member, fields));
}

/** Whether the state after the restart shows the step done (undefined for a read, which leaves no trace in state). */
function shows(step: CrashStep, after: unknown): boolean | undefined {
  switch (step.action) {
    case 'create':
      return after !== undefined;
    case 'delete':
      return after === undefined;
    case 'update-config':
      return after !== undefined && step.wrote !== undefined && holds(after, step.wrote);
    default:
      return undefined;
  }
}

/**
 * Judges the records of a crash: every acknowledged write is in the state after the restart (lost 0), whole
 * (the fields it was created with), and the one step cut off per chain is all or nothing, its write and its
 * event agreeing (torn 0); every event owed arrived (lost 0), once per operation (duplicated 0), nothing
 * emitted for a refused request. A later acknowledged step explains an earlier one's trace: a create
 * followed by an acknowledged delete is found when the record is gone.
 */
export function accountCrash(records: readonly CrashRecord[], events: readonly CrashEvent[]): CrashAccount {
  const byRequest = new Map<string, CrashEvent[]>();
  for (const event of events) byRequest.set(event.requestId, [...(byRequest.get(event.requestId) ?? []), event]);
  const account: CrashAccount = {
    acknowledgedWrites: 0,
    found: 0,
    lost: [],
    torn: [],
    cutOff: 0,
    cutOffDone: 0,
    eventsOwed: 0,
    delivered: 0,
    eventsLost: [],
    duplicated: 0,
    redelivered: 0,
    emittedForNothing: [],
  };
  const owe = (record: CrashRecord, step: CrashStep) => {
    account.eventsOwed++;
    const mine = byRequest.get(step.requestId) ?? [];
    if (mine.length === 0) {
      account.eventsLost.push(`${record.endpoint} ${record.id}: no event of ${step.action} ${step.requestId}`);
      return;
    }
    account.delivered++;
    const ids = new Set(mine.map((event) => event.eventId));
    account.duplicated += ids.size - 1;
    account.redelivered += mine.length - ids.size;
  };
  for (const record of records) {
    const acknowledged = record.steps.filter((step) => step.outcome === 'acknowledged');
    // Deleted by an acknowledged delete, or by one cut off after it was done: either explains the record's absence.
    const deleted = record.steps.some(
      (step) => step.action === 'delete' && (step.outcome === 'acknowledged' || (step.outcome === 'cut-off' && record.after === undefined)),
    );
    for (const step of acknowledged) {
      if (step.expectsEvent) owe(record, step);
      if (!writes.includes(step.action)) continue;
      account.acknowledgedWrites++;
      // A create or update-config is explained away by a delete after it.
      const done = step.action !== 'delete' && deleted ? true : shows(step, record.after);
      if (done) account.found++;
      else account.lost.push(`${record.endpoint} ${record.id}: ${step.action} ${step.requestId} acknowledged, not there after the restart`);
    }
    const created = record.steps.find((step) => step.action === 'create' && step.outcome !== 'refused');
    if (record.after !== undefined && created?.wrote && !holds(record.after, created.wrote))
      account.torn.push(`${record.endpoint} ${record.id}: the record is there without the fields it was created with`);
    for (const step of record.steps) {
      if (step.outcome === 'refused' && (byRequest.get(step.requestId) ?? []).length > 0)
        account.emittedForNothing.push(`${record.endpoint} ${record.id}: ${step.action} ${step.requestId} was refused, its event came`);
      if (step.outcome !== 'cut-off') continue;
      account.cutOff++;
      const evented = (byRequest.get(step.requestId) ?? []).length > 0;
      // A read leaves no state: its event alone says whether it was done.
      const done = shows(step, record.after) ?? evented;
      if (done) account.cutOffDone++;
      if (done && step.expectsEvent && !evented)
        account.torn.push(`${record.endpoint} ${record.id}: ${step.action} ${step.requestId} cut off, done, and its event never came`);
      else if (done && step.expectsEvent) owe(record, step);
      else if (!done && evented)
        account.torn.push(`${record.endpoint} ${record.id}: ${step.action} ${step.requestId} cut off, not done, yet its event came`);
    }
  }
  return account;
}
