import type { z } from 'zod';
import type { Catalog, Operation, Row } from '../../fixtures/catalog/model.ts';
import { promised } from '../../fixtures/catalog/vocabulary.ts';
import type { HttpRequestSpec, OperationCall } from '../../fixtures/profile/wire.ts';
import { requestSchema } from '../../fixtures/schemas/answers.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { Problem } from '../../fixtures/schemas/problem.ts';
import { resourceEndpoint, UpdateConfigBody } from '../../fixtures/schemas/resources.ts';
import { operationOf, rowTitle } from '../support/catalog-rows.ts';
import { contractWire as wire } from '../support/wire.ts';
import {
  bodyMatchers,
  headerMatchers,
  itemPathMatcher,
  itemPathPattern,
  problemMatchers,
  queryMatchers,
  rateLimitMatchers,
  retryAfterMatcher,
  xmlBodyMatchers,
} from './matchers.ts';

type ApiVersion = (typeof promised.versions)[number];
const { maxRetries, rateLimitPerMinute } = promised;

import { type ClientRole, canCreate, client, faultStates, type ProviderState, recordExists } from './provider-states.ts';
import { type RowData, rowData, type SuccessBody, successBody } from './row-data.ts';

/**
 * The HTTP interactions of every catalog row, generated from the parsed catalog:
 * what the row promises on success, and the failures its promises are about.
 */

export const httpInteractionKinds = [
  'success',
  'xml',
  'v1',
  'unauthenticated',
  'forbidden',
  'rate-limited',
  'rolled-back',
  'retries-exhausted',
] as const;
export type HttpInteractionKind = (typeof httpInteractionKinds)[number];

/** Which interactions a row has: every row promises OAuth2 (its description), each result and note adds its own. */
export function kindsOf(row: Row): HttpInteractionKind[] {
  return httpInteractionKinds.filter((kind) => {
    switch (kind) {
      case 'xml':
        return row.noteKey === 'formats';
      case 'v1':
        return row.noteKey === 'versioning';
      case 'rate-limited':
        return row.noteKey === 'rate-limit';
      case 'rolled-back':
        return row.resultKey === 'rollback';
      case 'retries-exhausted':
        return row.resultKey === 'retry';
      default:
        return true;
    }
  });
}

export type Template = Record<string, unknown>;
export type Body = { json: unknown } | { xml: string };

export interface HttpInteraction {
  row: Row;
  operation: Operation;
  kind: HttpInteractionKind;
  /** Starts with the row's title, so that a failed verification names the row. */
  description: string;
  states: ProviderState[];
  /** What the consumer asks for; fixtures/clients/operation-request.ts turns it into the request. */
  call: OperationCall;
  /** False for the interaction that shows a request without a token is refused. */
  sendsToken: boolean;
  request: { method: string; path: unknown; query: Template | undefined; headers: Template; body: Body | undefined };
  response: { status: number; headers: Template; body: Body | undefined };
  /** What the consumer reads a JSON answer with; for XML, the root element it expects. */
  answer: { schema: z.ZodType | undefined; xmlRoot: string | undefined };
}

const requirements: Record<HttpInteractionKind, (status: number) => string> = {
  success: (status) => `${status} (JSON)`,
  xml: (status) => `${status} (XML)`,
  v1: (status) => `${status} on v1, which announces its deprecation`,
  unauthenticated: () => '401 without a token',
  forbidden: () => '403 with a token lacking the operation’s scope',
  'rate-limited': () => `429 beyond ${rateLimitPerMinute} requests per minute`,
  'rolled-back': () => '500 rolled back when it fails after its write',
  'retries-exhausted': () => `502 after 1 + ${maxRetries} downstream attempts`,
};

/** The client each interaction acts as, and the test-only fault it needs, if any. */
const clientRoles: Partial<Record<HttpInteractionKind, ClientRole>> = {
  unauthenticated: 'anonymous',
  forbidden: 'unscoped',
  'rate-limited': 'throttled',
};
const faults: Partial<Record<HttpInteractionKind, ProviderState>> = {
  'rolled-back': faultStates.failAfterWrite,
  'retries-exhausted': faultStates.downstreamDown,
};

