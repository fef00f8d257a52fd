import type { SeenCheck } from './score.ts';

/** One run's verdicts (a check identified by its pair and title), or 'no record' when the run wrote none. */
export type RunVerdicts = readonly SeenCheck[] | 'no record';

/** A check whose verdict changed between runs of the same clean stack (or, with `failed === runs`, failed in every one). */
export type FlakyCheck = { profile: string; pair: string; title: string; runs: number; failed: number; messages: string[] };

/**
 * The checks whose verdict changed across `runs` of one profile's clean stack: passed in some run and failed in
 * another (a check not run in a run is not counted there). `messages` are the distinct first error lines of its
 * failures. A run with no record makes every check unjudgeable there, and is left out.
 */
export function flakyChecks(profile: string, runs: readonly RunVerdicts[]): FlakyCheck[] {
  return verdictsByCheck(profile, runs).filter((check) => check.failed > 0 && check.failed < check.runs);
}

/** The checks that failed in every run that judged them: not flaky, broken (a clean stack must pass them all). */
export function alwaysFailing(profile: string, runs: readonly RunVerdicts[]): FlakyCheck[] {
  return verdictsByCheck(profile, runs).filter((check) => check.runs > 0 && check.failed === check.runs);
}

function verdictsByCheck(profile: string, runs: readonly RunVerdicts[]): FlakyCheck[] {
  const byCheck = new Map<string, { pair: string; title: string; passed: number; failed: number; messages: Set<string> }>();
  for (const run of runs) {
    if (run === 'no record') continue;
    for (const check of run) {
      if (check.outcome === 'not-run') continue;
      const title = check.title ?? check.pair;
      const key = `${check.pair}\n${title}`;
      const entry = byCheck.get(key) ?? { pair: check.pair, title, passed: 0, failed: 0, messages: new Set<string>() };
      if (check.outcome === 'passed') entry.passed += 1;
      else {
        entry.failed += 1;
        if (check.reason) entry.messages.add(check.reason);
      }
      byCheck.set(key, entry);
    }
  }
  return [...byCheck.values()].map((entry) => ({
    profile,
    pair: entry.pair,
    title: entry.title,
    runs: entry.passed + entry.failed,
    failed: entry.failed,
    messages: [...entry.messages],
  }));
}
