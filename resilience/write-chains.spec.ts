import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { type Acknowledged, accountEvents, type DeliveredEvent, writeChains } from './write-chains.ts';

const acks: Acknowledged[] = [
  { requestId: 'a1', key: 'r1', sequence: 0 },
  { requestId: 'a2', key: 'r1', sequence: 1 },
  { requestId: 'b1', key: 'r2', sequence: 0 },
];
const event = (requestId: string, key: string, offset: number, eventId = `e-${requestId}`): DeliveredEvent => ({
  requestId,
  eventId,
  key,
  partition: 0,
  offset: BigInt(offset),
});

test('the account of an outage: each acknowledged operation’s event once, in order per key; the rest of the topic ignored', () => {
  expect(accountEvents(acks, [event('a1', 'r1', 1), event('a2', 'r1', 2), event('b1', 'r2', 3), event('other', 'x', 4)])).toEqual({
    expected: 3,
    received: 3,
    duplicated: 0,
    lost: [],
    outOfOrder: [],
  });
  const broken = accountEvents(acks, [
    event('a2', 'r1', 1),
    event('a1', 'r1', 2),
    event('a1', 'r1', 3, 'e-a1-again'),
    event('a2', 'r1', 4, 'e-a2'),
  ]);
  expect(broken.lost).toEqual(['b1']);
  expect(broken.duplicated).toBe(2);
  expect(broken.outOfOrder).toEqual(['r1']);
  // One CloudEvents id on the events of two operations: the same event published for both.
  expect(accountEvents(acks, [event('a1', 'r1', 1, 'same'), event('a2', 'r1', 2, 'same'), event('b1', 'r2', 3)]).duplicated).toBe(1);
});

test('the write load: a chain per endpoint with a Kafka row, create first and delete last, every step but those on one record', () => {
  const catalog = loadCatalog();
  const chains = writeChains(catalog);
  const kafkaEndpoints = new Set(catalog.operations.filter((op) => op.results.includes('kafka')).map((op) => op.endpoint));
  expect(chains.map((chain) => chain.endpoint).sort()).toEqual([...kafkaEndpoints].sort());
  for (const chain of chains) {
    expect(chain.steps[0]?.operation.actionKey).toBe('create');
    expect(chain.steps.at(-1)?.operation.actionKey).toBe('delete');
    expect(chain.steps.filter((step) => step.expectsEvent).length).toBeGreaterThanOrEqual(2);
  }
});
