import { catalog, rowDetails, rowTitle } from '../support/catalog-rows.ts';
import { test, verifyRow } from './provider-test.ts';

/** Every row's HTTP interactions, verified against the target: the embedded stack, or TD448_TARGET. */
for (const row of catalog.rows) {
  test(rowTitle(row, 'HTTP contract verified on the provider'), rowDetails(row, 'contract-provider'), async ({ verifier, target }) => {
    await verifyRow(row, 'http', 'contract-provider', { verifier, target });
  });
}
