import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { faultStates } from '../interactions/provider-states.ts';
import { type PactInteraction, readPact, writePact } from '../support/pact-files.ts';
import { type PactKind, pactDir, pactFile, rowPactFile } from '../support/participants.ts';

const faultStateNames = new Set<string>(Object.values(faultStates).map((state) => state.name));
const needsFaults = (interaction: PactInteraction) => (interaction.providerStates ?? []).some((state) => faultStateNames.has(state.name));

export interface PactToVerify {
  file: string;
  interactions: number;
  /** Interactions left out, each with the reason: reported as not run, never as passed. */
  notRun: { description: string; reason: string }[];
}

/**
 * The pact to verify against `target`: `file` itself, or, when the target refuses test-only fault
 * injection, a copy without the interactions that need it (written under reports/output/pacts/without-faults/).
 */
export function verifiablePact(file: string, target: TargetDescription, name: string): PactToVerify {
  if (!existsSync(file)) throw new Error(`${file} does not exist: run the contracts-consumer project first, which writes the pacts`);
  const pact = readPact(file);
  if (target.faultInjection) return { file, interactions: pact.interactions.length, notRun: [] };
  const reason = `target "${target.name}" refuses test-only fault injection (faultInjection: false)`;
  const notRun = pact.interactions.filter(needsFaults).map((interaction) => ({ description: interaction.description, reason }));
  const kept = pact.interactions.filter((interaction) => !needsFaults(interaction));
  if (notRun.length === 0) return { file, interactions: kept.length, notRun };
  const filtered = join(pactDir, 'without-faults', `${name}.json`);
  writePact(filtered, { ...pact, interactions: kept });
  return { file: filtered, interactions: kept.length, notRun };
}

/** The pact the consumer test of one row wrote, as the row's provider test verifies it. */
export const rowPactToVerify = (kind: PactKind, row: number, target: TargetDescription) =>
  verifiablePact(rowPactFile(kind, row), target, `${kind}-row-${row}`);

/** The assembled pact of a provider, as a whole-pact verification (the script, CI) verifies it. */
export const pactToVerify = (kind: PactKind, target: TargetDescription) => verifiablePact(pactFile(kind), target, kind);
