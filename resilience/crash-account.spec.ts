import { expect, test } from '@playwright/test';
import { accountCrash, type CrashEvent, type CrashRecord, type CrashStep, holds } from './crash-account.ts';

const fields = { name: 'Ada', email: 'ada@example.org' };
const config = { retries: 3, region: 'eu' };
const create = (outcome: CrashStep['outcome'], requestId = 'c'): CrashStep => ({
  requestId,
  action: 'create',
  expectsEvent: true,
  outcome,
  wrote: fields,
});
const update = (outcome: CrashStep['outcome'], requestId = 'u'): CrashStep => ({
  requestId,
  action: 'update-config',
  expectsEvent: true,
  outcome,
  wrote: config,
});
const remove = (outcome: CrashStep['outcome'], requestId = 'd'): CrashStep => ({
  requestId,
  action: 'delete',
  expectsEvent: true,
  outcome,
});
const record = (steps: CrashStep[], after: unknown): CrashRecord => ({ endpoint: '/customer/update', id: 'r1', steps, after });
const events = (...requestIds: string[]): CrashEvent[] => requestIds.map((requestId) => ({ requestId, eventId: `e-${requestId}` }));
const stored = { id: 'r1', status: 'active', data: fields, config };

test('a crash that kept every acknowledged write whole and every event owed: nothing lost, nothing torn', () => {
  const account = accountCrash(
    [
      record([create('acknowledged'), update('acknowledged')], stored),
      record([create('acknowledged', 'c2'), remove('acknowledged', 'd2')], undefined),
    ],
    events('c', 'u', 'c2', 'd2'),
  );
  expect(account).toMatchObject({
    acknowledgedWrites: 4,
    found: 4,
    lost: [],
    torn: [],
    eventsOwed: 4,
    delivered: 4,
    eventsLost: [],
    duplicated: 0,
  });
});

test('an acknowledged write gone after the restart is lost; an acknowledged operation without its event is an event lost', () => {
  const account = accountCrash([record([create('acknowledged'), update('acknowledged')], { ...stored, config: {} })], events('c'));
  expect(account.lost).toEqual(['/customer/update r1: update-config u acknowledged, not there after the restart']);
  expect(account.eventsLost).toEqual(['/customer/update r1: no event of update-config u']);
});

test('a step cut off by the kill is all or nothing: done with its event, or neither; one without the other is torn', () => {
  // Done, event came: the answer was lost, nothing else (owed and delivered).
  const answerLost = accountCrash([record([create('acknowledged'), update('cut-off')], stored)], events('c', 'u'));
  expect(answerLost).toMatchObject({ torn: [], cutOff: 1, cutOffDone: 1, eventsOwed: 2, delivered: 2 });
  // Not done, no event: cut off before the write.
  expect(accountCrash([record([create('cut-off')], undefined)], []).torn).toEqual([]);
  // Done without its event: the record committed apart from its outbox row (commit-outbox-separately).
  expect(accountCrash([record([create('cut-off')], stored)], []).torn).toEqual([
    '/customer/update r1: create c cut off, done, and its event never came',
  ]);
  // Its event without the write.
  expect(accountCrash([record([create('cut-off')], undefined)], events('c')).torn).toEqual([
    '/customer/update r1: create c cut off, not done, yet its event came',
  ]);
});

test('a delete explains a record’s absence, acknowledged or cut off once done; a record without its fields is torn', () => {
  const cutDelete = accountCrash([record([create('acknowledged'), remove('cut-off')], undefined)], events('c', 'd'));
  expect(cutDelete).toMatchObject({ lost: [], torn: [], found: 1, cutOffDone: 1 });
  const halfRecord = accountCrash([record([create('acknowledged')], { id: 'r1', data: { name: 'Ada' } })], events('c'));
  expect(halfRecord.torn).toEqual(['/customer/update r1: the record is there without the fields it was created with']);
});

test('a redelivery keeps its CloudEvents id and is counted apart; two ids for one operation are a duplicate; an event of a refused request is emitted for nothing', () => {
  const account = accountCrash(
    [record([create('acknowledged'), update('refused')], { ...stored, config: {} })],
    [...events('c', 'c'), { requestId: 'c', eventId: 'other' }, ...events('u')],
  );
  expect(account).toMatchObject({
    redelivered: 1,
    duplicated: 1,
    emittedForNothing: ['/customer/update r1: update-config u was refused, its event came'],
  });
});

test('holds: every member at the top level or in an object nested in the record', () => {
  expect(holds(stored, fields)).toBe(true);
  expect(holds(stored, config)).toBe(true);
  expect(holds(stored, { ...config, region: 'us' })).toBe(false);
  expect(holds(undefined, fields)).toBe(false);
});
