import { z } from 'zod';
import type { Defect } from '../reference-implementation/defects.ts';
import { type Batch, type Pair, suiteOf } from './batches.ts';

/** What one planted defect did to the suite: the pairs it had to turn red, those that did, those that stayed green. */
export const DefectVerdict = z.object({
  defect: z.string(),
  profile: z.string(),
  /** How it was proven: `functional` or `contracts` (the suite whose check must catch it, in its batch's run), or the @resilience check's tag. */
  provenBy: z.string(),
  /** At least one expected pair went red (for a resilience defect: its check failed). */
  caught: z.boolean(),
  expected: z.number().int().nonnegative(),
  red: z.number().int().nonnegative(),
  /** Expected pairs that stayed green, as `"<row>:<check>"`. */
  missed: z.array(z.string()),
  /** Catalog rows of the expected pairs that went red. */
  rowsRed: z.array(z.number().int().positive()),
  /** Expected pairs the run did not judge: skipped (not run), or absent from a whole run (a run cut short). */
  notJudged: z.array(z.string()).default([]),
  /** Why the defect could not be judged (its batch's run wrote no record), when it could not. */
  notRun: z.string().optional(),
  /** Why the defect was left out of this run (`--grep` selected none of its checks): not counted in the score. */
  notSelected: z.string().optional(),
});
export type DefectVerdict = z.infer<typeof DefectVerdict>;

/**
 * A defect's verdict before anything of it was judged (no pair red, none missed): the base the self-check fills in
 * for a resilience run, or leaves as it is with `notRun` or `notSelected` set.
 */
export const unjudged = (defect: string, profile: string, provenBy: string, expected = 0): DefectVerdict => ({
  defect,
  profile,
  provenBy,
  caught: false,
  expected,
  red: 0,
  missed: [],
  rowsRed: [],
  notJudged: [],
});

/** One batch's run: the defects planted together, and the red pairs none of them explains (false alarms). */
export const BatchVerdict = z.object({
  profile: z.string(),
  defects: z.array(z.string()),
  falseAlarms: z.array(z.object({ pair: z.string(), reason: z.string().optional() })),
  redPairs: z.number().int().nonnegative(),
  seconds: z.number(),
});
export type BatchVerdict = z.infer<typeof BatchVerdict>;

/** The self-check's result as `npm run selfcheck -- --json` prints it. */
export const SelfCheckResult = z.object({
  defects: z.array(DefectVerdict),
  batches: z.array(BatchVerdict),
  /** Defects caught / defects planted, 0..1 (mutation testing's mutation score). */
  mutationScore: z.number().min(0).max(1),
  /** Red pairs some planted defect explains / all red pairs, 0..1 (1 when nothing went red). */
  precision: z.number().min(0).max(1),
  /** Every defect caught on every expected pair, no false alarm, nothing not run. */
  holds: z.boolean(),
  seconds: z.number(),
});
export type SelfCheckResult = z.infer<typeof SelfCheckResult>;

/** A check's verdict as the run's row-coverage record gives it (reports/row-coverage.ts). */
export type SeenCheck = { pair: Pair; title?: string; outcome: 'passed' | 'failed' | 'not-run'; reason?: string };

/**
 * Judges one batch's run: per defect, its expected pairs red or missed; for the batch, the red pairs no defect of
 * it explains. A pair is red when any of its checks failed. An expected pair the run skipped is not judged; in a
 * whole run (`whole`: no --grep, no --sample) one it did not run at all is not judged either, where a selection
 * leaves it out on purpose.
 */
export function judgeBatch(
  batch: Batch,
  profile: string,
  seen: readonly SeenCheck[],
  seconds: number,
  whole = true,
): { defects: DefectVerdict[]; batch: BatchVerdict } {
  const red = new Map<Pair, string | undefined>();
  const ran = new Set<Pair>();
  const present = new Set<Pair>();
  for (const check of seen) {
    present.add(check.pair);
    if (check.outcome !== 'not-run') ran.add(check.pair);
    if (check.outcome === 'failed' && !red.has(check.pair)) red.set(check.pair, check.reason);
  }
  const defects = batch.defects.map((defect: Defect): DefectVerdict => {
    const own = [...(batch.pairs.get(defect) ?? [])];
    const expected = own.filter((pair) => ran.has(pair));
    const hit = expected.filter((pair) => red.has(pair));
    return {
      defect,
      profile,
      provenBy: suiteOf(defect),
      caught: hit.length > 0,
      expected: expected.length,
      red: hit.length,
      missed: expected.filter((pair) => !red.has(pair)),
      rowsRed: [...new Set(hit.map((pair) => Number(pair.split(':')[0])))].sort((a, b) => a - b),
      notJudged: own.filter((pair) => !ran.has(pair) && (whole || present.has(pair))),
    };
  });
  const explained = new Set(batch.defects.flatMap((defect) => [...(batch.pairs.get(defect) ?? [])]));
  const falseAlarms = [...red].filter(([pair]) => !explained.has(pair)).map(([pair, reason]) => ({ pair, reason }));
  return { defects, batch: { profile, defects: [...batch.defects], falseAlarms, redPairs: red.size, seconds } };
}

/**
 * The whole campaign's figures from its defects' and batches' verdicts. Defects a selection left out (`notSelected`)
 * are not counted; the self-check holds when every other one was caught on every expected pair, every expected pair
 * was judged, and nothing else went red.
 */
export function summarize(defects: readonly DefectVerdict[], batches: readonly BatchVerdict[], seconds: number): SelfCheckResult {
  const counted = defects.filter((verdict) => !verdict.notSelected);
  const caught = counted.filter((verdict) => verdict.caught).length;
  const redPairs = batches.reduce((sum, batch) => sum + batch.redPairs, 0);
  const falseAlarms = batches.reduce((sum, batch) => sum + batch.falseAlarms.length, 0);
  return {
    defects: [...defects],
    batches: [...batches],
    mutationScore: counted.length === 0 ? 0 : caught / counted.length,
    precision: redPairs === 0 ? 1 : (redPairs - falseAlarms) / redPairs,
    holds:
      counted.length > 0 &&
      counted.every((verdict) => verdict.caught && verdict.missed.length === 0 && verdict.notJudged.length === 0 && !verdict.notRun) &&
      falseAlarms === 0,
    seconds,
  };
}
