import { randomBytes, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Operation } from '../../fixtures/catalog/model.ts';
import { renderEvent } from '../../fixtures/profile/events.ts';
import type { Wire } from '../../fixtures/profile/wire.ts';
import { isResourceEndpoint, type ResourceRecord, resourceBodies, UpdateConfigBody } from '../../fixtures/schemas/resources.ts';
import type { Defect } from '../defects.ts';
import { ProblemError } from '../gateway/problem.ts';
import type { RequestContext } from '../gateway/request-context.ts';
import { traceparentOf } from '../gateway/request-context.ts';
import type { Database } from '../storage/database.ts';
import type { Outbox, OutboxMessage } from '../storage/outbox.ts';
import type { RecordStore } from '../storage/records.ts';

/** One call of a catalog operation, as the gateway read it from the request. */
export interface OperationInput {
  operation: Operation;
  version: string;
  id: string | undefined;
  /** The request's fields, already parsed from JSON, XML or the query string. */
  fields: Record<string, unknown> | undefined;
  context: RequestContext;
  failAfterWrite: boolean;
  /** Runs inside the transaction once the result is known: the idempotency record commits or rolls back with it. */
  beforeCommit?: (result: OperationResult) => void;
}

/** What the operation answers, before the gateway renders it in the negotiated format. */
export interface OperationResult {
  status: 200 | 201 | 204;
  /** The XML root element name. */
  root: string;
  body: unknown;
  location?: string;
  /**
   * Work left for after the commit, which the gateway awaits before it answers: only the defects that take the
   * event out of the record's transaction leave any (`commit-outbox-separately`, `publish-directly`).
   */
  afterCommit?: () => Promise<void> | void;
}

/** What operations need: storage, the profile's wire (paths, event type, event shape) and the events topic. */
export interface OperationsDeps {
  database: Database;
  records: RecordStore;
  outbox: Outbox;
  defects: ReadonlySet<Defect>;
  wire: Wire;
  /** The Kafka topic of the domain events. */
  eventsTopic: string;
  /** Sends a message to Kafka at once: used only by the `publish-directly` defect (the outbox does it otherwise). */
  publishDirectly?: ((message: OutboxMessage) => Promise<void>) | undefined;
}

const resourceName = (endpoint: string) => endpoint.split('/')[1] ?? endpoint;

