import type { Operation } from '../fixtures/catalog/model.ts';
import { callFor } from '../fixtures/data/calls.ts';
import type { OperationCall, Wire } from '../fixtures/profile/wire.ts';

/**
 * What record an operation's call addresses under load: none (create), a fresh one it consumes
 * (delete), or one of a few long-lived records (the rest: addressed by id, since a whole-collection
 * export or status would grow with every record the run creates).
 */
export type RecordNeed = 'none' | 'fresh' | 'pool';

export function recordNeed(operation: Pick<Operation, 'actionKey'>): RecordNeed {
  switch (operation.actionKey) {
    case 'create':
      return 'none';
    case 'delete':
      return 'fresh';
    case 'update-config':
    case 'check-status':
    case 'export':
      return 'pool';
  }
}

/** The call of one operation, from the data factory's fields and the record it addresses. */
export function loadCall(
  operation: Pick<Operation, 'actionKey' | 'endpoint'>,
  wire: Wire,
  sources: { fields: (endpoint: string) => Record<string, unknown>; config: () => Record<string, unknown>; recordId?: string },
): OperationCall {
  if (recordNeed(operation) !== 'none' && !sources.recordId)
    throw new Error(`${operation.actionKey} on ${operation.endpoint} needs a record id`);
  return callFor(operation, wire, { fields: () => sources.fields(operation.endpoint), config: sources.config, recordId: sources.recordId });
}

/** How an answer counts: the success status of the action (the profile's), a 429, a 5xx, or anything else. */
export function classify(operation: Pick<Operation, 'actionKey'>, status: number, wire: Pick<Wire, 'successStatus'>) {
  const expected = status === wire.successStatus(operation.actionKey);
  const limited = status === 429;
  const serverError = status >= 500;
  return { expected, limited, serverError, unexpected: !expected && !limited && !serverError };
}
