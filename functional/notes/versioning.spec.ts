import { answered } from '../../fixtures/playwright/answered.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { expectProblem } from '../support/expectations.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

test.use({ bucket: 'notes' });

for (const row of rowsPromising('versioning')) {
  const operation = operationOf(row);
  test(
    rowTitle(row, 'is served by v1 and v2, v1 announces its deprecation, an unknown version fails clearly'),
    rowDetails(row, 'versioning'),
    async ({ api }) => {
      await labelRow(row, 'versioning');
      const v1 = await api.send(operation, { ...(await arrangeCall(api, operation, seedOf(row, 9))), version: 'v1' });
      expect(v1.status, await answered(v1.response)).toBe(api.wire.successStatus(operation.actionKey));
      const notice = api.wire.deprecation(v1.response.headers());
      expect(notice.deprecated, 'v1 carries a Deprecation header (RFC 9745 @epoch, or an older form the profile allows)').toBe(true);
      if (notice.olderForm) {
        test.info().annotations.push({
          type: 'finding',
          description: `v1 announces its deprecation in the older ${notice.olderForm} form, not RFC 9745's @epoch (allowed by the profile's deprecation.olderForms)`,
        });
      }
      expect(notice.sunset?.getTime() ?? 0, 'v1 carries a Sunset date (RFC 8594)').toBeGreaterThan(Date.now());
      expect(v1.response.headers().link ?? '').toContain('rel="successor-version"');

      const v2 = await api.send(operation, { ...(await arrangeCall(api, operation, seedOf(row, 10))), version: 'v2' });
      expect(v2.status, await answered(v2.response)).toBe(api.wire.successStatus(operation.actionKey));
      expect(api.wire.deprecation(v2.response.headers()).deprecated).toBe(false);

      const unknown = await api.send(operation, { ...(await arrangeCall(api, operation, seedOf(row, 11))), version: 'v9' });
      const problem = await expectProblem(unknown, 404);
      expect(problem.detail).toContain('v1');
      expect(problem.detail).toContain('v2');
    },
  );
}
