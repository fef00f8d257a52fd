import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Operation } from '../../fixtures/catalog/model.ts';
import type { ActionKey, HttpMethod } from '../../fixtures/catalog/vocabulary.ts';
import type { Wire } from '../../fixtures/profile/wire.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { Defect } from '../defects.ts';
import { executeOperation, type OperationResult, type OperationsDeps } from '../operations/execute.ts';
import { IdempotencyStore } from '../storage/idempotency.ts';
import { clientIdOf, grantsKind, rejection } from './auth-rejection.ts';
import { callDownstream, type DownstreamCallOptions } from './downstream-call.ts';
import { faultsOf } from './faults.ts';
import { ProblemError } from './problem.ts';
import { actionKeyOf, actionNamingHint, actionWordOf, type ProfileRouter, type RouteMatch } from './profile-routes.ts';
import type { RateLimiter } from './rate-limit.ts';
import { rateLimitHeaders } from './rate-limit-headers.ts';
import { negotiateFor, readFields } from './request-fields.ts';
import { render } from './responses.ts';
import type { RouteTable } from './route-table.ts';

/** What the catalog operations' route needs besides the operations' own dependencies. */
export interface OperationRouteDeps {
  wire: Wire;
  routes: RouteTable;
  router: ProfileRouter;
  operations: OperationsDeps;
  verifier: TokenVerifier;
  rateLimiter: RateLimiter;
  idempotency: IdempotencyStore;
  downstream: DownstreamCallOptions;
  /** Test mode: honour the profile's fault-injection headers. */
  faultInjection: boolean;
  defects: ReadonlySet<Defect>;
  /** Called after a commit that may have enqueued events. */
  onCommit?: () => void;
}

/**
 * Every catalog operation, at the paths of the profile's templates: 404 for no endpoint or an unknown
 * version, 405 for a method the endpoint does not serve, then 401/403, the action (400), formats
 * (406/415), the rate limit (429), idempotent replay, the downstream call with its retries and the
 * operation in one transaction.
 */
