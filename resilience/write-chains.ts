/**
 * The write load of the broker-outage check, and the account of its events. Pure: no I/O, so that the
 * account is tested on its own (resilience/write-chains.spec.ts) and the check only sends and reads.
 */
import type { Catalog, Operation } from '../fixtures/catalog/model.ts';
import { plainestOperation } from '../fixtures/catalog/plainest.ts';
import type { ActionKey } from '../fixtures/catalog/vocabulary.ts';

/** One operation of a chain, and whether the catalog promises a Kafka event for it (column "Kết quả"). */
export interface ChainStep {
  operation: Operation;
  expectsEvent: boolean;
}

/** The operations one record goes through, in order: created, reconfigured, checked, exported, deleted. */
export interface WriteChain {
  endpoint: string;
  steps: ChainStep[];
}

/** Set (to 1) by npm run resilience: the broker is cut only when nothing else runs against the target. */
export const resilienceAloneVariable = 'TD448_RESILIENCE_ALONE';

const order: ActionKey[] = ['create', 'update-config', 'check-status', 'export', 'delete'];

/**
 * One chain per endpoint that has a Kafka row: each action in `order`, through an operation of that endpoint
 * and action that promises a Kafka event when the catalog has one (else the plainest, for create and delete,
 * which the chain needs anyway; other actions without an event are left out). Every step after create
 * addresses the record (export of one record), so all of a chain's events share one key: the record's id.
 */
export function writeChains(catalog: Catalog): WriteChain[] {
  const endpoints = [...new Set(catalog.operations.filter((op) => op.results.includes('kafka')).map((op) => op.endpoint))];
  return endpoints.map((endpoint) => {
    const steps = order.flatMap((action): ChainStep[] => {
      const announcing = catalog.operations.find(
        (op) => op.endpoint === endpoint && op.actionKey === action && op.results.includes('kafka'),
      );
      if (announcing) return [{ operation: announcing, expectsEvent: true }];
      if (action === 'create' || action === 'delete')
        return [{ operation: plainestOperation(catalog, endpoint, action), expectsEvent: false }];
      return [];
    });
    return { endpoint, steps };
  });
}

/** An operation the target acknowledged (2xx): its request id, the record (the events' key) and its place in the record's chain. */
export interface Acknowledged {
  requestId: string;
  key: string;
  /** 0, 1, 2… in the order the chain's steps were acknowledged. */
  sequence: number;
}

/** An event read back from the events topic: the request it names, its CloudEvents `id`, its key and its place on the topic. */
export interface DeliveredEvent {
  requestId: string;
  eventId: string;
  key: string | undefined;
  partition: number;
  offset: bigint;
}

/** What the outage check prints and judges. */
export interface EventAccount {
  /** Operations acknowledged that promise an event. */
  expected: number;
  /** Of those, how many have their event. */
  received: number;
  /** Events beyond the first for one operation, or one CloudEvents id seen twice. */
  duplicated: number;
  /** Acknowledged operations whose event never came, by request id. */
  lost: string[];
  /** Keys whose events came in another order than their operations were acknowledged. */
  outOfOrder: string[];
}

/**
 * Every event of every acknowledged operation, exactly once (by request and by CloudEvents id), in order per key
 * (Kafka orders a key's records by offset within its partition). Events of requests not in `acknowledged` are
 * ignored: the topic carries the whole run's events.
 */
export function accountEvents(acknowledged: readonly Acknowledged[], events: readonly DeliveredEvent[]): EventAccount {
  const byRequest = new Map<string, DeliveredEvent[]>();
  for (const event of events) byRequest.set(event.requestId, [...(byRequest.get(event.requestId) ?? []), event]);
  const lost: string[] = [];
  let received = 0;
  // A second event of one operation, or one CloudEvents id carried by the events of two operations.
  let duplicated = 0;
  const requestOfId = new Map<string, string>();
  const perKey = new Map<string, { sequence: number; event: DeliveredEvent }[]>();
  for (const ack of acknowledged) {
    const mine = byRequest.get(ack.requestId) ?? [];
    if (mine.length === 0) {
      lost.push(ack.requestId);
      continue;
    }
    received++;
    duplicated += mine.length - 1;
    for (const event of mine) {
      const other = requestOfId.get(event.eventId);
      if (other !== undefined && other !== ack.requestId) duplicated++;
      requestOfId.set(event.eventId, ack.requestId);
    }
    const first = mine[0] as DeliveredEvent;
    perKey.set(ack.key, [...(perKey.get(ack.key) ?? []), { sequence: ack.sequence, event: first }]);
  }
  const outOfOrder = [...perKey.entries()]
    .filter(([, items]) => {
      const onTopic = [...items].sort((a, b) =>
        a.event.partition !== b.event.partition ? a.event.partition - b.event.partition : a.event.offset < b.event.offset ? -1 : 1,
      );
      return onTopic.some((item, index) => index > 0 && item.sequence < (onTopic[index - 1] as { sequence: number }).sequence);
    })
    .map(([key]) => key);
  return { expected: acknowledged.length, received, duplicated, lost, outOfOrder };
}
