import { z } from 'zod';

/**
 * How deep a conformance run goes: Schemathesis' phases, examples per OpenAPI operation and seed.
 * `quick` is the main job's (`npm start`): the coverage phase (the boundary and negative values of every
 * schema, deterministic) and the stateful phase, on the current version; `nightly` adds the examples and
 * fuzzing phases with 50 random examples per operation, on every version. A fixed seed makes a run reproducible: the same cases against the same target.
 */
export const ConformanceDepth = z.strictObject({
  name: z.string(),
  /** Schemathesis phases (`--phases`): coverage (boundary and negative values of every schema), fuzzing, stateful. */
  phases: z.array(z.enum(['examples', 'coverage', 'fuzzing', 'stateful'])).min(1),
  /** `--max-examples`: generated cases per OpenAPI operation in the fuzzing phase. */
  maxExamples: z.number().int().min(1),
  /** `--seed`: Hypothesis' random seed. */
  seed: z.number().int(),
  /** The API versions fuzzed: every version of the profile, or its current one only (every version serves every operation alike). */
  versions: z.enum(['all', 'current']),
});
export type ConformanceDepth = z.infer<typeof ConformanceDepth>;

export const conformanceDepths = {
  quick: ConformanceDepth.parse({
    name: 'quick',
    phases: ['coverage', 'stateful'],
    maxExamples: 3,
    seed: 448,
    versions: 'current',
  }),
  nightly: ConformanceDepth.parse({
    name: 'nightly',
    phases: ['examples', 'coverage', 'fuzzing', 'stateful'],
    maxExamples: 50,
    seed: 448,
    versions: 'all',
  }),
} as const;
export type ConformanceDepthName = keyof typeof conformanceDepths;

/** The environment variable naming the depth of the conformance project's run (npm start -- --conformance-depth sets it). */
export const conformanceDepthVariable = 'TD448_CONFORMANCE_DEPTH';

/** The depth named by `TD448_CONFORMANCE_DEPTH` (quick by default); an unknown name is refused with the known ones. */
export function depthFromEnvironment(value = process.env[conformanceDepthVariable]): ConformanceDepth {
  if (value === undefined || value === '') return conformanceDepths.quick;
  const depth = conformanceDepths[value as ConformanceDepthName];
  if (!depth) throw new Error(`TD448_CONFORMANCE_DEPTH is "${value}": use ${Object.keys(conformanceDepths).join(' or ')}`);
  return depth;
}