export function registerOperationRoute(app: FastifyInstance, deps: OperationRouteDeps) {
  const { wire, routes, router } = deps;
  const profile = wire.profile;

  app.all('/*', async (request, reply) => {
    const context = request.td448;
    // Routed on the raw path, whose id segment the router decodes once: Fastify's wildcard param is
    // already decoded, and decoding it again made an id with %25 a 500 and split an id with %2F in two.
    const path = request.url.split('?')[0] ?? '';
    const match = router.match(path);
    if (!match) throw new ProblemError(404, 'not-found', 'Not found', `no TD448 endpoint at ${path}`);
    context.endpoint = match.endpoint;
    if (!profile.versions.includes(match.version)) {
      throw new ProblemError(
        404,
        'unknown-version',
        'Unknown API version',
        `version "${match.version}" does not exist; use one of ${profile.versions.join(', ')}`,
        { extensions: { supportedVersions: profile.versions } },
      );
    }
    context.version = match.version;
    request.td448Route = match;
    const methods = routes.get(match.endpoint) as Map<HttpMethod, Map<ActionKey, Operation>>;
    // Allow (RFC 9110 §10.2.1): the methods this endpoint serves, on OPTIONS and on a 405 alike.
    const allow = [...methods.keys(), 'OPTIONS'].join(', ');
    if (request.method === 'OPTIONS') return reply.code(204).header('allow', allow).send();
    const actions = methods.get(request.method as HttpMethod);
    if (!actions) {
      throw new ProblemError(405, 'method-not-allowed', 'Method not allowed', `${match.endpoint} does not serve ${request.method}`, {
        headers: deps.defects.has('omit-allow') ? {} : { allow },
      });
    }

    const operation = await authorize(request, actions, match);
    const format = negotiateFor(request, operation);
    const fields = readFields(request, operation, profile);
    const faults = faultsOf(request, deps.faultInjection, profile.faultInjection);

    if (operation.notes.includes('rate-limit')) {
      const decision = deps.rateLimiter.check(context.clientId ?? 'anonymous');
      const headers = rateLimitHeaders(profile.rateLimit, decision);
      if (deps.defects.has('omit-retry-after')) delete headers['retry-after'];
      reply.headers(headers);
      const leaks = deps.defects.has('leak-rate-limit-on-invoice-export') && match.endpoint === '/invoice/export';
      if (!decision.allowed && !leaks) {
        throw new ProblemError(
          429,
          'rate-limited',
          'Too many requests',
          `at most ${decision.limit} requests per minute per client; retry in ${decision.resetSeconds} s`,
          { headers },
        );
      }
    }

    const idempotencyKey = request.headers[profile.headers.idempotencyKey.toLowerCase()];
    const fingerprint = IdempotencyStore.fingerprint([request.method, request.url, operation.actionKey, fields ?? null]);
    const replayStored = () => {
      if (typeof idempotencyKey !== 'string' || !context.clientId) return undefined;
      const stored = deps.idempotency.find(context.clientId, idempotencyKey);
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
    if (deps.defects.has('slow-invoice-create') && match.endpoint.startsWith('/invoice/') && operation.actionKey === 'create')
      await new Promise((resolve) => setTimeout(resolve, 1100));
    reply.headers(await callDownstream(deps.downstream, operation, faults.downstreamFailures, context));
    // A concurrent request under the same key may have committed while this one awaited the downstream:
    // replay it (checked with no await before the transaction below) rather than fail on the key's row.
    const committedMeanwhile = replayStored();
    if (committedMeanwhile) return committedMeanwhile;

    /** The operation's result with the status the profile promises for its action. */
    const answered = (result: OperationResult): OperationResult => ({
      ...result,
      status: wire.successStatus(operation.actionKey) as OperationResult['status'],
    });
    let result: OperationResult;
    try {
      result = answered(
        executeOperation(deps.operations, {
          operation,
          version: match.version,
          id: match.id,
          fields,
          context,
          failAfterWrite: faults.failAfterWrite,
          beforeCommit: (outcome) => {
            if (typeof idempotencyKey !== 'string' || !context.clientId) return;
            const stored = answered(outcome);
            const rendered = render(stored, format);
            deps.idempotency.remember(context.clientId, idempotencyKey, {
              fingerprint,
              status: stored.status,
              headers: { ...rendered.headers },
              body: rendered.body ?? '',
            });
          },
        }),
      );
    } finally {
      deps.onCommit?.();
    }
    if (result.afterCommit) {
      // Only a defect leaves work for after the commit: the gap a crash or an outage falls into.
      await result.afterCommit();
      deps.onCommit?.();
    }
    const rendered = render(
      deps.defects.has('xml-create-without-data') && format === 'xml' && operation.actionKey === 'create'
        ? withoutData(result)
        : deps.defects.has('epoch-timestamps-on-crm') && format === 'json' && match.endpoint.startsWith('/crm/')
          ? { ...result, body: withEpochTimestamps(result.body) }
          : result,
      format,
    );
    return reply.code(result.status).headers(rendered.headers).send(rendered.body);
  });

  /** Every scope of the action's kind, on any resource (the planted check-scope-kind-only defect accepts any of them). */
  function sameKindScopes(actionKey: ActionKey): Set<string> {
    return new Set([...routes.keys()].map((endpoint) => wire.scope(endpoint, actionKey)));
  }

  /** 401 before anything else; then the action, named as the profile says; then the scope that action needs (403). */
  async function authorize(request: FastifyRequest, actions: Map<ActionKey, Operation>, match: RouteMatch): Promise<Operation> {
    const context = request.td448;
    const word = actionWordOf(profile, { headers: request.headers, query: request.query as Record<string, unknown> }, match);
    const declared = [...actions.keys()];
    const actionKey = actionKeyOf(wire, word) ?? (declared.length === 1 && word === undefined ? declared[0] : undefined);
    const operation = actionKey ? actions.get(actionKey) : undefined;
    context.action = actionKey ?? word ?? null;
    const auth = await deps.verifier.verify(
      request.headers.authorization,
      operation ? wire.scope(match.endpoint, operation.actionKey) : '\u0000',
    );
    const scopeSkipped =
      !auth.ok &&
      ((auth.reason === 'insufficient-scope' &&
        ((request.method === 'DELETE' && deps.defects.has('skip-scope-check-on-delete')) ||
          (operation !== undefined &&
            deps.defects.has('check-scope-kind-only') &&
            grantsKind(request.headers.authorization, sameKindScopes(operation.actionKey))))) ||
        (auth.reason === 'expired' && request.method === 'GET' && deps.defects.has('accept-expired-on-get')));
    if (!auth.ok && !scopeSkipped && (auth.status === 401 || operation)) throw rejection(auth, request.headers.authorization);
    context.clientId = auth.ok ? auth.clientId : scopeSkipped ? clientIdOf(request.headers.authorization) : null;
    if (!operation) {
      const words = declared.map((key) => wire.actionWord(key));
      throw new ProblemError(
        400,
        'action-not-declared',
        'Action not declared',
        word === undefined
          ? `name the action in ${actionNamingHint(profile)}; ${request.method} ${match.endpoint} declares: ${words.join(', ')}`
          : `${request.method} ${match.endpoint} does not declare the action "${word}"; it declares: ${words.join(', ')}`,
        { extensions: { allowedActions: words } },
      );
    }
    return operation;
  }
}

/** The xml-create-without-data defect: the record as an XML writer that skips nested objects would write it. */
function withoutData(result: OperationResult): OperationResult {
  if (typeof result.body !== 'object' || result.body === null) return result;
  const { data: _skipped, ...rest } = result.body as Record<string, unknown>;
  return { ...result, body: rest };
}

/** The epoch-timestamps-on-crm defect: every createdAt and updatedAt of the answer, records in a list included, as epoch ms. */
function withEpochTimestamps(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withEpochTimestamps);
  if (typeof body !== 'object' || body === null) return body;
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) =>
      (key === 'createdAt' || key === 'updatedAt') && typeof value === 'string'
        ? [key, Date.parse(value)]
        : [key, withEpochTimestamps(value)],
    ),
  );
}
