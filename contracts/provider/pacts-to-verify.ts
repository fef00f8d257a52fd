import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { faultStates } from '../interactions/provider-states.ts';
import { readPact, writePact } from '../support/pact-files.ts';
import { type PactKind, pactDir, rowPactFile } from '../support/participants.ts';

const faultStateNames = new Set<string>(Object.values(faultStates).map((state) => state.name));

export interface PactToVerify {
  file: string;
  interactions: number;
  /** Interactions left out, each with the reason: reported as not run, never as passed. */
  notRun: { description: string; reason: string }[];
}

/**
 * The pact a row's provider test verifies: the one its consumer test wrote, without the interactions
 * that need test-only fault injection when the target refuses it.
 */
export function rowPactToVerify(kind: PactKind, row: number, target: TargetDescription): PactToVerify {
  const file = rowPactFile(kind, row);
  if (!existsSync(file))
    throw new Error(`${file} does not exist: the consumer test of row ${row} wrote no pact (run the contracts-consumer project first)`);
  const pact = readPact(file);
  if (target.faultInjection) return { file, interactions: pact.interactions.length, notRun: [] };
  const needsFaults = (interaction: (typeof pact.interactions)[number]) =>
    (interaction.providerStates ?? []).some((state) => faultStateNames.has(state.name));
  const kept = pact.interactions.filter((interaction) => !needsFaults(interaction));
  const reason = `target "${target.name}" refuses test-only fault injection (faultInjection: false)`;
  const notRun = pact.interactions.filter(needsFaults).map((interaction) => ({ description: interaction.description, reason }));
  if (notRun.length === 0) return { file, interactions: kept.length, notRun };
  const filtered = join(pactDir, 'without-faults', kind, `row-${row}.json`);
  writePact(filtered, { ...pact, interactions: kept });
  return { file: filtered, interactions: kept.length, notRun };
}
