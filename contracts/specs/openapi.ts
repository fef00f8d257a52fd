import type { Catalog, Operation } from '../../fixtures/catalog/model.ts';
import type { ActionKey, HttpMethod } from '../../fixtures/catalog/vocabulary.ts';
import { promised } from '../../fixtures/catalog/vocabulary.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { Problem } from '../../fixtures/schemas/problem.ts';
import { protocol } from './reference-conventions.ts';

const { maxRetries, rateLimitPerMinute, versions: apiVersions } = promised;

import { resourceBodies, resourceEndpoints, UpdateConfigBody } from '../../fixtures/schemas/resources.ts';
import { apiScopes, requiredScope, type ScopeKind } from '../../fixtures/schemas/scopes.ts';
import { exportSchema, recordSchema, statusSchema } from '../interactions/answer-schemas.ts';
import { resourceEndpoint } from '../interactions/row-data.ts';
import { type JsonSchema, jsonSchemaOf, oneOf, pascalName, ref } from './json-schema.ts';

/**
 * The OpenAPI 3.1 document of every catalog operation, generated from the parsed catalog and the
 * suite's zod schemas. One endpoint and method serve several actions, told apart by the
 * `td448-action` header, so one OpenAPI operation lists them all (`x-td448-operations`, with the rows).
 */

/** Actions the gateway serves on the collection path; every action also has the item path. */
const collectionActions: readonly ActionKey[] = ['create', 'check-status', 'export'];
const bodyActions: readonly ActionKey[] = ['create', 'update-config'];
const bodyless: readonly HttpMethod[] = ['GET', 'DELETE'];

interface Route {
  endpoint: string;
  path: string;
  item: boolean;
  method: HttpMethod;
  operations: Operation[];
}

function routesOf(catalog: Catalog): Route[] {
  const routes = new Map<string, Route>();
  for (const operation of catalog.operations) {
    for (const item of [false, true]) {
      if (!item && !collectionActions.includes(operation.actionKey)) continue;
      const path = item ? `${operation.endpoint}/{id}` : operation.endpoint;
      const key = `${operation.method} ${path}`;
      const route = routes.get(key) ?? { endpoint: operation.endpoint, path, item, method: operation.method, operations: [] };
      route.operations.push(operation);
      routes.set(key, route);
    }
  }
  return [...routes.values()];
}

const schemaNames = (endpoint: string) => {
  const name = pascalName(endpoint);
  return { fields: `${name}Fields`, record: `${name}Record`, status: `${name}Status`, export: `${name}Export` };
};

function componentSchemas(): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {
    Problem: jsonSchemaOf(
      Problem,
      'RFC 9457 problem details; `type` names the failure (…/rolled-back, …/rate-limited, …/downstream-failed).',
    ),
    UpdateConfig: jsonSchemaOf(UpdateConfigBody, 'The configuration "Cập nhật cấu hình" merges into a record.'),
  };
  for (const endpoint of resourceEndpoints) {
    const names = schemaNames(endpoint);
    schemas[names.fields] = jsonSchemaOf(resourceBodies[endpoint], `The fields of a new ${endpoint} record.`);
    schemas[names.record] = jsonSchemaOf(recordSchema(endpoint), `A stored ${endpoint} record.`);
    schemas[names.status] = jsonSchemaOf(statusSchema(endpoint), `The status "Kiểm tra trạng thái" reports on ${endpoint}.`);
    schemas[names.export] = jsonSchemaOf(exportSchema(endpoint), `The export "Export dữ liệu" of ${endpoint}.`);
  }
  return schemas;
}

const stringHeader = (description: string, pattern?: string) => ({
  description,
  schema: { type: 'string', ...(pattern ? { pattern } : {}) },
});

const componentHeaders = {
  RequestId: stringHeader('The caller’s request id, propagated; or one the gateway assigned.'),
  Traceparent: stringHeader('W3C trace context: the caller’s trace, continued.', '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'),
  Attempts: stringHeader(`Downstream attempts the request took: 1, or up to 1 + ${maxRetries} on operations that retry.`, '^[1-9]$'),
  RateLimitPolicy: stringHeader(`IETF RateLimit-Policy: ${rateLimitPerMinute} requests per 60 s per client.`),
  RateLimit: stringHeader('IETF RateLimit: requests left (r) and seconds until the window resets (t).'),
  RetryAfter: stringHeader('Seconds until the client may retry.', '^\\d+$'),
  Location: stringHeader('The created record.'),
  Deprecation: stringHeader('On v1 only (RFC 9745): v1 is deprecated.', '^@\\d+$'),
  Sunset: stringHeader('On v1 only (RFC 8594): when v1 goes away.'),
  Link: stringHeader('On v1 only: the v2 successor (`rel="successor-version"`).'),
  WwwAuthenticate: stringHeader('The Bearer challenge (RFC 6750): invalid_token, or insufficient_scope with the scope needed.'),
};

