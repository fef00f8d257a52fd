import { catalog } from '../support/catalog-rows.ts';
import { expect, test } from './provider-test.ts';
import type { ShapeChange } from './response-rewriting-proxy.ts';
import { verifyShapeChange } from './shape-change.ts';

const change: ShapeChange = { endpoint: '/customer/update', field: 'resource', renamedTo: 'resourceType' };

test(`renaming "${change.field}" in the answers of ${change.endpoint} breaks the verification of exactly that endpoint's interactions`, async ({
  verifier,
  target,
}) => {
  test.setTimeout(300_000);
  const report = await verifyShapeChange((request) => verifier.verify(request), target, catalog, change);
  await test.info().attach('shape-change.json', { body: JSON.stringify(report, null, 2), contentType: 'application/json' });

  expect(report.rewrittenResponses, 'the proxy changed answers of the endpoint').toBeGreaterThan(0);
  expect(report.outcome.interactions.length, 'every row’s interactions were verified').toBeGreaterThan(catalog.rows.length);
  expect(report.brokeElsewhere, 'interactions of other endpoints, or without a body, broke').toEqual([]);
  expect(report.survived, `answers of ${change.endpoint} that the change did not break`).toEqual([]);
  expect(report.expected.length).toBeGreaterThan(0);
});
