import { z } from 'zod';
import { promised } from '../../fixtures/catalog/vocabulary.ts';

const { rateLimitPerMinute } = promised;

/**
 * Provider states, named after the data (or the client, or the fault) an interaction needs.
 * The consumer declares them with `given(name, params)`; the provider's handlers are generated
 * from the same list, so a state never exists on one side only.
 */

export const RecordParams = z.object({
  endpoint: z.string(),
  id: z.string().min(1),
  fields: z.record(z.string(), z.unknown()),
});
export type RecordParams = z.infer<typeof RecordParams>;

export type ClientRole = 'authorized' | 'unscoped' | 'anonymous' | 'throttled';

export type ProviderState =
  | { kind: 'record-exists'; name: string; params: RecordParams }
  | { kind: 'can-create'; name: string; params: { endpoint: string } }
  | { kind: 'client'; name: string; role: ClientRole }
  | { kind: 'fault'; name: string };

export const recordExists = (params: RecordParams): ProviderState => ({
  kind: 'record-exists',
  name: `a record exists at ${params.endpoint}`,
  params,
});

export const canCreate = (endpoint: string): ProviderState => ({
  kind: 'can-create',
  name: `a new record can be created at ${endpoint}`,
  params: { endpoint },
});

const clientStateNames: Record<ClientRole, string> = {
  authorized: 'the client holds a token that grants the operation',
  unscoped: 'the client holds a valid token without the operation’s scope',
  anonymous: 'the client sends no token',
  throttled: `the client has used up its ${rateLimitPerMinute} requests per minute`,
};

export const client = (role: ClientRole): ProviderState => ({ kind: 'client', name: clientStateNames[role], role });

export const faultStates = {
  failAfterWrite: { kind: 'fault', name: 'the operation fails after its write (test-only fault injection)' },
  downstreamDown: { kind: 'fault', name: 'the downstream keeps failing (test-only fault injection)' },
} as const satisfies Record<string, ProviderState>;

/** The JSON parameters a state carries in the pact file. */
export const stateParams = (state: ProviderState) =>
  state.kind === 'record-exists' || state.kind === 'can-create' ? state.params : undefined;
