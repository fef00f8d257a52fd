import type { Catalog, Operation } from '../../fixtures/catalog/model.ts';
import { plainestOperation } from '../../fixtures/catalog/plainest.ts';
import type { OAuthClient } from '../../fixtures/clients/oauth-client.ts';
import { type OperationCall, urlOf } from '../../fixtures/profile/wire.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import type { RecordParams } from '../interactions/provider-states.ts';
import { contractWire } from '../support/wire.ts';

/** Puts a record in place before an interaction, and takes it away after. */
export interface RecordStates {
  readonly how: string;
  put(record: RecordParams): Promise<void>;
  remove(record: Pick<RecordParams, 'endpoint' | 'id'>): Promise<void>;
}

async function expectStatus(response: Response, accepted: number[], what: string) {
  const text = await response.text();
  if (!accepted.includes(response.status)) throw new Error(`${what} answered ${response.status}: ${text.slice(0, 300)}`);
}

/** The reference implementation's test-only interface (PUT/DELETE /_test/records): exact ids and fields, no side effects. */
export function testStateInterface(url: string): RecordStates {
  return {
    how: `test-state interface ${url}`,
    async put(record) {
      const response = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record) });
      await expectStatus(response, [200, 201], `PUT ${url} (${record.endpoint} ${record.id})`);
    },
    async remove({ endpoint, id }) {
      const response = await fetch(`${url}?${new URLSearchParams({ endpoint, id })}`, { method: 'DELETE' });
      await expectStatus(response, [200, 204, 404], `DELETE ${url} (${endpoint} ${id})`);
    },
  };
}

/** Any deployment: records are arranged through the API itself, with explicit ids, as the contracts' own client. */
export function apiRecordStates(target: TargetDescription, oauth: OAuthClient, catalog: Catalog, clientId: string): RecordStates {
  const send = async (operation: Operation, call: OperationCall) => {
    const spec = contractWire.request(operation, {
      ...call,
      authorization: await oauth.authorization(clientId),
      requestId: `td448-contract-state-${crypto.randomUUID()}`,
    });
    return fetch(urlOf(target.apiBaseUrl, spec), {
      method: spec.method,
      headers: spec.headers,
      ...(spec.body !== undefined ? { body: spec.body } : {}),
    });
  };
  const remove: RecordStates['remove'] = async ({ endpoint, id }) => {
    const operation = plainestOperation(catalog, endpoint, 'delete');
    await expectStatus(await send(operation, { id }), [204, 404], `${operation.id} ${id}`);
  };
  return {
    how: `the API of ${target.name}`,
    remove,
    async put(record) {
      await remove(record);
      const operation = plainestOperation(catalog, record.endpoint, 'create');
      await expectStatus(await send(operation, { id: record.id, fields: record.fields }), [201], `${operation.id} ${record.id}`);
    },
  };
}
