import type { Operation } from '../fixtures/catalog/model.ts';
import { recordNeed } from './calls.ts';
import { type CampaignPlan, operationOf } from './plan.ts';
import { thresholdsOf } from './thresholds.ts';

/** The processor's hook names, as the generated script refers to them. */
export const hooks = {
  dispatch: 'td448Dispatch',
  prepare: 'td448Prepare',
  observe: 'td448Observe',
  prepareArrange: 'td448PrepareArrange',
  captureArranged: 'td448CaptureArranged',
  arranged: 'td448Arranged',
  failed: 'td448Failed',
} as const;

/** Actions that consume their record: each virtual user arranges a fresh one first. */
const consumesRecord = (operation: Operation) => recordNeed(operation) === 'fresh';
const addressesRecord = (operation: Operation) => recordNeed(operation) !== 'none';

export interface ScriptOptions {
  /** The API base URL (config.target). */
  target: string;
  /** The processor, relative to the script's folder. */
  processor: string;
}

/**
 * The Artillery script of one campaign, generated from its plan: one scenario per catalog
 * operation of the mix, weighted by its rows, and the campaign's thresholds as `ensure` checks.
 */
export function artilleryScript(plan: CampaignPlan, options: ScriptOptions) {
  return {
    config: {
      target: options.target,
      phases: [phaseOf(plan)],
      processor: options.processor,
      http: { pool: plan.httpPool, timeout: 10 },
      variables: { td448Plan: JSON.stringify(plan) },
      // Artillery adds metrics-by-endpoint to every script; the processor keeps its own per-operation figures
      // (client-side total time), so the plugin is left idle: it skips unnamed requests.
      plugins: { ensure: {}, 'metrics-by-endpoint': { ignoreUnnamedRequests: true } },
      ensure: ensureChecks(plan),
    },
    scenarios: plan.mix.map((entry) => {
      const operation = operationOf(plan, entry.operationId);
      const arrange = operationOf(plan, plan.arrange[operation.endpoint] as string);
      return {
        name: operation.id,
        weight: entry.weight,
        td448Rows: entry.rows,
        beforeScenario: hooks.dispatch,
        onError: hooks.failed,
        flow: [
          ...(consumesRecord(operation)
            ? [
                requestStep(arrange, plan.apiVersion, false, {
                  td448Arrange: arrange.id,
                  beforeRequest: hooks.prepareArrange,
                  afterResponse: hooks.captureArranged,
                }),
              ]
            : []),
          requestStep(operation, plan.apiVersion, addressesRecord(operation), {
            td448Operation: operation.id,
            ...(consumesRecord(operation) ? { ifTrue: hooks.arranged } : {}),
            beforeRequest: hooks.prepare,
            afterResponse: hooks.observe,
          }),
        ],
      };
    }),
  };
}
export type ArtilleryScript = ReturnType<typeof artilleryScript>;

/**
 * One constant phase. A "ramp" from the rate to itself makes Artillery pace arrivals with a plain
 * timer per second instead of its uniform process's nanotimer, which busy-waits a core away from a
 * target on the same machine (see Pacing).
 */
export function phaseOf(plan: CampaignPlan) {
  const phase = { name: plan.title, duration: plan.durationSeconds, arrivalRate: plan.arrivalRate };
  return plan.pacing === 'ramp' ? { ...phase, rampTo: plan.arrivalRate } : phase;
}

/** The URL is only a readable placeholder: the processor builds the real request with the suite's request builder. */
function requestStep(operation: Operation, version: string, withId: boolean, fields: Record<string, unknown>) {
  return { [operation.method.toLowerCase()]: { url: `/${version}${operation.endpoint}${withId ? '/{id}' : ''}`, ...fields } };
}

/**
 * The campaign's thresholds as Artillery's ensure plugin takes them (a miss exits 1): the conditions and
 * percentile bounds its declared thresholds give (load/thresholds.ts).
 */
export function ensureChecks(plan: CampaignPlan) {
  const ensured = thresholdsOf(plan).map((threshold) => threshold.ensure?.(plan) ?? {});
  return {
    thresholds: ensured.flatMap((ensure) => ensure.percentiles ?? []),
    conditions: ensured.flatMap((ensure) => ensure.conditions ?? []).map((expression) => ({ expression })),
  };
}
