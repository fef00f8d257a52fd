import type { Catalog } from '../fixtures/catalog/model.ts';
import type { Defect } from '../reference-implementation/defects.ts';
import { expectedRed, plantedDefects, provenByLoad } from './planted-defects.ts';

/** A (row, check) pair as the proofs name it: `"<catalog row number>:<check kind>"`, e.g. `"12:rollback"`. */
export type Pair = string;

/** Defects planted together in one stack, and the pairs each must turn red there. */
export type Batch = {
  defects: Defect[];
  /** Each defect's expected red pairs, computed with the whole batch planted (a defect can hide another's evidence). */
  pairs: Map<Defect, Set<Pair>>;
};

/** Whether the check that must catch the defect is a contract check (`contract-provider`, `event-contract-provider`). */
const caughtByContracts = (defect: Defect) => plantedDefects[defect].check.includes('contract');

/**
 * The suite whose checks must catch a defect the suites prove: `contracts`, `load` (the smoke campaigns, run by
 * scripts/load.ts against the stack) or `functional`.
 */
export const suiteOf = (defect: Defect): 'contracts' | 'load' | 'functional' =>
  caughtByContracts(defect) ? 'contracts' : provenByLoad(defect) ? 'load' : 'functional';

const pairsOf = (catalog: Catalog, defect: Defect, planted: readonly Defect[]) => expectedRed(catalog, [defect], new Set(planted));

/**
 * Whether two defects can be planted in one stack and still be told apart: their expected red pairs do not
 * overlap, and neither one's pairs change when the other is planted beside it (drop-event hides the event that
 * shows skip-rollback committing a read). Computed from the declarations of selfcheck/planted-defects.ts,
 * never from a list of exceptions. A defect a contract or load check must catch is planted only with others of its kind
 * (a batch's run judges the checks of its suite only).
 */
export function compatible(catalog: Catalog, a: Defect, b: Defect): boolean {
  // A run with the contract projects judges every defect planted in it by its contracts too, where only a contract
  // defect declares pairs: a functional defect caught by a contract as well would read as a false alarm.
  if (suiteOf(a) !== suiteOf(b)) return false;
  const aAlone = pairsOf(catalog, a, [a]);
  const bAlone = pairsOf(catalog, b, [b]);
  const aWith = pairsOf(catalog, a, [a, b]);
  const bWith = pairsOf(catalog, b, [a, b]);
  const same = (x: Set<Pair>, y: Set<Pair>) => x.size === y.size && [...x].every((pair) => y.has(pair));
  return same(aAlone, aWith) && same(bAlone, bWith) && ![...aAlone].some((pair) => bAlone.has(pair));
}

/**
 * The defects the functional suite proves, grouped into as few batches as a greedy colouring finds (largest red
 * set first), each batch a set of pairwise compatible defects. Defects proven by the @resilience checks
 * (`provenByResilience`) are left out: each is proven alone by its check. Deterministic for a given input order.
 */
export function batchesOf(catalog: Catalog, defects: readonly Defect[]): Batch[] {
  const functional = defects.filter((defect) => !plantedDefects[defect].provenByResilience);
  const size = new Map(functional.map((defect) => [defect, pairsOf(catalog, defect, [defect]).size]));
  const ordered = [...functional].sort((a, b) => (size.get(b) ?? 0) - (size.get(a) ?? 0));
  const groups: Defect[][] = [];
  for (const defect of ordered) {
    const group = groups.find((members) => members.every((member) => compatible(catalog, member, defect)));
    if (group) group.push(defect);
    else groups.push([defect]);
  }
  return groups.map((members) => ({
    defects: members,
    pairs: new Map(members.map((defect) => [defect, pairsOf(catalog, defect, members)])),
  }));
}

/**
 * The rows a sampled self-check runs for one batch: for each defect, `perDefect` of the rows of its expected pairs,
 * spread evenly over them (the first and the last included), so that a defect breaking one endpoint or one method
 * is judged there too. Every check of a sampled row runs, so a false alarm on a sampled row is still seen.
 * Sorted catalog row numbers.
 */
export function sampleRows(batch: Batch, perDefect: number): number[] {
  const rows = new Set<number>();
  for (const pairs of batch.pairs.values()) {
    const own = [...new Set([...pairs].map((pair) => Number(pair.split(':')[0])))].sort((a, b) => a - b);
    const take = Math.min(perDefect, own.length);
    for (let i = 0; i < take; i += 1) {
      const row = own[take === 1 ? 0 : Math.round((i * (own.length - 1)) / (take - 1))];
      if (row !== undefined) rows.add(row);
    }
  }
  return [...rows].sort((a, b) => a - b);
}

/** A Playwright --grep selecting every check of these catalog rows (their `@row-N` tags). */
export const rowsGrep = (rows: readonly number[]) => `@row-(${rows.join('|')})\\b`;

/**
 * The Playwright projects a batch's run needs: the functional suite, and the contract projects (the consumer tests
 * write the pacts, the provider verification checks them against the stack) when a defect of the batch is caught by
 * a contract check (`contract-provider`, `event-contract-provider`). Contract checks are judged only in those runs.
 * None for a batch of load defects: its run is the smoke load campaigns (scripts/load.ts), not Playwright.
 */
export function projectsOf(batch: Pick<Batch, 'defects'>): string[] {
  if (batch.defects.some(provenByLoad)) return [];
  return batch.defects.some(caughtByContracts) ? ['functional', 'contracts-consumer', 'contracts-provider'] : ['functional'];
}
