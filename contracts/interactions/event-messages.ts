import type { z } from 'zod';
import type { Catalog, Operation, Row } from '../../fixtures/catalog/model.ts';
import type { OperationCall } from '../../fixtures/profile/wire.ts';
import { eventSchema } from '../../fixtures/schemas/answers.ts';
import { resourceEndpoint } from '../../fixtures/schemas/resources.ts';
import { operationOf, rowTitle } from '../support/catalog-rows.ts';
import { contractTopics as topics, contractWire as wire } from '../support/wire.ts';
import { binaryEventMetadataMatchers, bodyMatchers, eventMetadataMatchers } from './matchers.ts';
import { canCreate, client, type ProviderState, recordExists } from './provider-states.ts';
import { exampleRecord, exampleTime, type RowData, rowData, successBody } from './row-data.ts';

/**
 * The Kafka event of every row whose result is "Thông báo sự kiện qua Kafka", as an asynchronous
 * message pact: the CloudEvents attributes, the data, and the Kafka headers as metadata.
 */

export interface EventMessage {
  row: Row;
  operation: Operation;
  /** Starts with the row's title; the provider's message handler is found by it. */
  description: string;
  states: ProviderState[];
  /** The operation call whose success publishes the event. */
  call: OperationCall;
  /** The event type, `td448.<resource>.<action>`. */
  type: string;
  /** The zod schema the consumer reads the event with. */
  schema: z.ZodType;
  content: unknown;
  metadata: Record<string, unknown>;
}

export const rowsWithEvents = (catalog: Catalog) => catalog.rows.filter((row) => row.resultKey === 'kafka');

/** An example of `data.record`: the record, the status report, or the size of the export. */
function exampleEventRecord(operation: Operation, data: RowData): unknown {
  const endpoint = resourceEndpoint(operation);
  if (operation.actionKey === 'export') return { resource: endpoint, count: 1 };
  if (operation.actionKey === 'delete' && data.existing) return exampleRecord(data.existing);
  return successBody(operation, data)?.example;
}

export function eventMessageOf(row: Row, operation: Operation): EventMessage {
  const data = rowData(row, operation, 'event');
  const endpoint = resourceEndpoint(operation);
  const type = wire.eventType(endpoint, operation.actionKey);
  const schema = eventSchema(endpoint, operation.actionKey, [operation.method], type);
  const example = {
    specversion: '1.0',
    id: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    source: `/td448${endpoint}`,
    type,
    subject: data.existing?.id ?? 'a-new-record-id',
    time: exampleTime,
    datacontenttype: 'application/json',
    requestid: data.requestId,
    traceparent: data.traceparent,
    data: {
      endpoint,
      method: operation.method,
      action: operation.actionKey,
      version: 'v2',
      clientId: 'suite-7',
      record: exampleEventRecord(operation, data),
    },
  };
  return {
    row,
    operation,
    description: rowTitle(row, `${row.result} · ${row.note} · publishes ${type} on ${topics.events}`),
    states: [data.existing ? recordExists(data.existing) : canCreate(endpoint), client('authorized')],
    call: {
      version: 'v2',
      requestId: data.requestId,
      traceparent: data.traceparent,
      ...(data.existing ? { id: data.existing.id } : {}),
      ...(data.fields ? { fields: data.fields } : {}),
    },
    type,
    schema,
    ...(wire.profile.events.mode === 'binary'
      ? {
          // CloudEvents binary content mode: the data is the message, the attributes are ce_* headers.
          content: bodyMatchers((schema as z.ZodObject).shape.data as z.ZodType, example.data),
          metadata: binaryEventMetadataMatchers(topics.events, example, wire.profile),
        }
      : {
          content: bodyMatchers(schema, example),
          metadata: eventMetadataMatchers(topics.events, data.requestId, data.traceparent, wire.profile.headers.requestId),
        }),
  };
}

export const eventMessages = (catalog: Catalog): EventMessage[] =>
  rowsWithEvents(catalog).map((row) => eventMessageOf(row, operationOf(row, catalog)));