/** Validates fields against a resource's schema, refusing fields it does not know (422, as the OpenAPI's additionalProperties: false says). */
function validate<T>(schema: z.ZodObject, fields: unknown, what: string): T {
  const parsed = schema.strict().safeParse(fields ?? {}) as z.ZodSafeParseResult<T>;
  if (!parsed.success) {
    throw new ProblemError(
      422,
      'invalid-body',
      'Invalid request body',
      `${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
      {
        extensions: { errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
      },
    );
  }
  return parsed.data;
}

const needId = (deps: OperationsDeps, input: OperationInput, action: string): string => {
  if (input.id === undefined) {
    const path = deps.wire.path(input.operation, input.version, '\u0000').replace('%00', '{id}');
    throw new ProblemError(400, 'id-required', 'Record id required', `${action} needs a record id: ${input.operation.method} ${path}`);
  }
  return input.id;
};

const notFound = (input: OperationInput, id: string) =>
  new ProblemError(404, 'record-not-found', 'Record not found', `no ${resourceName(input.operation.endpoint)} record with id ${id}`);

/**
 * Runs one catalog operation in one database transaction. The event (for operations that promise
 * one) goes into the outbox inside that transaction, so a rollback takes the event with it.
 */
export function executeOperation(deps: OperationsDeps, input: OperationInput): OperationResult {
  const { operation } = input;
  const endpoint = operation.endpoint;
  if (!isResourceEndpoint(endpoint)) throw new Error(`no resource schema for ${endpoint}`);
  const resource = resourceName(endpoint);
  const { wire } = deps;

  const rollsBack = !deps.defects.has('skip-rollback');
  // The event of this operation, kept for the emit-event-on-rollback defect (which sends it after a rollback).
  let event: OutboxMessage | undefined;
  const run = () =>
    deps.database.transaction(() => {
      let result: OperationResult;
      let subject: string;
      let eventRecord: unknown;
      switch (operation.actionKey) {
        case 'create': {
          const data = validate<Record<string, unknown>>(resourceBodies[endpoint], input.fields, `a ${resource} record`);
          const id = input.id ?? randomUUID();
          if (deps.records.get(endpoint, id))
            throw new ProblemError(409, 'record-exists', 'Record already exists', `a ${resource} record with id ${id} exists`);
          const record = deps.records.create(endpoint, data, id);
          result = { status: 201, root: 'record', body: record };
          if (!(deps.defects.has('omit-location-for-client-ids') && input.id !== undefined))
            result.location = wire.path(operation, input.version, record.id, null);
          subject = record.id;
          eventRecord = record;
          break;
        }
        case 'delete': {
          const id = needId(deps, input, 'delete');
          const record = deps.records.get(endpoint, id);
          if (!record || !deps.records.delete(endpoint, id)) throw notFound(input, id);
          result = { status: 204, root: 'record', body: undefined };
          subject = id;
          eventRecord = record;
          break;
        }
        case 'update-config': {
          const id = needId(deps, input, 'update-config');
          // The gateway hands the configuration over as {config}, whatever member the profile names it by.
          const { config } = validate<z.infer<typeof UpdateConfigBody>>(UpdateConfigBody, input.fields, 'a configuration');
          const record = deps.records.updateConfig(endpoint, id, config);
          if (!record) throw notFound(input, id);
          result = { status: 200, root: 'record', body: record };
          subject = deps.defects.has('event-subject-of-update-config') ? resource : id;
          eventRecord = record;
          break;
        }
        case 'check-status': {
          const checkedAt = new Date().toISOString();
          if (input.id !== undefined) {
            const record = deps.records.get(endpoint, input.id);
            if (!record) throw notFound(input, input.id);
            result = { status: 200, root: 'status', body: { resource: endpoint, id: record.id, status: record.status, checkedAt } };
            subject = record.id;
          } else {
            result = {
              status: 200,
              root: 'status',
              body: { resource: endpoint, status: 'ok', records: deps.records.count(endpoint), checkedAt },
            };
            subject = resource;
          }
          eventRecord = result.body;
          break;
        }
        case 'export': {
          let items: ResourceRecord[];
          if (input.id !== undefined) {
            const record = deps.records.get(endpoint, input.id);
            if (!record) throw notFound(input, input.id);
            items = [record];
          } else {
            items = deps.records.list(endpoint);
          }
          result = {
            status: 200,
            root: 'export',
            body: { resource: endpoint, count: items.length, items, exportedAt: new Date().toISOString() },
          };
          subject = input.id ?? resource;
          eventRecord = { resource: endpoint, count: items.length };
          break;
        }
      }

      if (operation.results.includes('kafka') && !deps.defects.has('drop-event')) {
        const requestId = input.context.requestId;
        const traceparent =
          deps.defects.has('trace-lost-in-invoice-events') && endpoint.startsWith('/invoice/')
            ? `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`
            : traceparentOf(input.context);
        // The canonical structured CloudEvent, sent as the profile says (structured or binary, its correlation attribute).
        const message = renderEvent(wire.profile.events, {
          specversion: '1.0',
          id: randomUUID(),
          source: `/td448${endpoint}`,
          type: wire.eventType(endpoint, operation.actionKey),
          subject,
          time: new Date().toISOString(),
          datacontenttype: 'application/json',
          requestid: requestId,
          traceparent,
          data: {
            endpoint,
            method: operation.method,
            action: operation.actionKey,
            version: input.version,
            clientId: input.context.clientId ?? '',
            record: eventRecord,
          },
        });
        const outgoing = {
          topic: deps.eventsTopic,
          key: subject,
          value: message.value,
          headers: { ...message.headers, [wire.profile.headers.requestId.toLowerCase()]: requestId, traceparent },
        };
        event = outgoing;
        const enqueue = () => deps.outbox.enqueue(outgoing);
        const publish = deps.publishDirectly;
        if (deps.defects.has('commit-outbox-separately'))
          // The event written in a transaction of its own, one database round trip (5 ms: a database server on the
          // network) after the record's committed.
          result.afterCommit = async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            deps.database.transaction(enqueue);
          };
        else if (deps.defects.has('publish-directly') && publish)
          // The event sent to Kafka after the commit, not through the outbox, and not waited for.
          result.afterCommit = () => void publish(outgoing).catch(() => {});
        else enqueue();
      }

      input.beforeCommit?.(result);
      if (input.failAfterWrite && rollsBack) throw failedAfterWrite(input);
      return result;
    });
  let result: OperationResult;
  try {
    result = run();
  } catch (error) {
    const pending = event;
    if (pending && input.failAfterWrite && deps.defects.has('emit-event-on-rollback'))
      // The error path sends the event anyway: the record is rolled back, its event is not.
      deps.database.transaction(() => deps.outbox.enqueue(pending));
    throw error;
  }
  if (input.failAfterWrite) throw failedAfterWrite(input);
  return result;
}

function failedAfterWrite(input: OperationInput) {
  input.context.rolledBack = true;
  input.context.faultsApplied.push('fail-after-write');
  return new ProblemError(
    500,
    'rolled-back',
    'Operation rolled back',
    'the operation failed after its write; every change it made was rolled back and no event was published',
  );
}
