import { rmSync } from 'node:fs';
import { PactV4 } from '@pact-foundation/pact';
import { expect, test } from '@playwright/test';
import { urlOf } from '../../fixtures/profile/wire.ts';
import { type HttpInteraction, rowInteractions } from '../interactions/http-interactions.ts';
import { exampleAuthorization } from '../interactions/matchers.ts';
import { catalog, labelRow } from '../support/catalog-rows.ts';
import { contractTests, declaration, rowsToPlay } from '../support/contract-tests.ts';
import { assemblePact, interactionsPerRow } from '../support/pact-files.ts';
import { rowPactDir } from '../support/participants.ts';
import { contractWire } from '../support/wire.ts';
import { declareHttpInteraction, pactOptions } from './declare-interaction.ts';
import { readAnswer } from './read-answer.ts';

/**
 * One test per catalog row: each of the row's HTTP interactions is played against a Pact mock
 * provider by the suite's own request builder, and written to the row's pact. The worker that
 * played every row joins their pacts into reports/output/pacts/td448-suite-td448-gateway.json.
 */

async function play(interaction: HttpInteraction, dir: string) {
  const pact = new PactV4(pactOptions('http', dir));
  await declareHttpInteraction(pact, interaction).executeTest(async (server) => {
    const spec = contractWire.request(interaction.operation, {
      ...interaction.call,
      ...(interaction.sendsToken ? { authorization: exampleAuthorization } : {}),
    });
    const response = await fetch(urlOf(server.url, spec), {
      method: spec.method,
      headers: spec.headers,
      ...(spec.body !== undefined ? { body: spec.body } : {}),
    });
    await readAnswer(interaction, response);
  });
}

const outcomes = { passed: 0, failed: 0 };
test.afterEach(({}, testInfo) => {
  outcomes[testInfo.status === testInfo.expectedStatus ? 'passed' : 'failed']++;
});

/** Only a worker that played every row joins them: a filtered run (--grep) leaves the per-row pacts as they are. */
test.afterAll(() => {
  if (outcomes.failed > 0 || outcomes.passed < catalog.rows.length) {
    console.log(
      `HTTP pact not assembled: ${outcomes.passed} of ${catalog.rows.length} rows passed in this worker (node scripts/contracts.ts assemble joins the rows' pacts)`,
    );
    return;
  }
  const { file, pact } = assemblePact(
    'http',
    catalog.rows.map((row) => row.number),
  );
  console.log(
    `HTTP pact: ${pact.interactions.length} interactions for ${interactionsPerRow(pact).size} of ${catalog.rows.length} rows → ${file}`,
  );
});

// A slice plays the rows it selects (their consumer or provider test), not the whole catalog: rowsToPlay.
for (const row of rowsToPlay('http', catalog.rows)) {
  test(...declaration(row, contractTests.http.consumer), async () => {
    await labelRow(row, 'contract-consumer');
    const dir = rowPactDir('http', row.number);
    rmSync(dir, { recursive: true, force: true });
    const interactions = rowInteractions(row);
    expect(interactions.length, 'the row has interactions').toBeGreaterThan(0);
    for (const interaction of interactions) {
      await test.step(interaction.description.slice(interaction.description.lastIndexOf(' · ') + 3), () => play(interaction, dir));
    }
  });
}
