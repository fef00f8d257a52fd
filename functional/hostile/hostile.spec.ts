import * as allure from 'allure-js-commons';
import type { JWK } from 'jose';
import { jwksUrlOf } from '../../fixtures/clients/oauth-client.ts';
import { fetchFor } from '../../fixtures/clients/tls.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { Problem } from '../../fixtures/schemas/problem.ts';
import { eventsSettled, observedState } from '../support/outcomes.ts';
import { catalog, labelRow, rowDetails, rowTitle, seedOf } from '../support/row-tests.ts';
import { describeKind, hostilePlan, hostileRequest, refusals } from './inputs.ts';
import { sendRaw } from './send-raw.ts';

/**
 * The hostile-input campaign (tag @hostile): every catalog row sends one hostile input to its operation,
 * the kinds spread evenly over the rows they apply to (tokens and query parameters everywhere, bodies where
 * the operation takes one, XML where the row promises it, ids where a record is named). Each must be
 * refused with a problem-details 4xx (413 where HTTP says so), leave the record as it was, emit no event,
 * leave one log entry with the refusal's status and outcome, and leave the target serving the operation.
 */
test.use({ bucket: 'hostile' });

/** Status codes HTTP lets a server send without a body of its own. */
const bareStatuses = new Set([413, 414, 431]);

const planned = hostilePlan(catalog);

let jwks: Promise<{ keys: JWK[] }> | undefined;

for (const { row, operation, kind } of planned) {
  test(
    rowTitle(row, `refuses ${describeKind[kind]}: a 4xx problem, nothing written, no event, logged`),
    rowDetails(row, 'hostile'),
    async ({ api, target, profile, wire, oauth, clientId, kafka, logs }) => {
      await labelRow(row, 'hostile');
      await allure.parameter('hostile input', kind);
      const call = await arrangeCall(api, operation, seedOf(row, 40));
      const before = await observedState(api, operation, call);
      const { spec, requestId } = await api.prepare(operation, call);
      const raw = await hostileRequest(kind, {
        operation,
        wire,
        target,
        valid: spec,
        token: await oauth.token(clientId),
        version: call.version ?? wire.currentVersion,
        // Fetched on first use only (the algorithm-confusion kind), once per worker.
        jwks: () => {
          jwks ??= jwksUrlOf(target, profile).then(
            async (url) => (await (await fetchFor(target.caFile))(url)).json() as Promise<{ keys: JWK[] }>,
          );
          return jwks;
        },
        clientId,
      });
      const answer = await sendRaw(api.baseUrl, raw, { caFile: target.caFile });
      const said = `${kind}: ${answer.status} ${answer.body.slice(0, 300)}`;

      expect(refusals[kind], `${said}: refused with one of ${refusals[kind].join(', ')}`).toContain(answer.status);
      if (!bareStatuses.has(answer.status)) {
        expect(String(answer.headers['content-type']), said).toContain(mediaTypes.problemJson);
        expect(Problem.parse(JSON.parse(answer.body)).status).toBe(answer.status);
      }
      if (kind.startsWith('xml-')) expect(answer.durationMs, `${kind} refused before any expansion`).toBeLessThan(1000);

      const entry = await logs.entryFor(requestId);
      if (!entry) throw new Error(`no transaction-log entry for the hostile request ${requestId} (${kind})`);
      // The outcome, not the status: the log's fidelity to each status is the transaction-log checks' business.
      expect(['client-error', 'rejected'], `the outcome logged for ${requestId} (${entry.status})`).toContain(entry.outcome);
      expect(await observedState(api, operation, call), 'the record after the hostile request').toEqual(before);
      await eventsSettled(kafka, api, requestId);
      expect(kafka.eventsFor(requestId), `events of ${requestId}`).toEqual([]);

      const again = await api.send(operation, call);
      expect(again.status, `the same operation, sent right, after the hostile input`).toBe(wire.successStatus(operation.actionKey));
    },
  );
}
