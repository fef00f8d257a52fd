import { z } from 'zod';
import { rowOfTitle } from '../support/catalog-rows.ts';

/** The part of the Pact verifier's JSON report (`pactffi_verifier_json`) this suite reads. */
const Mismatch = z.looseObject({
  type: z.string().optional(),
  mismatch: z.string().optional(),
  path: z.string().optional(),
  key: z.string().optional(),
});
const InteractionResult = z.looseObject({
  description: z.string(),
  result: z.string(),
  duration: z.string().optional(),
  mismatch: z.looseObject({ mismatches: z.array(Mismatch).optional(), message: z.string().optional() }).optional(),
});
export const VerifierReport = z.looseObject({
  result: z.boolean().optional(),
  interactionResults: z.array(InteractionResult).default([]),
  errors: z.array(z.looseObject({ interaction: z.string(), mismatch: z.unknown() })).default([]),
});

export const InteractionVerdict = z.object({
  description: z.string(),
  row: z.number().int().positive().optional(),
  passed: z.boolean(),
  problems: z.array(z.string()),
});
export type InteractionVerdict = z.infer<typeof InteractionVerdict>;

export const VerificationOutcome = z.object({
  passed: z.boolean(),
  interactions: z.array(InteractionVerdict),
  /** Provider states that could not be set up: the first thing to read when an interaction failed. */
  stateErrors: z.array(z.string()),
  /** A failure of the verification itself (no pact, a crash), not of an interaction. */
  error: z.string().optional(),
  durationMs: z.number(),
});
export type VerificationOutcome = z.infer<typeof VerificationOutcome>;

const describeMismatch = (mismatch: z.infer<typeof Mismatch>) =>
  [mismatch.type, mismatch.path ?? mismatch.key, mismatch.mismatch].filter((part) => part !== undefined && part !== '').join(': ');

/** Reads the verifier's report: one verdict per interaction, each naming its row. */
export function verdictsOf(report: unknown): InteractionVerdict[] {
  const parsed = VerifierReport.parse(typeof report === 'string' ? JSON.parse(report) : report);
  return parsed.interactionResults.map((result) => ({
    description: result.description,
    row: rowOfTitle(result.description),
    passed: result.result === 'OK',
    problems: [
      ...(result.mismatch?.mismatches ?? []).map(describeMismatch),
      ...(result.mismatch?.message ? [result.mismatch.message] : []),
    ],
  }));
}

/** `TD448 row 17 · … · 201 (JSON)` followed by its mismatches: what a failed verification says. */
export function describeFailures(outcome: VerificationOutcome): string {
  const failed = outcome.interactions.filter((verdict) => !verdict.passed);
  const lines = failed.flatMap((verdict) => [
    `✘ ${verdict.description}`,
    ...verdict.problems.slice(0, 8).map((problem) => `    ${problem}`),
  ]);
  if (outcome.error) lines.push(`verification error: ${outcome.error}`);
  if (outcome.stateErrors.length > 0) lines.push('provider states that failed:', ...outcome.stateErrors.map((error) => `    ${error}`));
  return lines.join('\n');
}

export const failedRows = (outcome: VerificationOutcome) => [
  ...new Set(
    outcome.interactions.filter((verdict) => !verdict.passed && verdict.row !== undefined).map((verdict) => verdict.row as number),
  ),
];
