import type { Catalog, Operation } from '../../fixtures/catalog/model.ts';
import { ActionKey, type HttpMethod, promised } from '../../fixtures/catalog/vocabulary.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { rateLimitFieldNames } from '../../fixtures/profile/rate-limit-fields.ts';
import { fieldsInQuery, type Wire } from '../../fixtures/profile/wire.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { Problem } from '../../fixtures/schemas/problem.ts';
import { RecordConfig, resourceBodies, resourceEndpoints } from '../../fixtures/schemas/resources.ts';
import { resourceOf, type ScopeKind, scopeKindByAction } from '../../fixtures/schemas/scopes.ts';
import { exportSchema, recordSchema, statusSchema } from '../interactions/answer-schemas.ts';
import { resourceEndpoint } from '../interactions/row-data.ts';
import { type JsonSchema, jsonSchemaOf, pascalName, ref } from './json-schema.ts';

const { maxRetries, rateLimitPerMinute } = promised;

/**
 * The OpenAPI 3.1 documents of every catalog operation as one deployment's profile speaks them,
 * generated from the parsed catalog, the suite's zod schemas and the profile (fixtures/profile).
 *
 * OpenAPI keys an operation by path and method. When the profile names the action in the path
 * (`requests.action.in: path`), every catalog operation has a path of its own: one document. When it
 * names the action in a header or a query parameter, one path and method serve several actions that
 * differ in body, media types and answers, which one OpenAPI operation cannot state without promising
 * the union: then there is **one document per catalog action**, each exact (its request body, its media
 * types, its success status and schema), the action parameter required where the path and method serve
 * several actions. `x-td448-operation` names the catalog operation and its rows.
 */

/** Actions served on the collection path (no record named); every action also has the item path. */
const collectionActions: readonly ActionKey[] = ['create', 'check-status', 'export'];
const bodyActions: readonly ActionKey[] = ['create', 'update-config'];
const bodyless: readonly HttpMethod[] = ['GET', 'DELETE'];

/** One generated document: `action` is the catalog action it covers, undefined when it covers all. */
export interface OpenApiDocument {
  /** File name: `td448.openapi.json`, or `td448.<action>.openapi.json` when split by action. */
  name: string;
  action: ActionKey | undefined;
  document: Record<string, unknown>;
}

/** Whether the profile's action naming forces one document per action (see the module comment). */
export const splitsByAction = (profile: TargetProfile) => profile.requests.action.in !== 'path';

interface Route {
  operation: Operation;
  /** The OpenAPI path: the profile's template with `{version}` and `{id}` as path parameters. */
  path: string;
  item: boolean;
  /** How many catalog actions the same endpoint and method serve (the action parameter is required when more than one). */
  actionsHere: number;
}

function routesOf(catalog: Catalog, wire: Wire, action: ActionKey | undefined): Route[] {
  const { requests } = wire.profile;
  const routes: Route[] = [];
  for (const operation of catalog.operations) {
    if (action !== undefined && operation.actionKey !== action) continue;
    const actionsHere = catalog.operations.filter((op) => op.endpoint === operation.endpoint && op.method === operation.method).length;
    for (const item of [false, true]) {
      if (!item && !collectionActions.includes(operation.actionKey)) continue;
      const template = item ? requests.itemPath : requests.collectionPath;
      const path = template
        .replaceAll('{endpoint}', operation.endpoint)
        .replaceAll('{resource}', resourceOf(operation.endpoint))
        .replaceAll('{action}', wire.actionWord(operation.actionKey))
        .replace(/(.)\/+$/, '$1')
        .replace(/\/{2,}/g, '/');
      routes.push({ operation, path, item, actionsHere });
    }
  }
  return routes;
}

const schemaNames = (endpoint: string) => {
  const name = pascalName(endpoint);
  return { fields: `${name}Fields`, record: `${name}Record`, status: `${name}Status`, export: `${name}Export` };
};

