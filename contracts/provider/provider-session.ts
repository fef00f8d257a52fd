import { XMLParser } from 'fast-xml-parser';
import type { Catalog } from '../../fixtures/catalog/model.ts';
import { OAuthClient } from '../../fixtures/clients/oauth-client.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { type CreatedRecord, CreatedRecords } from '../../fixtures/target/created-records.ts';
import { type ClientRole, type ProviderState, RecordParams } from '../interactions/provider-states.ts';
import { contractProfile, contractWire } from '../support/wire.ts';
import { contractClients } from './contract-clients.ts';
import type { ProxiedAnswer } from './pass-through-proxy.ts';
import { useUpRateLimit } from './rate-limit.ts';
import { apiRecordStates, type RecordStates, testStateInterface } from './record-states.ts';

type StateFunc = (params?: unknown) => Promise<void>;
type StateHandlers = Record<string, { setup: StateFunc; teardown?: StateFunc }>;
type Next = () => void;
type FilteredRequest = { headers: Record<string, string | string[] | undefined> };

/**
 * What provider verification needs of a target: provider states set through its test-state
 * interface (or its API), and real OAuth2 tokens in place of the pact's example token.
 * One session per verifier run: interactions are verified one after the other, and the
 * client state of each interaction chooses the token its request carries.
 */
export interface ProviderSession {
  readonly target: TargetDescription;
  /** How provider states reach the target: its test-state interface, or its API. */
  readonly records: RecordStates;
  stateHandlers(states: readonly ProviderState[]): StateHandlers;
  /** Replaces the example `Authorization` of a request with a real token for the interaction's client. */
  requestFilter(request: FilteredRequest, response: unknown, next: Next): void;
  /** A failed state setup does not stop Pact's verifier; its errors are reported with the interaction's failure. */
  readonly stateErrors: string[];
  /** The `Authorization` of the contracts' own client, for the operations message verification performs. */
  authorization(): Promise<string>;
  /**
   * Notes the record a create answer made (status: the profile's create success; id: `Wire.createdId`) in the
   * run's ledger (suite `contracts`), under the endpoint of the interaction's record state, for the run's cleanup.
   * `endpoint` names it when the caller knows it (a message provider). Returns the record noted, if any.
   */
  noteCreated(answer: Pick<ProxiedAnswer, 'status' | 'headers' | 'text'>, endpoint?: string): CreatedRecord | undefined;
}

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, ignoreDeclaration: true, processEntities: true });
/** An answer's body as data: JSON as it is, XML as the content of its root element (the fields the JSON names). */
const answerBody = (answer: Pick<ProxiedAnswer, 'headers' | 'text'>): unknown =>
  /[/+]xml/.test(answer.headers['content-type'] ?? '') ? Object.values(xml.parse(answer.text) as object)[0] : JSON.parse(answer.text);

let sent = 0;
/** The contract's example request id, made unique per request as every real client's is: `<id>.<suffix>`. */
export const uniqueRequestId = (base: string) => `${base}.${Date.now().toString(36)}${(++sent).toString(36)}`;

export function providerSession(target: TargetDescription, catalog: Catalog): ProviderSession {
  const oauth = new OAuthClient(target, contractProfile);
  const clients = contractClients(target);
  const records = target.testStateUrl
    ? testStateInterface(target.testStateUrl)
    : apiRecordStates(target, oauth, catalog, clients.authorized);
  const stateErrors: string[] = [];
  let authorization: string | undefined;
  const ledger = CreatedRecords.ofRun('contracts');
  /** The endpoint of the last record state set up: the interactions are verified one after the other. */
  let endpointInPlay: string | undefined;

  const tokenFor = async (role: ClientRole) => {
    if (role === 'anonymous') return undefined;
    if (role !== 'throttled') return oauth.authorization(clients[role]);
    await useUpRateLimit(target, oauth, catalog, clients.throttled);
    return `Bearer ${(await oauth.requestToken(clients.throttled)).token}`;
  };

  const guarded =
    (state: ProviderState, action: 'setup' | 'teardown', run: (params: unknown) => Promise<void>): StateFunc =>
    async (params) => {
      try {
        await run(params);
      } catch (error) {
        stateErrors.push(`state "${state.name}" (${action}) failed: ${(error as Error).message}`);
      }
    };

  const handlerOf = (state: ProviderState): StateHandlers[string] => {
    switch (state.kind) {
      case 'record-exists':
        return {
          setup: guarded(state, 'setup', async (params) => {
            const record = RecordParams.parse(params);
            endpointInPlay = record.endpoint;
            // Noted before it exists: a verifier that dies before the teardown leaves nothing unlisted.
            ledger?.add({ endpoint: record.endpoint, id: record.id });
            await records.put(record);
          }),
          teardown: guarded(state, 'teardown', (params) => records.remove(RecordParams.parse(params))),
        };
      case 'client':
        return {
          setup: guarded(state, 'setup', async () => {
            authorization = await tokenFor(state.role);
          }),
        };
      case 'fault':
        return {
          setup: guarded(state, 'setup', async () => {
            if (!target.faultInjection) throw new Error(`target "${target.name}" refuses test-only fault injection`);
          }),
        };
      case 'can-create':
        return {
          setup: async (params) => {
            endpointInPlay = (params as { endpoint?: string } | undefined)?.endpoint;
          },
        };
    }
  };

  return {
    target,
    records,
    stateErrors,
    stateHandlers: (states) => Object.fromEntries(states.map((state) => [state.name, handlerOf(state)])),
    requestFilter(request, _response, next) {
      const name = contractProfile.headers.requestId;
      const requestId = request.headers[name];
      if (typeof requestId === 'string') request.headers[name] = uniqueRequestId(requestId);
      if (request.headers.authorization !== undefined) {
        if (authorization) request.headers.authorization = authorization;
        else delete request.headers.authorization;
      }
      next();
    },
    authorization: () => oauth.authorization(clients.authorized),
    noteCreated(answer, endpoint = endpointInPlay) {
      if (answer.status !== contractWire.successStatus('create') || endpoint === undefined) return undefined;
      let id: string | undefined;
      try {
        id = contractWire.createdId(answer.headers, () => answerBody(answer));
      } catch {
        id = undefined; // no body to read the id from: the ledger cannot name this record
      }
      if (id === undefined) return undefined;
      const record = { endpoint, id };
      ledger?.add(record);
      return record;
    },
  };
}
