import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall, successStatus } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { expectProblem } from '../support/expectations.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ clientId: 'suite-4' });

for (const row of rowsPromising('versioning')) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'is served by v1 and v2, v1 announces its deprecation, an unknown version fails clearly'),
    rowDetails(row, 'versioning'),
    async ({ api }) => {
      await labelRow(row, 'versioning');
      const v1 = await api.send(operation, { ...(await arrangeCall(api, operation, seedOf(row, 9))), version: 'v1' });
      expect(v1.status, await answered(v1.response)).toBe(successStatus[operation.actionKey]);
      expect(v1.response.headers().deprecation, 'v1 carries a Deprecation header (RFC 9745)').toMatch(/^@\d+$/);
      expect(Date.parse(v1.response.headers().sunset ?? ''), 'v1 carries a Sunset date (RFC 8594)').toBeGreaterThan(Date.now());
      expect(v1.response.headers().link ?? '').toContain('rel="successor-version"');

      const v2 = await api.send(operation, { ...(await arrangeCall(api, operation, seedOf(row, 10))), version: 'v2' });
      expect(v2.status, await answered(v2.response)).toBe(successStatus[operation.actionKey]);
      expect(v2.response.headers().deprecation).toBeUndefined();

      const unknown = await api.send(operation, { ...(await arrangeCall(api, operation, seedOf(row, 11))), version: 'v9' });
      const problem = await expectProblem(unknown, 404);
      expect(problem.detail).toContain('v1');
      expect(problem.detail).toContain('v2');
    },
  );
}
