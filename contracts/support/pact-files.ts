import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { rowOfTitle } from './catalog-rows.ts';
import { type PactKind, pactFile, rowPactFile } from './participants.ts';

/** The parts of a V4 pact file this suite reads; everything else passes through untouched. */
export const PactInteraction = z.looseObject({
  type: z.string(),
  description: z.string(),
  providerStates: z.array(z.looseObject({ name: z.string(), params: z.record(z.string(), z.unknown()).optional() })).optional(),
  comments: z.looseObject({}).optional(),
});
export type PactInteraction = z.infer<typeof PactInteraction>;

export const PactDocument = z.looseObject({
  consumer: z.object({ name: z.string() }),
  provider: z.object({ name: z.string() }),
  interactions: z.array(PactInteraction),
  metadata: z.looseObject({}),
});
export type PactDocument = z.infer<typeof PactDocument>;

export function readPact(file: string): PactDocument {
  return PactDocument.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Writes through a temporary file, so a reader never sees half a pact. */
export function writePact(file: string, pact: PactDocument) {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(pact, null, 2)}\n`);
  renameSync(temporary, file);
}

/** The row an interaction belongs to: its description starts with the row's title. */
export const rowOfInteraction = (interaction: Pick<PactInteraction, 'description'>) => rowOfTitle(interaction.description);

export class IncompletePactError extends Error {
  override name = 'IncompletePactError';
}

/**
 * Joins the per-row pacts of `rows` into the one pact file of the provider (what a broker receives),
 * in catalog order. A row whose consumer test wrote no pact makes the whole file incomplete: it is refused.
 */
export function assemblePact(kind: PactKind, rows: readonly number[]): { file: string; pact: PactDocument } {
  const missing = rows.filter((row) => !existsSync(rowPactFile(kind, row)));
  if (missing.length > 0) {
    throw new IncompletePactError(
      `no ${kind} pact was written for rows ${missing.join(', ')}: their consumer tests did not pass, so ${pactFile(kind)} is not assembled`,
    );
  }
  const parts = rows.map((row) => readPact(rowPactFile(kind, row)));
  const [first] = parts;
  if (!first) throw new IncompletePactError(`no rows to assemble into the ${kind} pact`);
  const pact: PactDocument = { ...first, interactions: parts.flatMap((part) => part.interactions) };
  const file = pactFile(kind);
  writePact(file, pact);
  return { file, pact };
}

/** How many interactions each row has in a pact: the count the contract suite reports. */
export function interactionsPerRow(pact: PactDocument): Map<number, number> {
  const counts = new Map<number, number>();
  for (const interaction of pact.interactions) {
    const row = rowOfInteraction(interaction);
    if (row !== undefined) counts.set(row, (counts.get(row) ?? 0) + 1);
  }
  return counts;
}
