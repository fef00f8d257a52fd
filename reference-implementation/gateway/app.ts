import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import type { z } from 'zod';
import type { Catalog, Operation } from '../../fixtures/catalog/model.ts';
import { type ActionKey, ActionKey as ActionKeySchema, type HttpMethod, httpMethods } from '../../fixtures/catalog/vocabulary.ts';
import { apiVersions, maxRetries, mediaTypes, headers as protocol } from '../../fixtures/schemas/protocol.ts';
import { isResourceEndpoint, resourceBodies } from '../../fixtures/schemas/resources.ts';
import { logsReadScope, requiredScope } from '../../fixtures/schemas/scopes.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { Defect } from '../defects.ts';
import { createDownstreamClient, failuresHeader } from '../downstream/backend.ts';
import { DownstreamFailure, type RetryPolicy, withRetry } from '../downstream/retry.ts';
import { executeOperation, type OperationResult } from '../operations/execute.ts';
import type { Database } from '../storage/database.ts';
import { IdempotencyStore } from '../storage/idempotency.ts';
import type { Outbox } from '../storage/outbox.ts';
import type { RecordStore } from '../storage/records.ts';
import type { TransactionLog } from '../storage/transaction-log.ts';
import {
  coerceScalars,
  coerceXmlFields,
  type Format,
  MalformedBodyError,
  negotiate,
  parseXml,
  requestFormat,
  toXml,
  UnsafeXmlError,
} from './formats.ts';
import { ProblemError } from './problem.ts';
import type { RateLimiter } from './rate-limit.ts';
import { createRequestContext, outcomeFor, type RequestContext, traceparentOf } from './request-context.ts';
import { buildRouteTable, matchEndpoint } from './route-table.ts';
import { registerTestState } from './test-state.ts';

export interface GatewayDeps {
  catalog: Catalog;
  database: Database;
  records: RecordStore;
  outbox: Outbox;
  transactionLog: TransactionLog;
  verifier: TokenVerifier;
  rateLimiter: RateLimiter;
  downstreamUrl: string;
  retryPolicy: RetryPolicy;
  /** Test mode: fault injection and the test-state interface; off in any deployment that did not ask for it. */
  faultInjection: boolean;
  /** Planted defects (none in normal use): see defects.ts. */
  defects: ReadonlySet<Defect>;
  /** Called after a commit that may have enqueued events. */
  onCommit?: () => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    td448: RequestContext;
    td448Format: Format | undefined;
  }
}

/** v1 is deprecated (RFC 9745) and sunsets (RFC 8594); v2 is its successor. */
const deprecation = { deprecation: `@${Date.UTC(2026, 0, 1) / 1000}`, sunset: new Date(Date.UTC(2027, 5, 30)).toUTCString() };
const allowedMethods = [...httpMethods, 'OPTIONS'].join(', ');

