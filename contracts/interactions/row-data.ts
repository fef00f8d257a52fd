import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Operation, Row } from '../../fixtures/catalog/model.ts';
import { deploymentBody } from '../../fixtures/data/bodies.ts';
import { callFor } from '../../fixtures/data/calls.ts';
import { buildConfig, buildRecordFields, fakerFor } from '../../fixtures/data/factories.ts';
import { answerSchema, xmlRootOf } from '../../fixtures/schemas/answers.ts';
import { resourceEndpoint, UpdateConfigBody } from '../../fixtures/schemas/resources.ts';
import { contractWire as wire } from '../support/wire.ts';
import type { RecordParams } from './provider-states.ts';

/** A fixed instant for examples: matchers accept any time, the example only has to be one. */
export const exampleTime = '2026-01-01T08:00:00.000Z';

/** Salt of the contract suite's seeds: its data differs from the functional suite's for the same row. */
const contractSalt = 448;

/** What one interaction of a row sends and what it needs to exist first, the same on every run. */
export interface RowData {
  /** The record the provider state puts in place and the request names in its path: for every action but create. */
  existing: RecordParams | undefined;
  /** The fields the request carries: a new record's body, or a configuration. */
  fields: Record<string, unknown> | undefined;
  requestId: string;
  traceId: string;
  traceparent: string;
}

const hex = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * Every action but create works on an existing record, named in the path. Export too: the export of one
 * record is exactly known, while a collection holds whatever other suites left in it, and XML matching
 * refuses elements the contract does not list (a configured record's config children).
 */
export const needsExistingRecord = (operation: Operation) => operation.actionKey !== 'create';

export function rowData(row: Row, operation: Operation, variant: string): RowData {
  const faker = fakerFor(row.number * 1000 + contractSalt);
  const endpoint = resourceEndpoint(operation);
  const recordFields = buildRecordFields(endpoint, faker) as Record<string, unknown>;
  const key = `contract-row-${row.number}-${variant}`;
  const traceId = hex(key, 32);
  return {
    existing: needsExistingRecord(operation) ? { endpoint, id: key, fields: recordFields } : undefined,
    fields: callFor(operation, wire, {
      // A new record in the deployment's shape (the profile's body template), the same fields otherwise.
      fields: () => deploymentBody(wire.profile, endpoint, recordFields, faker),
      config: () => buildConfig(faker),
      recordId: key,
    }).fields,
    requestId: `td448-${key}`,
    traceId,
    traceparent: `00-${traceId}-${hex(`${key}/span`, 16)}-01`,
  };
}

export const exampleRecord = (params: RecordParams, config: Record<string, unknown> = {}) => ({
  id: params.id,
  resource: params.endpoint,
  status: 'active',
  data: params.fields,
  config,
  revision: Object.keys(config).length > 0 ? 2 : 1,
  createdAt: exampleTime,
  updatedAt: exampleTime,
});

/** The successful answer of an operation: its schema, an example, and the XML root element it has in XML. */
export interface SuccessBody {
  schema: z.ZodType;
  example: Record<string, unknown>;
  xmlRoot: string;
}

/** An example of the operation's successful answer to the row's request; none for delete (204). */
export function successBody(operation: Operation, data: RowData): SuccessBody | undefined {
  const endpoint = resourceEndpoint(operation);
  const schema = answerSchema(endpoint, operation.actionKey);
  if (!schema) return undefined;
  const existing = data.existing ?? { endpoint, id: 'a-new-record-id', fields: data.fields ?? {} };
  const example = (() => {
    switch (operation.actionKey) {
      case 'update-config':
        return exampleRecord(existing, UpdateConfigBody.shape.config.parse(data.fields?.[wire.profile.requests.configField]));
      case 'check-status':
        return { resource: endpoint, id: existing.id, status: 'active', checkedAt: exampleTime };
      case 'export':
        return { resource: endpoint, count: 1, items: [exampleRecord(existing)], exportedAt: exampleTime };
      default:
        return exampleRecord(existing);
    }
  })();
  return { schema, example, xmlRoot: xmlRootOf(operation.actionKey) };
}
