import type { Operation } from '../../fixtures/catalog/model.ts';
import type { ApiDriver, Sent } from '../../fixtures/playwright/api-driver.ts';
import { test } from '../../fixtures/playwright/test.ts';
import type { KafkaProbe } from '../../fixtures/probes/kafka-probe.ts';
import type { OperationCall } from '../../fixtures/profile/wire.ts';

/** The id an operation acted on: the one it was called with, or the one its answer names (where the profile says). */
export async function subjectOf(api: ApiDriver, call: OperationCall, sent: Sent): Promise<string | undefined> {
  if (call.id !== undefined) return call.id;
  return sent.status === api.wire.successStatus('create') ? api.createdId(sent) : undefined;
}

/** A request of the operation that fails before any write: an unknown record, or an invalid body. */
export async function failingCall(api: ApiDriver, operation: Operation, call: OperationCall): Promise<OperationCall> {
  if (operation.actionKey === 'create') return { ...call, id: undefined, fields: { unexpected: 'not a valid record' } };
  return { ...call, id: `missing-${api.newRequestId('missing')}` };
}

/** What the target's state is for the record an operation touches (for before/after comparisons). */
export async function observedState(api: ApiDriver, operation: Operation, call: OperationCall) {
  return call.id === undefined ? { status: 0 } : api.observeRecord(operation.endpoint, call.id);
}

/**
 * Waits until every event of `requestId` has had its chance to arrive (KafkaProbe.settled). When the
 * barrier event never came (the target's events do not flow), the conclusion rests on a quiet window,
 * and the check says so in an annotation.
 */
export async function eventsSettled(kafka: KafkaProbe, api: ApiDriver, requestId: string): Promise<void> {
  const how = await kafka.settled(requestId, () => api.sendBarrier());
  if (how === 'quiet-window')
    test.info().annotations.push({
      type: 'kafka',
      description: `the barrier event never arrived: "no event of ${requestId}" was concluded after a quiet window (the target's events may not flow)`,
    });
}
