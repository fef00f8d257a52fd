import { rowsWithEvents } from '../interactions/event-messages.ts';
import { catalog, rowDetails, rowTitle } from '../support/catalog-rows.ts';
import { test, verifyRow } from './provider-test.ts';

/** Every Kafka row's event, published by the target for a real operation and read from Kafka, against its message pact. */
for (const row of rowsWithEvents(catalog)) {
  test(
    rowTitle(row, 'event contract verified on the provider'),
    rowDetails(row, 'event-contract-provider'),
    async ({ verifier, target }) => {
      await verifyRow(row, 'events', 'event-contract-provider', { verifier, target });
    },
  );
}
