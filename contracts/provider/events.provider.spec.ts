import { rowsWithEvents } from '../interactions/event-messages.ts';
import { catalog } from '../support/catalog-rows.ts';
import { contractTests, declaration } from '../support/contract-tests.ts';
import { test, verifyRow } from './provider-test.ts';

/** Every Kafka row's event, published by the target for a real operation and read from Kafka, against its message pact. */
for (const row of rowsWithEvents(catalog)) {
  test(...declaration(row, contractTests.events.provider), async ({ verifier, target }) => {
    await verifyRow(row, 'events', 'event-contract-provider', { verifier, target });
  });
}