export function buildGateway(deps: GatewayDeps): FastifyInstance {
  const routes = buildRouteTable(deps.catalog);
  const idempotency = new IdempotencyStore(deps.database);
  const downstream = createDownstreamClient(deps.downstreamUrl, { timeoutMs: 2000 });
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: true,
    // A URL Fastify cannot route (bad percent-encoding, too long a parameter) is refused before any hook runs:
    // answer it like every other refusal, as a problem with a request id, and log it.
    frameworkErrors: (error, request, reply) => {
      request.td448 ??= createRequestContext(request.headers, request.url.split('?')[0] ?? request.url);
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      request.td448.detail = error.message;
      (reply as FastifyReply).code(status);
      stamp(request, reply); // no hook runs for these
      void sendProblem(request, reply, new ProblemError(status, 'malformed-url', 'Malformed URL', error.message));
    },
  });

  app.decorateRequest('td448', null as unknown as RequestContext);
  app.decorateRequest('td448Format', undefined);
  // Bodies arrive as text; each operation parses them by its own format rules (JSON, XML, or 415).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request) => {
    request.td448 = createRequestContext(request.headers, request.url.split('?')[0] ?? request.url);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    stamp(request, reply);
    return payload;
  });

  /** Every answer carries the request id and trace context (and v1 its deprecation), and leaves one log entry. */
  function stamp(request: FastifyRequest, reply: FastifyReply) {
    const context = request.td448;
    reply.header(protocol.requestId, context.requestId);
    reply.header(protocol.traceparent, traceparentOf(context));
    if (context.faultsApplied.length > 0) reply.header(protocol.faultApplied, context.faultsApplied.join(', '));
    if (context.version === 'v1') {
      reply.header('deprecation', deprecation.deprecation);
      reply.header('sunset', deprecation.sunset);
      reply.header('link', `<${request.url.replace(/^\/v1\//, '/v2/')}>; rel="successor-version"`);
    }
    const status = reply.statusCode;
    deps.transactionLog.write({
      requestId: context.requestId,
      traceId: context.traceId,
      time: new Date().toISOString(),
      clientId: context.clientId,
      endpoint: context.endpoint,
      method: request.method,
      action: context.action,
      version: context.version,
      status,
      durationMs: Math.round((performance.now() - context.startedAt) * 100) / 100,
      attempts: context.attempts,
      outcome: context.rolledBack ? 'rolled-back' : (context.outcome ?? outcomeFor(status)),
      rolledBack: context.rolledBack,
      ...(context.detail ? { detail: context.detail } : {}),
    });
  }

  app.setErrorHandler(async (error, request, reply) => {
    const problem =
      error instanceof ProblemError
        ? error
        : (error as { statusCode?: number }).statusCode === 413
          ? new ProblemError(413, 'body-too-large', 'Request body too large', 'the body exceeds 1 MiB')
          : new ProblemError(500, 'internal-error', 'Internal error', 'the gateway failed unexpectedly', { cause: error });
    if (problem.status >= 500 && !(error instanceof ProblemError)) request.td448.detail = String((error as Error).message).slice(0, 300);
    else request.td448.detail ??= problem.message;
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(request, reply, new ProblemError(404, 'not-found', 'Not found', `no route ${request.method} ${request.td448.endpoint}`)),
  );

  app.addHook('onClose', async () => downstream.close());
  app.get('/healthz', async () => ({ status: 'ok' }));
  if (deps.faultInjection) registerTestState(app, deps.records);

  app.get('/admin/transactions', async (request, reply) => {
    const context = request.td448;
    context.action = 'query-log';
    const auth = await deps.verifier.verify(request.headers.authorization, logsReadScope);
    if (!auth.ok) throw rejection(auth, request.headers.authorization);
    context.clientId = auth.clientId;
    const query = request.query as Record<string, string | undefined>;
    const entries = deps.transactionLog.query({
      ...(query.requestId ? { requestId: query.requestId } : {}),
      ...(query.clientId ? { clientId: query.clientId } : {}),
      ...(query.since ? { since: query.since } : {}),
      limit: Number(query.limit ?? 100) || 100,
    });
    return reply.type(mediaTypes.json).send({ entries });
  });

  app.all('/:version/*', async (request, reply) => {
    const context = request.td448;
    const { version } = request.params as { version: string };
    // Routed on the raw path, whose id segment matchEndpoint decodes once: Fastify's wildcard param is
    // already decoded, and decoding it again made an id with %25 a 500 and split an id with %2F in two.
    const path = (request.url.split('?')[0] ?? '').replace(/^\/[^/]*/, '');
    const match = matchEndpoint(routes, path);
    if (!match) throw new ProblemError(404, 'not-found', 'Not found', `no TD448 endpoint at ${path}`);
    context.endpoint = match.endpoint;
    if (!(apiVersions as readonly string[]).includes(version)) {
      throw new ProblemError(
        404,
        'unknown-version',
        'Unknown API version',
        `version "${version}" does not exist; use one of ${apiVersions.join(', ')}`,
        {
          extensions: { supportedVersions: apiVersions },
        },
      );
    }
    context.version = version;
    const methods = routes.get(match.endpoint) as Map<HttpMethod, Map<ActionKey, Operation>>;
    if (request.method === 'OPTIONS') return reply.code(204).header('allow', allowedMethods).send();
    const actions = methods.get(request.method as HttpMethod);
    if (!actions) {
      throw new ProblemError(405, 'method-not-allowed', 'Method not allowed', `${match.endpoint} does not serve ${request.method}`, {
        headers: { allow: [...methods.keys(), 'OPTIONS'].join(', ') },
      });
    }

    const operation = await authorize(request, actions, match.endpoint);
    const format = negotiateFor(request, operation);
    const fields = readFields(request, operation);
    const faults = faultsOf(request);

    if (operation.notes.includes('rate-limit')) {
      const decision = deps.rateLimiter.check(context.clientId ?? 'anonymous');
      reply.headers(decision.headers);
      if (!decision.allowed) {
        throw new ProblemError(
          429,
          'rate-limited',
          'Too many requests',
          `at most ${decision.limit} requests per minute per client; retry in ${decision.resetSeconds} s`,
          {
            headers: decision.headers,
          },
        );
      }
    }

    const idempotencyKey = request.headers[protocol.idempotencyKey];
    const fingerprint = IdempotencyStore.fingerprint([request.method, request.url, operation.actionKey, fields ?? null]);
    const replayStored = () => {
      if (typeof idempotencyKey !== 'string' || !context.clientId) return undefined;
      const stored = idempotency.find(context.clientId, idempotencyKey);
      if (!stored) return undefined;
      if (stored.fingerprint !== fingerprint) {
        throw new ProblemError(
          422,
          'idempotency-key-reused',
          'Idempotency key reused',
          'this Idempotency-Key was used for a different request',
        );
      }
      context.outcome = 'success';
      return reply
        .code(stored.status)
        .headers({ ...stored.headers, 'idempotent-replayed': 'true' })
        .send(stored.body === '' ? undefined : stored.body);
    };
    const replayed = replayStored();
    if (replayed) return replayed;

    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    await callDownstream(operation, faults.downstreamFailures, context, reply);
    // A concurrent request under the same key may have committed while this one awaited the downstream:
    // replay it (checked with no await before the transaction below) rather than fail on the key's row.
    const committedMeanwhile = replayStored();
    if (committedMeanwhile) return committedMeanwhile;

    let result: OperationResult;
    try {
      result = executeOperation(deps, {
        operation,
        version,
        id: match.id,
        fields,
        context,
        failAfterWrite: faults.failAfterWrite,
        beforeCommit: (outcome) => {
          if (typeof idempotencyKey !== 'string' || !context.clientId) return;
          const rendered = render(outcome, format);
          idempotency.remember(context.clientId, idempotencyKey, {
            fingerprint,
            status: outcome.status,
            headers: { ...rendered.headers },
            body: rendered.body ?? '',
          });
        },
      });
    } finally {
      deps.onCommit?.();
    }
    const rendered = render(result, format);
    return reply.code(result.status).headers(rendered.headers).send(rendered.body);
  });

  /** 401 before anything else; then the action; then the scope that action needs (403). */
  async function authorize(request: FastifyRequest, actions: Map<ActionKey, Operation>, endpoint: string): Promise<Operation> {
    const context = request.td448;
    const named = request.headers[protocol.action];
    const declared = [...actions.keys()];
    const actionKey = ActionKeySchema.safeParse(named).success
      ? (named as ActionKey)
      : declared.length === 1 && named === undefined
        ? declared[0]
        : undefined;
    const operation = actionKey ? actions.get(actionKey) : undefined;
    context.action = typeof named === 'string' ? named : (actionKey ?? null);
    const auth = await deps.verifier.verify(
      request.headers.authorization,
      operation ? requiredScope(endpoint, operation.actionKey) : '\u0000',
    );
    const scopeSkipped =
      !auth.ok && auth.reason === 'insufficient-scope' && request.method === 'DELETE' && deps.defects.has('skip-scope-check-on-delete');
    if (!auth.ok && !scopeSkipped && (auth.status === 401 || operation)) throw rejection(auth, request.headers.authorization);
    context.clientId = auth.ok ? auth.clientId : scopeSkipped ? clientIdOf(request.headers.authorization) : null;
    if (!operation) {
      throw new ProblemError(
        400,
        'action-not-declared',
        'Action not declared',
        named === undefined
          ? `name the action in the ${protocol.action} header; ${request.method} ${endpoint} declares: ${declared.join(', ')}`
          : `${request.method} ${endpoint} does not declare the action "${String(named)}"; it declares: ${declared.join(', ')}`,
        { extensions: { allowedActions: declared } },
      );
    }
    return operation;
  }

  function negotiateFor(request: FastifyRequest, operation: Operation): Format {
    const supported: Format[] = operation.notes.includes('formats') ? ['json', 'xml'] : ['json'];
    const format = negotiate(request.headers.accept, supported);
    if (!format) {
      throw new ProblemError(
        406,
        'not-acceptable',
        'Not acceptable',
        `this operation answers in ${supported.map((f) => mediaTypes[f]).join(' or ')}`,
        {
          extensions: { supportedMediaTypes: supported.map((f) => mediaTypes[f]) },
        },
      );
    }
    request.td448Format = format;
    return format;
  }

  function readFields(request: FastifyRequest, operation: Operation): Record<string, unknown> | undefined {
    const schema = isResourceEndpoint(operation.endpoint) ? (resourceBodies[operation.endpoint] as z.ZodObject) : undefined;
    const body = typeof request.body === 'string' ? request.body : '';
    if (body.trim() === '') {
      const query = request.query as Record<string, string>;
      if (Object.keys(query).length === 0) return undefined;
      // A GET that creates or reconfigures (the catalog has such rows) carries its fields in the query string.
      return schema && operation.actionKey === 'create' ? coerceXmlFields(query, schema) : coerceScalars(query);
    }
    const kind = requestFormat(request.headers['content-type']);
    const supported = operation.notes.includes('formats') ? ['json', 'xml'] : ['json'];
    if (kind === 'other' || !supported.includes(kind)) {
      throw new ProblemError(
        415,
        'unsupported-media-type',
        'Unsupported media type',
        `send ${supported.map((f) => mediaTypes[f as Format]).join(' or ')}`,
        {
          headers: { 'accept-post': supported.map((f) => mediaTypes[f as Format]).join(', ') },
        },
      );
    }
    try {
      if (kind === 'json') {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new MalformedBodyError('a JSON body must be an object');
        return parsed as Record<string, unknown>;
      }
      const fields = parseXml(body);
      if (operation.actionKey === 'update-config' && typeof fields.config === 'object' && fields.config) {
        return { config: coerceScalars(fields.config as Record<string, unknown>) };
      }
      return schema ? coerceXmlFields(fields, schema) : fields;
    } catch (error) {
      if (error instanceof UnsafeXmlError) throw new ProblemError(400, 'unsafe-xml', 'Unsafe XML refused', error.message);
      if (error instanceof MalformedBodyError) throw new ProblemError(400, 'malformed-body', 'Malformed body', error.message);
      if (error instanceof SyntaxError) throw new ProblemError(400, 'malformed-body', 'Malformed body', `malformed JSON: ${error.message}`);
      throw error;
    }
  }

  function faultsOf(request: FastifyRequest) {
    const none = { failAfterWrite: false, downstreamFailures: 0, latencyMs: 0 };
    if (!deps.faultInjection) return none;
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const count = (name: string, max: number) => Math.min(max, Math.max(0, Number.parseInt(header(name) ?? '0', 10) || 0));
    const faults = {
      failAfterWrite: header(protocol.faultFailAfterWrite) === 'true',
      downstreamFailures: count(protocol.faultDownstreamFailures, 10),
      latencyMs: count(protocol.faultLatencyMs, 10_000),
    };
    if (faults.downstreamFailures > 0) request.td448.faultsApplied.push(`downstream-failures=${faults.downstreamFailures}`);
    if (faults.latencyMs > 0) request.td448.faultsApplied.push(`latency-ms=${faults.latencyMs}`);
    return faults;
  }

  async function callDownstream(operation: Operation, induced: number, context: RequestContext, reply: FastifyReply) {
    const policy = { ...deps.retryPolicy, maxRetries: operation.results.includes('retry') ? maxRetries : 0 };
    try {
      const { attempts } = await withRetry(policy, async (attempt) => {
        context.attempts = attempt;
        const status = await downstream.post(
          {
            'content-type': 'application/json',
            'x-request-id': context.requestId,
            [failuresHeader]: String(induced),
            traceparent: traceparentOf(context),
          },
          JSON.stringify({ endpoint: operation.endpoint, action: operation.actionKey }),
        );
        if (status < 200 || status > 299) throw new Error(`downstream answered ${status}`);
      });
      context.attempts = attempts;
      reply.header(protocol.attempts, String(attempts));
    } catch (error) {
      if (!(error instanceof DownstreamFailure)) throw error;
      context.attempts = error.attempts;
      context.outcome = 'downstream-failed';
      throw new ProblemError(
        502,
        'downstream-failed',
        'Downstream failed',
        `${error.message}: ${String((error.cause as Error)?.message)}`,
        {
          headers: { [protocol.attempts]: String(error.attempts) },
          extensions: { attempts: error.attempts },
        },
      );
    }
  }

  return app;
}

