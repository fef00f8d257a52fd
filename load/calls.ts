import type { Operation } from '../fixtures/catalog/model.ts';
import type { OperationCall } from '../fixtures/clients/operation-request.ts';

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
  sources: { fields: (endpoint: string) => Record<string, unknown>; config: () => Record<string, unknown>; recordId?: string },
): OperationCall {
  const id = sources.recordId;
  if (recordNeed(operation) !== 'none' && !id) throw new Error(`${operation.actionKey} on ${operation.endpoint} needs a record id`);
  switch (operation.actionKey) {
    case 'create':
      return { fields: sources.fields(operation.endpoint) };
    case 'update-config':
      return { id, fields: sources.config() };
    default:
      return { id };
  }
}

/** How an answer counts: the success status of the action (RESTful conventions), a 429, a 5xx, or anything else. */
export function classify(operation: Pick<Operation, 'actionKey'>, status: number, successStatus: Record<Operation['actionKey'], number>) {
  const expected = status === successStatus[operation.actionKey];
  const limited = status === 429;
  const serverError = status >= 500;
  return { expected, limited, serverError, unexpected: !expected && !limited && !serverError };
}
