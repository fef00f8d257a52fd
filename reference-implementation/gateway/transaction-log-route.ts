import type { FastifyInstance } from 'fastify';
import { renderLogPage } from '../../fixtures/profile/log-entries.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { TransactionLog } from '../storage/transaction-log.ts';
import { rejection } from './auth-rejection.ts';

/** The path of the transaction-log query endpoint (the target description's logQueryUrl). */
export const transactionLogPath = '/admin/transactions';

/**
 * `GET /admin/transactions`: the transaction log for support and for the suites' log probes, behind
 * the profile's log scope (`oauth.logScope`). Its parameters are the profile's (`transactionLog.parameter`
 * selects one request's entries; the client, since and limit parameters the newest ones), and it
 * answers the entries as the profile writes them, where the profile's `entries` pointer says.
 */
export function registerTransactionLogRoute(
  app: FastifyInstance,
  deps: { verifier: TokenVerifier; transactionLog: TransactionLog; profile: TargetProfile },
) {
  const convention = deps.profile.transactionLog;
  app.get(transactionLogPath, async (request, reply) => {
    const context = request.td448;
    context.action = 'query-log';
    const auth = await deps.verifier.verify(request.headers.authorization, deps.profile.oauth.logScope);
    if (!auth.ok) throw rejection(auth, request.headers.authorization);
    context.clientId = auth.clientId;
    const query = request.query as Record<string, string | undefined>;
    const requestId = query[convention.parameter];
    const clientId = convention.clientParameter ? query[convention.clientParameter] : undefined;
    const since = query[convention.sinceParameter];
    const entries = deps.transactionLog.query({
      ...(requestId ? { requestId } : {}),
      ...(clientId ? { clientId } : {}),
      ...(since ? { since } : {}),
      limit: Number(query[convention.limitParameter] ?? 100) || 100,
    });
    const page = renderLogPage(
      convention,
      entries.map((entry) => deps.transactionLog.render(entry)),
    );
    return reply.type(mediaTypes.json).send(JSON.stringify(page));
  });
}
