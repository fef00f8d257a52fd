import { z } from 'zod';

/**
 * How deep a conformance run goes: Schemathesis' phases, examples per OpenAPI operation and seed.
 * `quick` is the main job's (`npm start`), `nightly` the deep run of the issue's acceptance (≥ 50
 * examples per operation). A fixed seed makes a run reproducible: the same cases against the same target.
 */
export const ConformanceDepth = z.strictObject({
  name: z.string(),
  /** Schemathesis phases (`--phases`): coverage (boundary and negative values of every schema), fuzzing, stateful. */
  phases: z.array(z.enum(['examples', 'coverage', 'fuzzing', 'stateful'])).min(1),
  /** `--max-examples`: generated cases per OpenAPI operation in the fuzzing phase. */
  maxExamples: z.number().int().min(1),
  /** `--seed`: Hypothesis' random seed. */
  seed: z.number().int(),
});
export type ConformanceDepth = z.infer<typeof ConformanceDepth>;

export const conformanceDepths = {
  quick: ConformanceDepth.parse({ name: 'quick', phases: ['coverage', 'fuzzing', 'stateful'], maxExamples: 5, seed: 448 }),
  nightly: ConformanceDepth.parse({ name: 'nightly', phases: ['examples', 'coverage', 'fuzzing', 'stateful'], maxExamples: 50, seed: 448 }),
} as const;
export type ConformanceDepthName = keyof typeof conformanceDepths;

/** The depth named by `TD448_CONFORMANCE_DEPTH` (quick by default); an unknown name is refused with the known ones. */
export function depthFromEnvironment(value = process.env.TD448_CONFORMANCE_DEPTH): ConformanceDepth {
  if (value === undefined || value === '') return conformanceDepths.quick;
  const depth = conformanceDepths[value as ConformanceDepthName];
  if (!depth) throw new Error(`TD448_CONFORMANCE_DEPTH is "${value}": use ${Object.keys(conformanceDepths).join(' or ')}`);
  return depth;
}