/** Problem answers, shared by every operation; problem+xml where the operation speaks XML. */
const problem = (description: string, headers: Record<string, unknown> = {}) => ({
  description,
  headers: { [protocol.requestId]: ref('headers', 'RequestId'), ...headers },
  content: {
    [mediaTypes.problemJson]: { schema: ref('schemas', 'Problem') },
    [mediaTypes.problemXml]: { schema: ref('schemas', 'Problem') },
  },
});

const challenge = { 'WWW-Authenticate': ref('headers', 'WwwAuthenticate') };

const componentResponses = {
  BadRequest: problem('The action is not declared for this method, the id is missing, or the body is malformed or unsafe XML.'),
  Unauthorized: problem('No valid token: missing, malformed, expired, foreign or for another audience.', challenge),
  Forbidden: problem('The token does not grant the scope the action needs.', challenge),
  NotFound: problem('No such record, or an unknown API version.'),
  NotAcceptable: problem('The operation does not answer in the media type asked for (JSON, and XML where it says so).'),
  UnsupportedMediaType: problem('The body is neither JSON nor, where the operation says so, XML.'),
  UnprocessableContent: problem('The fields do not fit the resource.'),
  TooManyRequests: problem(`More than ${rateLimitPerMinute} requests per minute from this client.`, {
    'Retry-After': ref('headers', 'RetryAfter'),
    'RateLimit-Policy': ref('headers', 'RateLimitPolicy'),
    RateLimit: ref('headers', 'RateLimit'),
  }),
  RolledBack: problem('Failed after its write and rolled back (Rollback khi lỗi): nothing kept, no event published.'),
  InternalError: problem('Internal error.'),
  RetriesExhausted: problem(`The downstream failed ${1 + maxRetries} times in a row (Retry tối đa 3 lần).`, {
    [protocol.attempts]: ref('headers', 'Attempts'),
  }),
  DownstreamFailed: problem('The downstream failed.', { [protocol.attempts]: ref('headers', 'Attempts') }),
};

const answerRef = (operation: Operation) => {
  const names = schemaNames(operation.endpoint);
  switch (operation.actionKey) {
    case 'check-status':
      return ref('schemas', names.status);
    case 'export':
      return ref('schemas', names.export);
    default:
      return ref('schemas', names.record);
  }
};

const content = (schema: JsonSchema, xml: boolean) => ({
  [mediaTypes.json]: { schema },
  ...(xml ? { [mediaTypes.xml]: { schema, 'x-td448-xml': 'the same fields as elements; arrays as repeated <item> elements' } } : {}),
});

function responsesOf(route: Route): Record<string, unknown> {
  const { operations } = route;
  const xml = operations.some((op) => op.notes.includes('formats'));
  const has = (action: ActionKey) => operations.some((op) => op.actionKey === action);
  const rateLimited = operations.some((op) => op.notes.includes('rate-limit'));
  const success = {
    [protocol.requestId]: ref('headers', 'RequestId'),
    [protocol.traceparent]: ref('headers', 'Traceparent'),
    [protocol.attempts]: ref('headers', 'Attempts'),
    ...(rateLimited ? { 'RateLimit-Policy': ref('headers', 'RateLimitPolicy'), RateLimit: ref('headers', 'RateLimit') } : {}),
    Deprecation: ref('headers', 'Deprecation'),
    Sunset: ref('headers', 'Sunset'),
    Link: ref('headers', 'Link'),
  };
  const readsOrConfigures = operations.filter((op) => op.actionKey !== 'create' && op.actionKey !== 'delete');
  return {
    ...(has('create')
      ? {
          201: {
            description: 'Created (Thêm bản ghi).',
            headers: { Location: ref('headers', 'Location'), ...success },
            content: content(ref('schemas', schemaNames(route.endpoint).record), xml),
          },
        }
      : {}),
    ...(readsOrConfigures.length > 0
      ? {
          200: {
            description: 'The status, the export, or the reconfigured record, per action.',
            headers: success,
            content: content(oneOf([...new Map(readsOrConfigures.map((op) => [op.actionKey, answerRef(op)])).values()]), xml),
          },
        }
      : {}),
    ...(has('delete') ? { 204: { description: 'Deleted (Xóa thông tin).', headers: success } } : {}),
    400: ref('responses', 'BadRequest'),
    401: ref('responses', 'Unauthorized'),
    403: ref('responses', 'Forbidden'),
    404: ref('responses', 'NotFound'),
    406: ref('responses', 'NotAcceptable'),
    ...(bodyless.includes(route.method) ? {} : { 415: ref('responses', 'UnsupportedMediaType') }),
    ...(operations.some((op) => bodyActions.includes(op.actionKey)) ? { 422: ref('responses', 'UnprocessableContent') } : {}),
    ...(rateLimited ? { 429: ref('responses', 'TooManyRequests') } : {}),
    500: ref('responses', operations.some((op) => op.results.includes('rollback')) ? 'RolledBack' : 'InternalError'),
    502: ref('responses', operations.some((op) => op.results.includes('retry')) ? 'RetriesExhausted' : 'DownstreamFailed'),
  };
}

