import { join } from 'node:path';
import type { Row } from '../../fixtures/catalog/model.ts';
import { test as base, expect } from '../../fixtures/playwright/test.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { type ContractCheck, labelRow } from '../support/catalog-rows.ts';
import { type PactKind, pactDir } from '../support/participants.ts';
import { rowPactToVerify } from './pacts-to-verify.ts';
import { describeFailures } from './verification-outcome.ts';
import { VerifierProcess } from './verifier-process.ts';

/** The Playwright test of provider verification: one verifier process per worker, for the resolved target. */
export const test = base.extend<Record<never, never>, { verifier: VerifierProcess }>({
  verifier: [
    async ({ target }, use, workerInfo) => {
      const verifier = VerifierProcess.start(target, join(pactDir, 'logs', `verifier-${workerInfo.workerIndex}.log`));
      await use(verifier);
      await verifier.close();
    },
    { scope: 'worker' },
  ],
});

export { expect };

/**
 * Verifies the pact the consumer test of `row` wrote against the target; a failure lists the
 * row's failed interactions (each description names the row) with their mismatches.
 */
export async function verifyRow(
  row: Row,
  kind: PactKind,
  check: ContractCheck,
  { verifier, target }: { verifier: VerifierProcess; target: TargetDescription },
) {
  await labelRow(row, check);
  const pact = rowPactToVerify(kind, row.number, target);
  for (const { description, reason } of pact.notRun)
    test.info().annotations.push({ type: 'not-run', description: `${description}: ${reason}` });
  if (pact.interactions === 0) test.skip(true, pact.notRun[0]?.reason ?? 'no interaction to verify');
  const outcome = await verifier.verify({ kind, pactUrls: [pact.file] });
  await test.info().attach('verification.json', { body: JSON.stringify(outcome, null, 2), contentType: 'application/json' });
  expect(
    outcome.passed,
    `verification of row ${row.number} against ${target.name} failed:\n${describeFailures(outcome)}\n(verifier log: ${verifier.logFile})`,
  ).toBe(true);
  expect(outcome.interactions.length, 'every interaction of the row was verified').toBe(pact.interactions);
}
