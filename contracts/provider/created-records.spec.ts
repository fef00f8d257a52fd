import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCreatedRecords, recordsStillThere, removeCreatedRecords } from '../../fixtures/target/created-records.ts';
import { profileOf } from '../../fixtures/target/resolve-target.ts';
import { rowsWithEvents } from '../interactions/event-messages.ts';
import { catalog } from '../support/catalog-rows.ts';
import { readPact } from '../support/pact-files.ts';
import { type PactKind, pactDir } from '../support/participants.ts';
import { rowPactToVerify } from './pacts-to-verify.ts';
import { expect, test } from './provider-test.ts';
import { VerifierProcess } from './verifier-process.ts';

/** A row whose create interactions and message both make records with ids the target chooses. */
const row = rowsWithEvents(catalog).find((candidate) =>
  catalog.operations.some((op) => op.rows.includes(candidate.number) && op.actionKey === 'create'),
);

test(`the records that verifying row ${row?.number}'s pacts creates are noted in the run's ledger, and the cleanup removes them`, async ({
  target,
}) => {
  test.setTimeout(180_000);
  if (!row) throw new Error('the catalog has no Kafka row of a create action: the premise of this test is gone');
  const ledger = mkdtempSync(join(tmpdir(), 'td448-contracts-ledger-'));
  const verifier = VerifierProcess.start(target, join(pactDir, 'logs', `verifier-ledger-${process.pid}.log`), { ledger });
  const stateIds = new Set<string>();
  try {
    for (const kind of ['http', 'events'] as PactKind[]) {
      const pact = rowPactToVerify(kind, row.number, target);
      for (const interaction of readPact(pact.file).interactions)
        for (const state of interaction.providerStates ?? []) if (typeof state.params?.id === 'string') stateIds.add(state.params.id);
      const outcome = await verifier.verify({ kind, pactUrls: [pact.file] });
      expect(outcome.passed, `the ${kind} pact of row ${row.number} verifies`).toBe(true);
    }
  } finally {
    await verifier.close();
  }
  const noted = readCreatedRecords(ledger, 'contracts');
  const createdByInteractions = noted.filter((record) => !stateIds.has(record.id));
  expect(
    createdByInteractions.length,
    'records the create interactions and the message provider made, ids the target chose',
  ).toBeGreaterThanOrEqual(2);

  const profile = profileOf(target);
  const before = await recordsStillThere({ target, profile, catalog, records: createdByInteractions });
  expect(before.length, 'what the interactions created is on the target until the cleanup').toBe(createdByInteractions.length);
  const cleanup = await removeCreatedRecords({ target, profile, catalog, records: noted });
  expect(cleanup.notRemoved).toEqual([]);
  expect(cleanup.removed, 'at least the records the interactions created').toBeGreaterThanOrEqual(createdByInteractions.length);
  expect(await recordsStillThere({ target, profile, catalog, records: noted })).toEqual([]);
});