function requestBodyOf(route: Route) {
  const writes = route.operations.filter((op) => bodyActions.includes(op.actionKey));
  if (writes.length === 0 || bodyless.includes(route.method)) return undefined;
  const xml = route.operations.some((op) => op.notes.includes('formats'));
  const schemas = writes.map((op) =>
    op.actionKey === 'create' ? ref('schemas', schemaNames(op.endpoint).fields) : ref('schemas', 'UpdateConfig'),
  );
  return { required: writes.length === route.operations.length, content: content(oneOf(schemas), xml) };
}

function parametersOf(route: Route) {
  const actions = route.operations.map((op) => op.actionKey);
  const writes = route.operations.filter((op) => bodyActions.includes(op.actionKey));
  return [
    {
      name: protocol.action,
      in: 'header',
      required: actions.length > 1,
      description: 'The catalog action: one endpoint and method serve several.',
      schema: { type: 'string', enum: actions },
    },
    ...(route.item
      ? [{ name: 'id', in: 'path', required: true, description: 'The record id.', schema: { type: 'string', minLength: 1 } }]
      : []),
    {
      name: protocol.requestId,
      in: 'header',
      required: false,
      description: 'A request id of the caller’s, propagated into the log and events.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    },
    { name: protocol.traceparent, in: 'header', required: false, description: 'W3C trace context.', schema: { type: 'string' } },
    {
      name: protocol.idempotencyKey,
      in: 'header',
      required: false,
      description: 'Replays the first answer for a repeated request.',
      schema: { type: 'string' },
    },
    ...(writes.length > 0 && bodyless.includes(route.method)
      ? [
          {
            name: 'fields',
            in: 'query',
            style: 'form',
            explode: true,
            required: false,
            description: `${route.method} carries its fields in the query string (the catalog has ${route.method} that writes).`,
            schema: oneOf(
              writes.map((op) =>
                op.actionKey === 'create'
                  ? ref('schemas', schemaNames(op.endpoint).fields)
                  : { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
              ),
            ),
          },
        ]
      : []),
  ];
}

const scopeOf = (op: Operation) => requiredScope(op.endpoint, op.actionKey);

const scopeDescriptions: Record<ScopeKind, string> = {
  read: 'check status and export',
  write: 'create and update configuration',
  delete: 'delete',
};

const describeOperation = (op: Operation) =>
  `- **${op.actionKey}** (${op.action}, scope \`${scopeOf(op)}\`): rows ${op.rows.join(', ')}; results ${op.results.join(', ')}; notes ${op.notes.join(', ')}`;

function operationObject(route: Route) {
  const endpoint = resourceEndpoint(route);
  const requestBody = requestBodyOf(route);
  return {
    operationId: `${route.method.toLowerCase()}${pascalName(endpoint)}${route.item ? 'Record' : ''}`,
    summary: route.operations.map((op) => op.action).join(' · '),
    description: route.operations.map(describeOperation).join('\n'),
    tags: [endpoint],
    // One alternative per action's scope: the td448-action header decides which one the request needs
    // (x-td448-operations[].scope), they are not interchangeable.
    security: [...new Set(route.operations.map(scopeOf))].map((scope) => ({ td448OAuth2: [scope] })),
    parameters: parametersOf(route),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(route),
    'x-td448-operations': route.operations.map((op) => ({
      id: op.id,
      action: op.action,
      actionKey: op.actionKey,
      scope: scopeOf(op),
      rows: op.rows,
      results: op.results,
      notes: op.notes,
    })),
  };
}

export function openApiDocument(catalog: Catalog) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routesOf(catalog)) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationObject(route) };
  }
  const endpoints = [...new Set(catalog.operations.map((op) => op.endpoint))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'TD448 — Quản lý API & Log',
      version: '2.0.0',
      summary: `Every operation of the TD448 catalog: ${catalog.rows.length} rows, ${catalog.operations.length} operations.`,
      description:
        'Generated from the parsed TD448 catalog (`node scripts/contracts.ts specs`); do not edit. ' +
        'Every request needs an OAuth2 client-credentials token for the API audience. v1 serves every operation too and announces its deprecation.',
    },
    servers: [
      {
        url: '{baseUrl}/{version}',
        description: 'The gateway of a TD448 deployment',
        variables: {
          baseUrl: { default: 'http://127.0.0.1:8080' },
          version: { enum: [...apiVersions].reverse(), default: 'v2', description: 'v1 is deprecated.' },
        },
      },
    ],
    tags: endpoints.map((endpoint) => ({ name: endpoint })),
    paths,
    components: {
      schemas: componentSchemas(),
      headers: componentHeaders,
      responses: componentResponses,
      securitySchemes: {
        td448OAuth2: {
          type: 'oauth2',
          description: 'Client credentials; the token endpoint and audience are those of the deployment’s target description.',
          flows: {
            clientCredentials: {
              tokenUrl: 'https://td448.example/oauth2/token',
              scopes: Object.fromEntries(
                apiScopes(catalog).map((scope) => {
                  const [resource, kind] = scope.split(':') as [string, ScopeKind];
                  return [scope, `${scopeDescriptions[kind]} on /${resource}`];
                }),
              ),
            },
          },
        },
      },
    },
  };
}
