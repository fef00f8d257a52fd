import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Catalog } from '../../fixtures/catalog/model.ts';
import { httpMethods } from '../../fixtures/catalog/vocabulary.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { Wire } from '../../fixtures/profile/wire.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import { topics } from '../conventions.ts';
import type { Defect } from '../defects.ts';
import { createDownstreamClient } from '../downstream/backend.ts';
import type { RetryPolicy } from '../downstream/retry.ts';
import type { Database } from '../storage/database.ts';
import { IdempotencyStore } from '../storage/idempotency.ts';
import type { Outbox, OutboxMessage } from '../storage/outbox.ts';
import type { RecordStore } from '../storage/records.ts';
import type { TransactionLog } from '../storage/transaction-log.ts';
import { deprecationHeaders } from './deprecation.ts';
import type { Format } from './formats.ts';
import { registerOperationRoute } from './operation-route.ts';
import { ProblemError } from './problem.ts';
import { buildProfileRouter, type RouteMatch } from './profile-routes.ts';
import type { RateLimiter } from './rate-limit.ts';
import { createRequestContext, outcomeFor, type RequestContext, traceparentOf } from './request-context.ts';
import { registerGetBodies } from './request-fields.ts';
import { sendProblem } from './responses.ts';
import { buildRouteTable } from './route-table.ts';
import { registerTestState } from './test-state.ts';
import { registerTransactionLogRoute } from './transaction-log-route.ts';

/** What the gateway is built from: the catalog, the profile it serves, storage, the token check, the limiter and the downstream. */
export interface GatewayDeps {
  catalog: Catalog;
  /** The wire conventions served (fixtures/profile/profile.ts): paths, action naming, header names, log and event shapes. */
  profile: TargetProfile;
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
  /** The Kafka topic of the domain events; the stack's own by default. */
  eventsTopic?: string;
  /** Called after a commit that may have enqueued events. */
  onCommit?: () => void;
  /** Sends a message to Kafka at once: used only by the `publish-directly` defect. */
  publishDirectly?: (message: OutboxMessage) => Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    td448: RequestContext;
    td448Format: Format | undefined;
    /** The catalog route the path named, once known (for the successor-version link). */
    td448Route: RouteMatch | undefined;
  }
}

/**
 * The API gateway: every catalog operation at the paths, with the action words and header names of
 * the profile served; the transaction-log query; the test-state interface in test mode. Every answer
 * carries the request id and trace context, and leaves one transaction-log entry.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** More query parameters than any operation reads (a create's fields in the query are a handful): refused before routing. */
const maxQueryParameters = 100;

/** The methods the gateway answers: the catalog's, OPTIONS (RFC 9110 §9.3.7) and HEAD. */
const servedMethods = new Set<string>([...httpMethods, 'HEAD', 'OPTIONS']);

/** An error of Fastify's own about the request (a content type it cannot parse, …): a 4xx, not the gateway's failure. */
const isClientError = (error: unknown): error is Error & { statusCode: number } => {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
};