/** The client of an already verified token (only the planted skip-scope-check-on-delete defect needs it). */
function clientIdOf(authorization: string | undefined) {
  const claims = decodeJwt((authorization ?? '').replace(/^Bearer\s+/i, ''));
  return typeof claims.client_id === 'string' ? claims.client_id : null;
}

function rejection(
  auth: { status: 401 | 403; reason: string; detail: string; wwwAuthenticate: string },
  authorization: string | undefined,
) {
  // The refusal goes into the response, the transaction log and the audit topic: never repeat the credentials
  // presented (a token or `id:secret` sent without a scheme is read as the scheme's name).
  const redact = (text: string) =>
    (authorization ?? '')
      .split(/\s+/)
      .filter((part) => part.length >= 8)
      .reduce((redacted, part) => redacted.replaceAll(part, '[credentials]'), text);
  return new ProblemError(auth.status, auth.reason, auth.status === 401 ? 'Unauthorized' : 'Forbidden', redact(auth.detail), {
    headers: { 'www-authenticate': redact(auth.wwwAuthenticate) },
  });
}

function render(result: OperationResult, format: Format): { headers: Record<string, string>; body: string | undefined } {
  const headers: Record<string, string> = {};
  if (result.location) headers.location = result.location;
  if (result.status === 204 || result.body === undefined) return { headers, body: undefined };
  headers['content-type'] = format === 'xml' ? `${mediaTypes.xml}; charset=utf-8` : `${mediaTypes.json}; charset=utf-8`;
  return { headers, body: format === 'xml' ? toXml(result.root, result.body) : JSON.stringify(result.body) };
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError) {
  const body = problem.toProblem(request.td448.endpoint, request.td448.requestId);
  const wantsXml =
    request.td448Format === 'xml' || (request.td448Format === undefined && negotiate(request.headers.accept, ['json', 'xml']) === 'xml');
  reply.code(problem.status).headers(problem.headers);
  if (wantsXml) return reply.type(`${mediaTypes.problemXml}; charset=utf-8`).send(toXml('problem', body));
  return reply.type(`${mediaTypes.problemJson}; charset=utf-8`).send(JSON.stringify(body));
}
