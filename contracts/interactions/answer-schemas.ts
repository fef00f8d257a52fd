import { z } from 'zod';
import type { ActionKey, HttpMethod } from '../../fixtures/catalog/vocabulary.ts';
import { promised } from '../../fixtures/catalog/vocabulary.ts';
import { DomainEvent } from '../../fixtures/schemas/event.ts';

const apiVersions = promised.versions;

import {
  ExportDocument,
  type ResourceEndpoint,
  ResourceRecord,
  resourceBodies,
  StatusReport,
  UpdateConfigBody,
} from '../../fixtures/schemas/resources.ts';

/**
 * The schemas of what an operation of one endpoint receives, answers and publishes: the shared
 * fixture schemas, narrowed to the endpoint. Pacts, OpenAPI and AsyncAPI are all derived from these.
 */

export const recordSchema = (endpoint: ResourceEndpoint) =>
  ResourceRecord.extend({ resource: z.literal(endpoint), data: resourceBodies[endpoint] });

export const statusSchema = (endpoint: ResourceEndpoint) => StatusReport.extend({ resource: z.literal(endpoint) });

export const exportSchema = (endpoint: ResourceEndpoint) =>
  ExportDocument.extend({ resource: z.literal(endpoint), items: z.array(recordSchema(endpoint)) });

/** The fields a request of the action carries, if any: a new record's, or a configuration. */
export function requestSchema(endpoint: ResourceEndpoint, action: ActionKey): z.ZodType | undefined {
  if (action === 'create') return resourceBodies[endpoint];
  if (action === 'update-config') return UpdateConfigBody;
  return undefined;
}

/** The body of the action's successful answer; delete answers 204 with none. */
export function answerSchema(endpoint: ResourceEndpoint, action: ActionKey): z.ZodType | undefined {
  switch (action) {
    case 'create':
    case 'update-config':
      return recordSchema(endpoint);
    case 'check-status':
      return statusSchema(endpoint);
    case 'export':
      return exportSchema(endpoint);
    case 'delete':
      return undefined;
  }
}

/** The XML root element of the action's answer. */
export const xmlRootOf = (action: ActionKey) => (action === 'check-status' ? 'status' : action === 'export' ? 'export' : 'record');

export const exportSummarySchema = (endpoint: ResourceEndpoint) =>
  z.object({ resource: z.literal(endpoint), count: z.number().int().nonnegative() });

/** What an event's `data.record` holds: the record (as deleted, created or reconfigured), the status report, or the export's size. */
export function eventRecordSchema(endpoint: ResourceEndpoint, action: ActionKey): z.ZodType {
  if (action === 'export') return exportSummarySchema(endpoint);
  if (action === 'check-status') return statusSchema(endpoint);
  return recordSchema(endpoint);
}

/** The CloudEvent an operation publishes, for the methods that publish it. */
/** The event of an operation: `type` is the profile's (Wire.eventType), the data the catalog's. */
export function eventSchema(endpoint: ResourceEndpoint, action: ActionKey, methods: readonly [HttpMethod, ...HttpMethod[]], type: string) {
  return DomainEvent.extend({
    source: z.literal(`/td448${endpoint}`),
    type: z.literal(type),
    data: DomainEvent.shape.data.extend({
      endpoint: z.literal(endpoint),
      method: methods.length === 1 ? z.literal(methods[0]) : z.enum(methods),
      action: z.literal(action),
      version: z.enum(apiVersions),
      record: eventRecordSchema(endpoint, action),
    }),
  });
}
