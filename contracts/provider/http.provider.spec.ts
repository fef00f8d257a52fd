import { catalog } from '../support/catalog-rows.ts';
import { contractTests, declaration } from '../support/contract-tests.ts';
import { test, verifyRow } from './provider-test.ts';

/** Every row's HTTP interactions, verified against the target: the embedded stack, or TD448_TARGET. */
for (const row of catalog.rows) {
  test(...declaration(row, contractTests.http.provider), async ({ verifier, target }) => {
    await verifyRow(row, 'http', 'contract-provider', { verifier, target });
  });
}
