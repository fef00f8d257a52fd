import { test } from '../fixtures/playwright/test.ts';
import { resilienceAloneVariable } from './write-chains.ts';

/**
 * Skips the calling resilience check, with its reason, unless npm run resilience runs it (TD448_RESILIENCE_ALONE=1):
 * `fault` (what the check does to the target, "it cuts the broker") would look like a fault of the target to the
 * checks running beside it.
 */
export function onlyWhenAlone(fault: string) {
  test.skip(
    process.env[resilienceAloneVariable] !== '1',
    `not run: ${fault}, which the checks running beside it would take for a fault of the target; npm run resilience runs it alone`,
  );
}