export function buildGateway(deps: GatewayDeps): FastifyInstance {
  const { profile } = deps;
  const wire = new Wire(profile);
  const identity = { requestId: profile.headers.requestId, traceparent: profile.headers.traceparent };
  const faultApplied = deps.faultInjection && profile.faultInjection !== false ? profile.faultInjection.applied : undefined;
  const downstream = createDownstreamClient(deps.downstreamUrl, { timeoutMs: 2000 });
  const bodyLimit = profile.requests.maxBodyBytes;
  const app = Fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: true,
    // A URL Fastify cannot route (bad percent-encoding, too long a parameter) is refused before any hook runs:
    // answer it like every other refusal, as a problem with a request id, and log it.
    frameworkErrors: (error, request, reply) => {
      request.td448 ??= createRequestContext(request.headers, request.url.split('?')[0] ?? request.url, identity);
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      request.td448.detail = error.message;
      (reply as FastifyReply).code(status);
      stamp(request, reply); // no hook runs for these
      void sendProblem(request, reply, new ProblemError(status, 'malformed-url', 'Malformed URL', error.message));
    },
  });

  app.decorateRequest('td448', null as unknown as RequestContext);
  app.decorateRequest('td448Format', undefined);
  app.decorateRequest('td448Route', undefined);
  // Bodies arrive as text; each operation parses them by its own format rules (JSON, XML, or 415).
  app.removeAllContentTypeParsers();
  // Bytes that are not UTF-8 (RFC 8259 §8.1 for JSON; XML bodies are read as UTF-8 too) are refused, not replaced by U+FFFD.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, utf8.decode(body as Buffer));
    } catch {
      done(new ProblemError(400, 'malformed-body', 'Malformed body', 'the body is not valid UTF-8'));
    }
  });
  if (profile.requests.bodylessFields === 'body') registerGetBodies(app, bodyLimit);

  const routes = buildRouteTable(deps.catalog);
  const router = buildProfileRouter(profile, [...routes.keys()]);
  app.addHook('onRequest', async (request) => {
    request.td448 = createRequestContext(request.headers, request.url.split('?')[0] ?? request.url, identity);
    // A method no catalog operation uses (QUERY, PROPFIND, …) is refused before Fastify parses a body for it.
    // Authorization is a singleton field (RFC 9110 §11.6.2, §5.3): Node keeps only the first of several, so
    // a second one would pass unseen; a request carrying two is refused.
    const authorizations = request.raw.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'authorization');
    if (authorizations.length > 1)
      throw new ProblemError(400, 'duplicate-authorization', 'Several Authorization headers', 'send exactly one Authorization header');
    const query = request.url.split('?')[1] ?? '';
    const parameters = query === '' ? 0 : query.split('&').length;
    if (parameters > maxQueryParameters)
      throw new ProblemError(
        400,
        'too-many-parameters',
        'Too many query parameters',
        `${parameters} query parameters; the API reads at most ${maxQueryParameters}`,
      );
    if (!servedMethods.has(request.method)) {
      const match = router.match(request.url.split('?')[0] ?? '');
      const methods = match ? [...(routes.get(match.endpoint)?.keys() ?? []), 'OPTIONS'] : [...servedMethods];
      throw new ProblemError(405, 'method-not-allowed', 'Method not allowed', `the TD448 API does not serve ${request.method}`, {
        headers: deps.defects.has('omit-allow') ? {} : { allow: methods.join(', ') },
      });
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    stamp(request, reply);
    return payload;
  });

  /** Every answer carries the request id and trace context (and a deprecated version its deprecation), and leaves one log entry. */
  function stamp(request: FastifyRequest, reply: FastifyReply) {
    const context = request.td448;
    if (!(deps.defects.has('drop-request-id-on-patch') && request.method === 'PATCH')) reply.header(identity.requestId, context.requestId);
    reply.header(
      identity.traceparent,
      deps.defects.has('restart-trace-on-delete') && request.method === 'DELETE'
        ? `00-${randomBytes(16).toString('hex')}-${context.spanId}-${context.traceFlags}`
        : traceparentOf(context),
    );
    if (faultApplied && context.faultsApplied.length > 0) reply.header(faultApplied, context.faultsApplied.join(', '));
    if (context.version !== null && request.td448Route) {
      const action = context.action !== null ? wire.actionOf(wire.actionWord(context.action)) : undefined;
      reply.headers(
        deprecationHeaders(wire, context.version, request.td448Route, action, request.url, { omitSunset: deps.defects.has('omit-sunset') }),
      );
    }
    const status = reply.statusCode;
    if ((status === 401 || status === 403) && deps.defects.has('log-presented-token') && request.headers.authorization)
      context.detail = `${context.detail ?? 'refused'}; presented ${request.headers.authorization}`;
    deps.transactionLog.write({
      requestId: context.requestId,
      traceId: context.traceId,
      time: new Date().toISOString(),
      clientId: context.clientId,
      endpoint: context.endpoint,
      method: request.method,
      action: context.action,
      version: deps.defects.has('log-v1-as-current') && context.version !== null ? wire.currentVersion : context.version,
      status: deps.defects.has('log-client-errors-as-200') && [404, 409, 422].includes(status) ? 200 : status,
      durationMs: Math.round((performance.now() - context.startedAt) * 100) / 100,
      attempts: context.attempts,
      ...(context.rolledBack && deps.defects.has('log-rollback-as-server-error')
        ? { outcome: outcomeFor(status), rolledBack: false }
        : { outcome: context.rolledBack ? 'rolled-back' : (context.outcome ?? outcomeFor(status)), rolledBack: context.rolledBack }),
      ...(context.detail ? { detail: context.detail } : {}),
    });
  }

  app.setErrorHandler(async (error, request, reply) => {
    const problem =
      error instanceof ProblemError
        ? error
        : (error as { statusCode?: number }).statusCode === 413
          ? new ProblemError(413, 'body-too-large', 'Request body too large', 'the body exceeds 1 MiB')
          : isClientError(error)
            ? new ProblemError(error.statusCode, 'bad-request', 'Bad request', error.message)
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
  registerTransactionLogRoute(app, deps);

  registerOperationRoute(app, {
    wire,
    routes,
    router,
    operations: { ...deps, wire, eventsTopic: deps.eventsTopic ?? topics.events },
    verifier: deps.verifier,
    rateLimiter: deps.rateLimiter,
    idempotency: new IdempotencyStore(deps.database),
    downstream: {
      downstream,
      retryPolicy: deps.retryPolicy,
      maxRetries: deps.retryPolicy.maxRetries,
      attemptsHeader: profile.headers.attempts,
    },
    faultInjection: deps.faultInjection,
    defects: deps.defects,
    ...(deps.onCommit ? { onCommit: deps.onCommit } : {}),
  });
  return app;
}
