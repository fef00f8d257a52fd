import { referenceProfile } from '../../fixtures/profile/profile.ts';

/**
 * The header names the OpenAPI and AsyncAPI documents state: the reference profile's (the documents describe
 * the embedded reference implementation; rendering a deployment's own profile as OpenAPI is the conformance
 * issue's work).
 */
export const protocol = {
  action: referenceProfile.requests.action.in === 'path' ? 'action' : referenceProfile.requests.action.name,
  requestId: referenceProfile.headers.requestId,
  traceparent: referenceProfile.headers.traceparent,
  idempotencyKey: referenceProfile.headers.idempotencyKey,
  attempts: referenceProfile.headers.attempts ?? 'td448-attempts',
};
