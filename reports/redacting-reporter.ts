import { existsSync } from 'node:fs';
import type { Reporter, TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import { type KnownSecret, knownSecretsOf, redactSecrets } from '../fixtures/secrets/detect.ts';
import { readTargetFile, resolvedTargetVariable } from '../fixtures/target/resolve-target.ts';

/**
 * Redacts credentials from the errors every reporter after it sees. Playwright's API errors carry the request's
 * call log, `authorization: Bearer …` included (a connection reset by the target, a timeout): without this, the
 * console, JUnit and the Allure results would keep the token. Listed first in playwright.config.ts: reporters
 * are given the same test, result and step objects, one after the other, so the errors are redacted in place
 * (message, stack, value, snippet) before the others read them. Finds what `fixtures/secrets/detect.ts` finds:
 * bearer and basic credentials, JWTs, PEM keys, and the target's own secrets by value once global setup has
 * resolved it.
 */
export default class RedactingReporter implements Reporter {
  #known: readonly KnownSecret[] | undefined;

  #secrets(): readonly KnownSecret[] {
    if (this.#known) return this.#known;
    const file = process.env[resolvedTargetVariable];
    if (!file || !existsSync(file)) return [];
    try {
      this.#known = knownSecretsOf(readTargetFile(file));
    } catch {
      this.#known = [];
    }
    return this.#known;
  }

  #redact(error: TestError | undefined) {
    if (!error) return;
    const known = this.#secrets();
    for (const field of ['message', 'stack', 'value', 'snippet'] as const) {
      const text = error[field];
      if (typeof text === 'string') error[field] = redactSecrets(text, known);
    }
    this.#redact(error.cause);
  }

  onStepEnd(_test: TestCase, _result: TestResult, step: TestStep) {
    this.#redact(step.error);
  }

  onTestEnd(_test: TestCase, result: TestResult) {
    for (const error of result.errors) this.#redact(error);
    this.#redact(result.error);
  }

  printsToStdio() {
    return false;
  }
}