interface ErrorAnswer {
  status: number;
  slug: string;
  example: string;
  headers: Template;
}

function errorAnswer(kind: HttpInteractionKind): ErrorAnswer | undefined {
  switch (kind) {
    case 'unauthenticated':
      return { status: 401, slug: '[a-z-]+', example: 'missing-token', headers: { 'www-authenticate': headerMatchers.bearerChallenge() } };
    case 'forbidden':
      return {
        status: 403,
        slug: 'insufficient-scope',
        example: 'insufficient-scope',
        headers: { 'www-authenticate': headerMatchers.bearerChallenge('insufficient_scope') },
      };
    case 'rate-limited':
      return {
        status: 429,
        slug: 'rate-limited',
        example: 'rate-limited',
        headers: { 'retry-after': retryAfterMatcher(wire), ...rateLimitMatchers(wire, true) },
      };
    case 'rolled-back':
      return { status: 500, slug: 'rolled-back', example: 'rolled-back', headers: {} };
    case 'retries-exhausted':
      return {
        status: 502,
        slug: 'downstream-failed',
        example: 'downstream-failed',
        headers: wire.profile.headers.attempts ? { [wire.profile.headers.attempts]: headerMatchers.literal(String(1 + maxRetries)) } : {},
      };
    default:
      return undefined;
  }
}

function callOf(kind: HttpInteractionKind, version: ApiVersion, data: RowData): OperationCall {
  return {
    version,
    format: kind === 'xml' ? 'xml' : 'json',
    requestId: data.requestId,
    traceparent: data.traceparent,
    ...(data.existing ? { id: data.existing.id } : {}),
    ...(data.fields ? { fields: data.fields } : {}),
    ...(kind === 'rolled-back' ? { faults: { failAfterWrite: true } } : {}),
    ...(kind === 'retries-exhausted' ? { faults: { downstreamFailures: 1 + maxRetries } } : {}),
  };
}

function requestTemplate(operation: Operation, version: ApiVersion, spec: HttpRequestSpec, sendsToken: boolean, data: RowData) {
  const headers: Template = {};
  for (const [name, value] of Object.entries(spec.headers)) {
    if (name === wire.profile.headers.requestId) headers[name] = headerMatchers.requestId(value);
    else if (name === wire.profile.headers.traceparent) headers[name] = headerMatchers.traceparent(value);
    else if (name !== 'authorization') headers[name] = headerMatchers.literal(value);
  }
  if (sendsToken) headers.authorization = headerMatchers.bearerToken;
  const path = data.existing ? itemPathMatcher(itemPathPattern(wire, operation, version), spec.path) : spec.path;
  // A body the profile shapes with its own template is matched by type on its example; the catalog's schema otherwise.
  const templated = operation.actionKey === 'create' && wire.profile.requests.bodies[operation.endpoint] !== undefined;
  const schema = templated ? undefined : requestSchema(resourceEndpoint(operation), operation.actionKey);
  const fields = data.fields ?? {};
  const configField = wire.profile.requests.configField;
  const queryExample = operation.actionKey === 'update-config' ? (fields[configField] as Record<string, unknown>) : fields;
  const querySchema = operation.actionKey === 'update-config' ? UpdateConfigBody.shape.config : schema;
  const action = wire.profile.requests.action;
  const actionPair = spec.query.find(([name]) => action.in === 'query' && name === action.name);
  const fieldPairs = spec.query.filter((pair) => pair !== actionPair);
  const query =
    spec.query.length > 0
      ? {
          ...(fieldPairs.length > 0 ? queryMatchers(querySchema, fieldPairs, queryExample) : {}),
          ...(actionPair ? { [actionPair[0]]: [headerMatchers.literal(actionPair[1])] } : {}),
        }
      : undefined;
  let body: Body | undefined;
  if (spec.body !== undefined)
    body =
      spec.headers['content-type'] === mediaTypes.xml
        ? { xml: xmlBodyMatchers(wire.profile.requests.xmlRoot, schema, fields, 'repeated') }
        : { json: bodyMatchers(schema, fields) };
  return { method: spec.method, path, query, headers, body };
}

