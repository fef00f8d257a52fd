import { rmSync } from 'node:fs';
import { PactV4 } from '@pact-foundation/pact';
import { expect, test } from '@playwright/test';
import { readEvent } from '../../fixtures/profile/events.ts';
import { eventMessageOf, rowsWithEvents } from '../interactions/event-messages.ts';
import { catalog, labelRow, operationOf } from '../support/catalog-rows.ts';
import { contractTests, declaration, rowsToPlay } from '../support/contract-tests.ts';
import { assemblePact } from '../support/pact-files.ts';
import { rowPactDir } from '../support/participants.ts';
import { contractProfile, contractTopics } from '../support/wire.ts';
import { givenStates, pactOptions } from './declare-interaction.ts';

/**
 * One test per row that promises a Kafka event: the suite reads the event a successful operation
 * publishes (CloudEvents 1.0, structured mode) with the schema its Kafka checks use.
 */

const rows = rowsWithEvents(catalog);
const outcomes = { passed: 0, failed: 0 };
test.afterEach(({}, testInfo) => {
  outcomes[testInfo.status === testInfo.expectedStatus ? 'passed' : 'failed']++;
});

test.afterAll(() => {
  if (outcomes.failed > 0 || outcomes.passed < rows.length) {
    console.log(
      `event pact not assembled: ${outcomes.passed} of ${rows.length} rows passed in this worker (node scripts/contracts.ts assemble joins the rows' pacts)`,
    );
    return;
  }
  const { file, pact } = assemblePact(
    'events',
    rows.map((row) => row.number),
  );
  console.log(`event pact: ${pact.interactions.length} messages for ${rows.length} Kafka rows → ${file}`);
});

// A slice plays the rows it selects (their consumer or provider test); the pact is assembled only when every row passed.
for (const row of rowsToPlay('events', rows)) {
  test(...declaration(row, contractTests.events.consumer), async () => {
    await labelRow(row, 'event-contract-consumer');
    const dir = rowPactDir('events', row.number);
    rmSync(dir, { recursive: true, force: true });
    const message = eventMessageOf(row, operationOf(row));
    const pact = new PactV4(pactOptions('events', dir));
    await givenStates(pact.addAsynchronousInteraction(), message.states)
      .comment({ key: 'td448-row', value: String(row.number) })
      .expectsToReceive(message.description, (builder) => {
        builder.withJSONContent(message.content).withMetadata(message.metadata as Record<string, string>);
      })
      .executeTest(async (received) => {
        // The consumer reads the event as it comes, in the profile's content mode.
        const binary = contractProfile.events.mode === 'binary';
        const metadata = received.metadata as Record<string, string>;
        const event = binary
          ? readEvent(contractProfile.events, { value: received.contents.content, headers: metadata })
          : received.contents.content;
        const parsed = message.schema.safeParse(event);
        expect(parsed.error?.issues ?? [], 'the event fits the suite’s schema').toEqual([]);
        expect(metadata.topic).toBe(contractTopics.events);
        expect(metadata['content-type']).toMatch(binary ? /^application\/json/ : /^application\/cloudevents\+json/);
      });
  });
}