function componentSchemas(profile: TargetProfile): Record<string, JsonSchema> {
  const config = jsonSchemaOf(RecordConfig, 'Configuration entries: names to strings, numbers or booleans.');
  const schemas: Record<string, JsonSchema> = {
    Problem: jsonSchemaOf(
      Problem,
      'RFC 9457 problem details; `type` names the failure (…/rolled-back, …/rate-limited, …/idempotency-key-reused, …).',
    ),
    Config: config,
    UpdateConfig: {
      description: `The configuration "Cập nhật cấu hình" merges into a record: wrapped in \`${profile.requests.configField}\`, or the entries themselves.`,
      oneOf: [
        {
          type: 'object',
          properties: { [profile.requests.configField]: ref('schemas', 'Config') },
          required: [profile.requests.configField],
          additionalProperties: false,
        },
        { ...ref('schemas', 'Config'), not: { required: [profile.requests.configField] } },
      ],
    },
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

/** The rate-limit headers of the profile's generation (draft-ietf-httpapi-ratelimit-headers): field name → component name. */
function rateLimitHeaderNames(profile: TargetProfile): Record<string, string> {
  return Object.fromEntries(
    rateLimitFieldNames[profile.rateLimit.headers].map((name) => [name, name.replace(/^X-/, '').replaceAll('-', '')]),
  );
}

function componentHeaders(profile: TargetProfile) {
  const deprecationPattern = profile.deprecation.olderForms.length === 0 ? '^@\\d+$' : undefined;
  return {
    RequestId: stringHeader('The caller’s request id, propagated; or one the gateway assigned.'),
    Traceparent: stringHeader('W3C trace context: the caller’s trace, continued.', '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'),
    Attempts: stringHeader(`Downstream attempts the request took: 1, or up to 1 + ${maxRetries} on operations that retry.`, '^[1-9]$'),
    RateLimitPolicy: stringHeader(`IETF RateLimit-Policy: ${rateLimitPerMinute} requests per 60 s per client.`),
    RateLimit: stringHeader('IETF RateLimit: requests left (r) and seconds until the window resets (t).'),
    RateLimitLimit: stringHeader(`${rateLimitPerMinute} requests per 60 s per client.`),
    RateLimitRemaining: stringHeader('Requests left in the window.', '^\\d+$'),
    RateLimitReset: stringHeader('Seconds until the window resets.', '^\\d+$'),
    RetryAfter: stringHeader(
      profile.rateLimit.retryAfter === 'http-date' ? 'When the client may retry (an HTTP-date).' : 'Seconds until the client may retry.',
      profile.rateLimit.retryAfter === 'seconds' ? '^\\d+$' : undefined,
    ),
    Location: stringHeader('The created record.'),
    Deprecation: stringHeader(
      `On ${profile.deprecation.deprecatedVersions.join(', ')} only (RFC 9745): the version is deprecated.`,
      deprecationPattern,
    ),
    Sunset: stringHeader('On a deprecated version only (RFC 8594): when it goes away.'),
    Link: stringHeader('On a deprecated version only: its successor (`rel="successor-version"`).'),
    WwwAuthenticate: stringHeader('The Bearer challenge (RFC 6750): invalid_token, or insufficient_scope with the scope needed.'),
  };
}

/** Problem answers: problem+json, and problem+xml where the operation speaks XML. */
function problemResponses(profile: TargetProfile, xml: boolean) {
  const requestId = { [profile.headers.requestId]: ref('headers', 'RequestId') };
  const problem = (description: string, headers: Record<string, unknown> = {}) => ({
    description,
    headers: { ...requestId, ...headers },
    content: {
      [mediaTypes.problemJson]: { schema: ref('schemas', 'Problem') },
      ...(xml ? { [mediaTypes.problemXml]: { schema: ref('schemas', 'Problem') } } : {}),
    },
  });
  const challenge = { 'WWW-Authenticate': ref('headers', 'WwwAuthenticate') };
  const attempts = profile.headers.attempts ? { [profile.headers.attempts]: ref('headers', 'Attempts') } : {};
  const rateLimit = Object.fromEntries(
    Object.entries(rateLimitHeaderNames(profile)).map(([name, component]) => [name, ref('headers', component)]),
  );
  return {
    BadRequest: problem('The action is not one this method serves, the id is missing, or the body is malformed or unsafe XML.'),
    Unauthorized: problem('No valid token: missing, malformed, expired, foreign or for another audience.', challenge),
    Forbidden: problem('The token does not grant the scope the action needs.', challenge),
    NotFound: problem('No such record, or an unknown API version.'),
    NotAcceptable: problem('The operation does not answer in the media type asked for.'),
    Conflict: problem('A record with this id exists already (…/record-exists).'),
    UnsupportedMediaType: problem('The body is in a media type the operation does not take.'),
    UnprocessableContent: problem(
      'The fields do not fit the resource, or the Idempotency-Key was used for a different request (…/idempotency-key-reused, draft-ietf-httpapi-idempotency-key-header).',
    ),
    IdempotencyKeyReused: problem(
      'The Idempotency-Key was used for a different request (…/idempotency-key-reused, draft-ietf-httpapi-idempotency-key-header).',
    ),
    TooManyRequests: problem(`More than ${rateLimitPerMinute} requests per minute from this client.`, {
      'Retry-After': ref('headers', 'RetryAfter'),
      ...rateLimit,
    }),
    RolledBack: problem('Failed after its write and rolled back (Rollback khi lỗi): nothing kept, no event published.'),
    InternalError: problem('Internal error.'),
    RetriesExhausted: problem(`The downstream failed ${1 + maxRetries} times in a row (Retry tối đa 3 lần).`, attempts),
    DownstreamFailed: problem('The downstream failed.', attempts),
  };
}

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

const speaksXml = (operation: Operation) => operation.notes.includes('formats');

const content = (schema: JsonSchema, xml: boolean) => ({
  [mediaTypes.json]: { schema },
  ...(xml ? { [mediaTypes.xml]: { schema, 'x-td448-xml': 'the same fields as elements; arrays as repeated <item> elements' } } : {}),
});

/** The problem components of an operation: the XML-speaking set (`…Xml`) or the JSON-only one. */
const problemRef = (operation: Operation, name: string) => ref('responses', speaksXml(operation) ? `${name}Xml` : name);

function responsesOf(route: Route, wire: Wire): Record<string, unknown> {
  const { operation } = route;
  const { profile } = wire;
  const rateLimited = operation.notes.includes('rate-limit');
  const success = {
    [profile.headers.requestId]: ref('headers', 'RequestId'),
    [profile.headers.traceparent]: ref('headers', 'Traceparent'),
    ...(profile.headers.attempts ? { [profile.headers.attempts]: ref('headers', 'Attempts') } : {}),
    ...(rateLimited
      ? Object.fromEntries(Object.entries(rateLimitHeaderNames(profile)).map(([name, component]) => [name, ref('headers', component)]))
      : {}),
    Deprecation: ref('headers', 'Deprecation'),
    Sunset: ref('headers', 'Sunset'),
    Link: ref('headers', 'Link'),
  };
  const status = wire.successStatus(operation.actionKey);
  const created = operation.actionKey === 'create';
  const takesBody = bodyActions.includes(operation.actionKey);
  const answer =
    operation.actionKey === 'delete' && status === 204
      ? { description: 'Deleted (Xóa thông tin).', headers: success }
      : {
          description: `${operation.action}: ${created ? 'the created record' : operation.actionKey === 'delete' ? 'the deleted record' : 'the answer'}.`,
          headers:
            created && profile.responses.createdId.from === 'location' ? { Location: ref('headers', 'Location'), ...success } : success,
          content: content(answerRef(operation), speaksXml(operation)),
        };
  return {
    [status]: answer,
    400: problemRef(operation, 'BadRequest'),
    401: problemRef(operation, 'Unauthorized'),
    403: problemRef(operation, 'Forbidden'),
    404: problemRef(operation, 'NotFound'),
    406: problemRef(operation, 'NotAcceptable'),
    ...(created ? { 409: problemRef(operation, 'Conflict') } : {}),
    ...(bodyless.includes(operation.method) ? {} : { 415: problemRef(operation, 'UnsupportedMediaType') }),
    422: problemRef(operation, takesBody ? 'UnprocessableContent' : 'IdempotencyKeyReused'),
    ...(rateLimited ? { 429: problemRef(operation, 'TooManyRequests') } : {}),
    500: problemRef(operation, operation.results.includes('rollback') ? 'RolledBack' : 'InternalError'),
    502: problemRef(operation, operation.results.includes('retry') ? 'RetriesExhausted' : 'DownstreamFailed'),
  };
}

const bodySchemaOf = (operation: Operation) =>
  operation.actionKey === 'create' ? ref('schemas', schemaNames(operation.endpoint).fields) : ref('schemas', 'UpdateConfig');

function requestBodyOf(route: Route, profile: TargetProfile) {
  const { operation } = route;
  if (!bodyActions.includes(operation.actionKey)) return undefined;
  if (fieldsInQuery(operation, profile.requests)) return undefined;
  return { required: true, content: content(bodySchemaOf(operation), speaksXml(operation)) };
}

function parametersOf(route: Route, wire: Wire) {
  const { operation } = route;
  const { profile } = wire;
  const naming = profile.requests.action;
  const fieldsGoInQuery = bodyActions.includes(operation.actionKey) && fieldsInQuery(operation, profile.requests);
  return [
    ...(naming.in === 'path'
      ? []
      : [
          {
            name: naming.name,
            in: naming.in,
            required: route.actionsHere > 1,
            description:
              route.actionsHere > 1
                ? `The catalog action: ${operation.endpoint} serves ${route.actionsHere} actions on ${operation.method}.`
                : `The catalog action; ${operation.method} ${operation.endpoint} serves only this one, so it may be left out.`,
            schema: { type: 'string', enum: [wire.actionWord(operation.actionKey)] },
          },
        ]),
    ...(route.path.includes('{version}')
      ? [
          {
            name: 'version',
            in: 'path',
            required: true,
            description: `The API version; ${profile.deprecation.deprecatedVersions.join(', ')} deprecated.`,
            schema: { type: 'string', enum: profile.versions },
          },
        ]
      : []),
    ...(route.item
      ? [{ name: 'id', in: 'path', required: true, description: 'The record id.', schema: { type: 'string', minLength: 1 } }]
      : []),
    {
      name: profile.headers.requestId,
      in: 'header',
      required: false,
      description:
        'A request id of the caller’s, propagated into the log and events; one not made of letters, digits and ._:- (1 to 128) is replaced by one the gateway assigns.',
      schema: { type: 'string' },
    },
    {
      name: profile.headers.traceparent,
      in: 'header',
      required: false,
      description: 'W3C trace context; an invalid one starts a new trace (W3C Trace Context §4.3).',
      schema: { type: 'string' },
    },
    {
      name: profile.headers.idempotencyKey,
      in: 'header',
      required: false,
      description: 'Replays the first answer for a repeated request; 422 when the key was used for a different request.',
      schema: { type: 'string' },
    },
    ...(fieldsGoInQuery
      ? [
          {
            name: 'fields',
            in: 'query',
            style: 'form',
            explode: true,
            required: true,
            description: `${operation.method} carries its fields in the query string (the catalog has ${operation.method} that writes).`,
            schema:
              operation.actionKey === 'create'
                ? ref('schemas', schemaNames(operation.endpoint).fields)
                : { ...ref('schemas', 'Config'), minProperties: 1 },
          },
        ]
      : []),
  ];
}

const scopeDescriptions: Record<ScopeKind, string> = {
  read: 'check status and export',
  write: 'create and update configuration',
  delete: 'delete',
};

function operationObject(route: Route, wire: Wire) {
  const { operation } = route;
  const endpoint = resourceEndpoint(operation);
  const requestBody = requestBodyOf(route, wire.profile);
  const scope = wire.scope(operation.endpoint, operation.actionKey);
  return {
    operationId: `${operation.method.toLowerCase()}${pascalName(endpoint)}${pascalName(operation.actionKey)}${route.item ? 'Record' : ''}`,
    summary: `${operation.action} (${operation.actionKey})`,
    description: `Rows ${operation.rows.join(', ')}; results ${operation.results.join(', ')}; notes ${operation.notes.join(', ')}; scope \`${scope}\`.`,
    tags: [endpoint],
    security: [{ td448OAuth2: [scope] }],
    parameters: parametersOf(route, wire),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(route, wire),
    'x-td448-operation': {
      id: operation.id,
      endpoint: operation.endpoint,
      action: operation.action,
      actionKey: operation.actionKey,
      rows: operation.rows,
      results: operation.results,
      notes: operation.notes,
    },
  };
}

function documentOf(catalog: Catalog, wire: Wire, action: ActionKey | undefined): Record<string, unknown> {
  const { profile } = wire;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routesOf(catalog, wire, action)) {
    paths[route.path] = { ...paths[route.path], [route.operation.method.toLowerCase()]: operationObject(route, wire) };
  }
  const endpoints = [...new Set(catalog.operations.map((op) => op.endpoint))];
  const covered = action ? catalog.operations.filter((op) => op.actionKey === action) : catalog.operations;
  const responses = problemResponses(profile, false);
  const xmlResponses = problemResponses(profile, true);
  return {
    openapi: '3.1.0',
    info: {
      title: `TD448 — Quản lý API & Log${action ? ` · ${action}` : ''} (profile ${profile.name})`,
      version: '2.0.0',
      summary: `${covered.length} of the ${catalog.operations.length} operations of the TD448 catalog${action ? `: the action ${action}` : ''}.`,
      description:
        'Generated from the parsed TD448 catalog and the target profile (`node scripts/contracts.ts specs`); do not edit. ' +
        (action
          ? `The profile names the action in ${profile.requests.action.in === 'header' ? 'a header' : 'a query parameter'} (\`${'name' in profile.requests.action ? profile.requests.action.name : ''}\`), so one path and method serve several actions: each action has a document of its own. `
          : '') +
        `Every request needs an OAuth2 client-credentials token for the API audience. Every version (${profile.versions.join(', ')}) serves every operation; ${profile.deprecation.deprecatedVersions.join(', ')} announce their deprecation.`,
    },
    servers: [
      {
        url: '{baseUrl}',
        description: 'The gateway of a TD448 deployment',
        variables: { baseUrl: { default: 'http://127.0.0.1:8080' } },
      },
    ],
    tags: endpoints.map((endpoint) => ({ name: endpoint })),
    paths,
    components: {
      schemas: componentSchemas(profile),
      headers: componentHeaders(profile),
      responses: {
        ...responses,
        ...Object.fromEntries(Object.entries(xmlResponses).map(([name, response]) => [`${name}Xml`, response])),
      },
      securitySchemes: {
        td448OAuth2: {
          type: 'oauth2',
          description: 'Client credentials; the token endpoint and audience are those of the deployment’s target description.',
          flows: {
            clientCredentials: {
              tokenUrl: 'https://td448.example/oauth2/token',
              scopes: Object.fromEntries(
                wire.apiScopes(catalog).map((scope) => {
                  const operation = catalog.operations.find((op) => wire.scope(op.endpoint, op.actionKey) === scope) as Operation;
                  return [scope, `${scopeDescriptions[scopeKindByAction[operation.actionKey]]} on /${resourceOf(operation.endpoint)}`];
                }),
              ),
            },
          },
        },
      },
    },
  };
}

/**
 * The OpenAPI documents of a profile (see the module comment): one, or one per catalog action.
 * Every catalog operation is in exactly one document, at its collection path (create, check-status,
 * export) and its item path.
 */
export function openApiDocuments(catalog: Catalog, wire: Wire): OpenApiDocument[] {
  if (!splitsByAction(wire.profile))
    return [{ name: 'td448.openapi.json', action: undefined, document: documentOf(catalog, wire, undefined) }];
  return ActionKey.options
    .filter((action) => catalog.operations.some((op) => op.actionKey === action))
    .map((action) => ({ name: `td448.${action}.openapi.json`, action, document: documentOf(catalog, wire, action) }));
}