/** Headers the row's note and result promise on every answer of the operation. */
function promisedHeaders(row: Row, kind: HttpInteractionKind, data: RowData, status: number): Template {
  const headers: Template = {};
  if (row.noteKey === 'gateway') {
    headers[wire.profile.headers.requestId] = headerMatchers.sameRequestId(data.requestId);
    headers[wire.profile.headers.traceparent] = headerMatchers.sameTrace(data.traceId, data.traceparent);
  }
  const succeeded = status < 400;
  if (row.noteKey === 'rate-limit' && succeeded) Object.assign(headers, rateLimitMatchers(wire, false));
  const attempts = wire.profile.headers.attempts;
  if (row.resultKey === 'retry' && succeeded && attempts) headers[attempts] = headerMatchers.attempts(`[1-${1 + maxRetries}]`, '1');
  if (kind === 'v1') {
    headers.deprecation = headerMatchers.deprecation;
    headers.sunset = headerMatchers.sunset;
  }
  return headers;
}

function successTemplate(
  operation: Operation,
  kind: HttpInteractionKind,
  version: ApiVersion,
  data: RowData,
  body: SuccessBody | undefined,
) {
  const status = wire.successStatus(operation.actionKey);
  const headers: Template = {};
  if (operation.actionKey === 'create')
    headers.location = headerMatchers.location(itemPathPattern(wire, operation, version), wire.path(operation, version, 'a-new-record-id'));
  if (kind === 'v1') headers.link = headerMatchers.successorVersion(wire.path(operation, 'v2', data.existing?.id));
  if (!body || status === 204) return { status, headers, body: undefined };
  if (kind === 'xml') {
    headers['content-type'] = headerMatchers.mediaType(mediaTypes.xml);
    return { status, headers, body: { xml: xmlBodyMatchers(body.xmlRoot, body.schema, body.example, 'wrapped') } };
  }
  headers['content-type'] = headerMatchers.mediaType(mediaTypes.json);
  return { status, headers, body: { json: bodyMatchers(body.schema, body.example) } };
}

export function interactionOf(row: Row, operation: Operation, kind: HttpInteractionKind): HttpInteraction {
  const data = rowData(row, operation, kind);
  const version: ApiVersion = kind === 'v1' ? 'v1' : 'v2';
  const call = callOf(kind, version, data);
  const sendsToken = kind !== 'unauthenticated';
  const spec = wire.request(operation, call);
  const success = successBody(operation, data);
  const failure = errorAnswer(kind);
  const response = failure
    ? {
        status: failure.status,
        headers: { 'content-type': headerMatchers.mediaType(mediaTypes.problemJson), ...failure.headers },
        body: { json: problemMatchers(failure.slug, failure.status, failure.example) },
      }
    : successTemplate(operation, kind, version, data, success);
  response.headers = { ...response.headers, ...promisedHeaders(row, kind, data, response.status) };

  const states: ProviderState[] = [
    data.existing ? recordExists(data.existing) : canCreate(operation.endpoint),
    client(clientRoles[kind] ?? 'authorized'),
    ...[faults[kind]].filter((fault) => fault !== undefined),
  ];
  return {
    row,
    operation,
    kind,
    description: rowTitle(row, `${row.result} · ${row.note} · ${requirements[kind](response.status)}`),
    states,
    call,
    sendsToken,
    request: requestTemplate(operation, version, spec, sendsToken, data),
    response,
    answer: failure
      ? { schema: Problem, xmlRoot: undefined }
      : { schema: kind === 'xml' ? undefined : success?.schema, xmlRoot: kind === 'xml' && response.body ? success?.xmlRoot : undefined },
  };
}

export const rowInteractions = (row: Row, catalog?: Catalog): HttpInteraction[] => {
  const operation = operationOf(row, catalog);
  return kindsOf(row).map((kind) => interactionOf(row, operation, kind));
};

export const httpInteractions = (catalog: Catalog): HttpInteraction[] => catalog.rows.flatMap((row) => rowInteractions(row, catalog));
