import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { expectProblem } from '../support/expectations.ts';
import { failingCall, observedState, subjectOf } from '../support/outcomes.ts';
import { contradictionsOf, labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'notes' });

const safe = new Set(['GET']);
const idempotent = new Set(['GET', 'PUT', 'DELETE']);

for (const row of rowsPromising('restful')) {
  const operation = operationOf(row);
  // Only these findings break REST itself; the others are about other promises of the row.
  const contradictions = contradictionsOf(row).filter((finding) => finding.kind === 'unsafe-get' || finding.kind === 'delete-creates');
  test(
    rowTitle(row, 'follows RESTful conventions: status codes, headers, problem details, safe and idempotent methods'),
    rowDetails(row, 'restful'),
    async ({ api }) => {
      await labelRow(row, 'restful');
      // The catalog asks this row for REST and for an unsafe GET or a creating DELETE at once: both cannot hold.
      test.fail(contradictions.length > 0, `catalog contradiction: ${contradictions.map((finding) => finding.kind).join(', ')}`);

      const call = await arrangeCall(api, operation, seedOf(row, 17), { explicitId: operation.method === 'PUT', withRecord: true });
      const before = await observedState(api, operation, call);
      const sent = await api.send(operation, call);
      const expected = api.wire.successStatus(operation.actionKey);
      expect(sent.status, `${operation.method} ${operation.actionKey}: ${await sent.response.text()}`).toBe(
        safe.has(operation.method) ? 200 : expected,
      );
      if (operation.method === 'DELETE') expect(sent.status, 'DELETE removes a resource; it does not create one').not.toBe(201);

      if (expected === 201) {
        const location = sent.response.headers().location;
        expect(location, '201 Created names the new resource in Location').toBeTruthy();
        const created = (await subjectOf(api, call, sent)) ?? '';
        expect((await api.observeRecord(operation.endpoint, created)).status, 'Location points at the new resource').toBe(200);
      }
      if (expected === 204) {
        expect(await sent.response.body(), '204 No Content has no body').toHaveLength(0);
        if (call.id) expect((await api.observeRecord(operation.endpoint, call.id)).status, 'a deleted resource is gone').toBe(404);
      }
      if (expected === 200) expect(sent.response.headers()['content-type']).toMatch(/^application\/(json|xml)/);

      if (safe.has(operation.method)) {
        expect(await observedState(api, operation, call), 'GET is safe: it changes nothing').toEqual(before);
      }
      if (idempotent.has(operation.method) && call.id !== undefined) {
        const afterFirst = await observedState(api, operation, call);
        await api.send(operation, call);
        expect(await observedState(api, operation, call), `${operation.method} is idempotent: repeating it changes nothing more`).toEqual(
          afterFirst,
        );
      }

      const failed = await api.send(operation, await failingCall(api, operation, call));
      expect(failed.status).toBeGreaterThanOrEqual(400);
      await expectProblem(failed, failed.status);
    },
  );
}

/**
 * The endpoint's answer to a method it does not serve (RFC 9110 §15.5.6: 405 with an Allow header naming what it
 * serves) is part of every RESTful row of that endpoint: judged once per row, so a gateway that breaks it turns all
 * those rows red in the matrix, not one endpoint-level check that names no row.
 */
for (const row of rowsPromising('restful')) {
  test(
    rowTitle(row, `its endpoint answers an undeclared method with 405 and Allow naming the declared ones (RFC 9110 §15.5.6)`),
    rowDetails(row, 'restful'),
    async ({ api, catalog }) => {
      await labelRow(row, 'restful');
      const declared = new Set(catalog.operations.filter((op) => op.endpoint === row.endpoint).map((op) => op.method));
      const response = await api.raw(
        'TRACE',
        api.wire.path({ endpoint: row.endpoint, actionKey: 'export' }, api.wire.currentVersion, undefined, null),
      );
      expect(response.status(), await answered(response)).toBe(405);
      const allow = (response.headers().allow ?? '').split(',').map((method) => method.trim());
      expect(allow, 'Allow names every method the endpoint declares').toEqual(expect.arrayContaining([...declared]));
    },
  );
}
