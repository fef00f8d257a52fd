import { isDeepStrictEqual } from 'node:util';
import type { JWK } from 'jose';
import { mutatingActions } from '../../fixtures/catalog/vocabulary.ts';
import { jwksUrlOf } from '../../fixtures/clients/oauth-client.ts';
import { fetchFor } from '../../fixtures/clients/tls.ts';
import { type HostileObservation, recordObservation } from '../../fixtures/playwright/hostile-observation.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import type { Wire } from '../../fixtures/profile/wire.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { Problem } from '../../fixtures/schemas/problem.ts';
import { collectionProfile } from '../../fixtures/target/provide-target.ts';
import { eventsSettled, observedState } from '../support/outcomes.ts';
import { catalog, labelRow, rowDetails, rowTitle, seedOf } from '../support/row-tests.ts';
import { describeKind, hostilePlan, hostileRequest, kindsFor, type RawRequest, refusals } from './inputs.ts';
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

// Planned under the profile the target speaks (where a GET's fields travel decides the body and query kinds).
const planned = hostilePlan(catalog, collectionProfile().requests.bodylessFields);

let jwks: Promise<{ keys: JWK[] }> | undefined;

/** The hostile request's operation asked by a client without a token: no body, its own request id (none sent). */
function bystanderOf(raw: RawRequest, wire: Wire): RawRequest {
  const dropped = new Set(['authorization', 'content-type', wire.profile.headers.requestId.toLowerCase()]);
  return { ...raw, headers: raw.headers.filter(([name]) => !dropped.has(name.toLowerCase())), body: undefined };
}

/** The `status` member of a problem-details body (RFC 9457 §3.1.2); undefined when the body is none. */
function problemStatusOf(body: string): number | undefined {
  try {
    const parsed = Problem.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.status : undefined;
  } catch {
    return undefined;
  }
}

for (const { row, operation, kind } of planned) {
  test(
    rowTitle(row, `refuses ${describeKind[kind]}: a 4xx problem, nothing written, no event, logged`),
    rowDetails(row, 'hostile'),
    async ({ api, target, profile, wire, oauth, clientId, kafka, logs }) => {
      await labelRow(row, 'hostile');
      expect(kindsFor(operation, profile.requests), `${kind} applies to ${operation.id} under profile ${profile.name}`).toContain(kind);
      const seen: HostileObservation = { input: kind, answered: 'not observed', written: 'not observed', emitted: 'not observed' };
      try {
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
        // An XML attack is sent with a bystander beside it: a request of another client (no token, so a 401 and
        // nothing written) that must be answered within the catalog's second while the attack is refused; a
        // parser expanding entities on the event loop would hold it up.
        const xml = kind.startsWith('xml-');
        let sent: () => void = () => {};
        const attackSent = new Promise<void>((resolve) => {
          sent = resolve;
        });
        const [answer, bystander] = await Promise.all([
          sendRaw(api.baseUrl, raw, { caFile: target.caFile, onSent: () => sent() }),
          // Sent once the attack is all written: it reaches the target while the attack is being refused.
          xml ? attackSent.then(() => sendRaw(api.baseUrl, bystanderOf(raw, wire), { caFile: target.caFile })) : undefined,
        ]);
        const said = `${kind}: ${answer.status} ${answer.body.slice(0, 300)}`;

        // Soft assertions: what was written and emitted is observed (and counted) even when the answer was wrong.
        const errorsBefore = test.info().errors.length;
        expect.soft(refusals[kind], `${said}: refused with one of ${refusals[kind].join(', ')}`).toContain(answer.status);
        // A malformed header field is the HTTP parser's to refuse (RFC 9112 §2.2), before any application code:
        // its bare 400 has no problem details and leaves no log entry. Told apart from the application's own 400 by
        // the request id: the application answers with it, a parser never read it.
        const byHttpParser =
          kind === 'cr-in-header-value' &&
          answer.status === 400 &&
          answer.headers[wire.profile.headers.requestId.toLowerCase()] === undefined;
        if (byHttpParser) test.info().annotations.push({ type: 'refused by the HTTP parser', description: said });
        if (!bareStatuses.has(answer.status) && !byHttpParser) {
          expect.soft(String(answer.headers['content-type']), said).toContain(mediaTypes.problemJson);
          expect.soft(problemStatusOf(answer.body), `${said}: a problem-details body with its status`).toBe(answer.status);
        }
        if (xml) expect.soft(answer.durationMs, `${kind} refused before any expansion`).toBeLessThan(1000);
        if (bystander) {
          // Refused (a token is missing: 401, or the body first: 400, 415); how fast is what it is there for.
          expect.soft(bystander.status, 'the bystander request (no token) beside the XML attack: a 4xx').toBeGreaterThanOrEqual(400);
          expect.soft(bystander.status, 'the bystander request: a 4xx').toBeLessThan(500);
          expect.soft(bystander.durationMs, 'the bystander request answered within 1 s during the XML attack').toBeLessThan(1000);
        }
        const entry = byHttpParser ? undefined : await logs.entryFor(requestId);
        if (!byHttpParser) expect.soft(entry, `a transaction-log entry for the hostile request ${requestId} (${kind})`).toBeDefined();
        // The outcome, not the status: the log's fidelity to each status is the transaction-log checks' business.
        if (entry)
          expect.soft(['client-error', 'rejected'], `the outcome logged for ${requestId} (${entry.status})`).toContain(entry.outcome);
        seen.answered = test.info().errors.length === errorsBefore ? 'correctly' : 'wrongly';

        const after = await observedState(api, operation, call);
        // A create accepted writes a record of its own id, which the arranged record's read-back cannot see.
        const acceptedWrite = answer.status < 300 && mutatingActions.includes(operation.actionKey);
        seen.written = acceptedWrite || !isDeepStrictEqual(after, before) ? 'something' : 'nothing';
        expect.soft(after, 'the record after the hostile request').toEqual(before);
        await eventsSettled(kafka, api, requestId);
        seen.emitted = kafka.eventsFor(requestId).length === 0 ? 'nothing' : 'events';
        expect.soft(kafka.eventsFor(requestId), `events of ${requestId}`).toEqual([]);

        const again = await api.send(operation, call);
        expect(again.status, `the same operation, sent right, after the hostile input`).toBe(wire.successStatus(operation.actionKey));
      } finally {
        await recordObservation(seen);
      }
    },
  );
}
