import { join } from 'node:path';
import { runAutocannonChild } from './engines/autocannon.ts';
import { evaluateCampaign } from './evaluate.ts';
import type { CampaignPlan } from './plan.ts';
import { type PlanOptions, planStressStep, profiles } from './profiles.ts';
import { type RunContext, runCampaign } from './run-campaign.ts';
import type { CampaignVerdict } from './verdict.ts';

export type Engine = CampaignVerdict['generator']['engine'];

export interface StressStepResult {
  slug: string;
  rate: number;
  engine: Engine;
  achievedRate: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  status: 'passed' | 'broke' | 'generator-bound';
  reason: string;
}

export interface StressSummary {
  steps: StressStepResult[];
  /** The first rate at which p95 crossed the promise or errors began, and the last rate that held. */
  knee?: { rate: number; lastGoodRate?: number; engine: Engine; reason: string };
  highestPassingRate?: number;
  stoppedBecause: 'knee' | 'last-step' | 'generator-bound';
  notes: string[];
}

export function stressStepOf(verdict: CampaignVerdict, p95Ms: number): StressStepResult {
  const latency = verdict.latency.promised ?? verdict.latency.all;
  const errors =
    verdict.responses.serverError +
    verdict.responses.unexpected +
    verdict.responses.rateLimited +
    verdict.responses.arrangeFailed +
    verdict.responses.vusersFailed +
    Object.values(verdict.responses.transport).reduce((sum, value) => sum + value, 0);
  const base = {
    slug: verdict.slug,
    rate: verdict.generator.askedRate,
    engine: verdict.generator.engine,
    achievedRate: verdict.generator.arrivalRate,
    p50: latency?.p50 ?? Number.NaN,
    p95: latency?.p95 ?? Number.NaN,
    p99: latency?.p99 ?? Number.NaN,
    errors,
  };
  const reasons = [...(!(base.p95 < p95Ms) ? [`p95 ${base.p95} ms ≥ ${p95Ms} ms`] : []), ...(errors > 0 ? [`${errors} errors`] : [])];
  // autocannon is closed-loop (a request per connection per second): a target slower than the promised
  // second holds it back, and that is the knee, not the generator's limit. Artillery's arrivals never wait.
  if (verdict.generator.bound && !(verdict.generator.engine === 'autocannon' && reasons.length > 0)) {
    return {
      ...base,
      status: 'generator-bound',
      reason: `${verdict.generator.engine} achieved ${base.achievedRate.toFixed(1)}/s of ${base.rate}/s asked`,
    };
  }
  return { ...base, status: reasons.length > 0 ? 'broke' : 'passed', reason: reasons.join(', ') || 'held' };
}

/** The knee: the lowest rate that broke (p95 over the promise, or errors), with the highest that held below it. */
export function summarizeStress(steps: readonly StressStepResult[], notes: readonly string[] = []): StressSummary {
  const broke = steps.filter((step) => step.status === 'broke').sort((a, b) => a.rate - b.rate)[0];
  const passing = steps.filter((step) => step.status === 'passed' && (!broke || step.rate < broke.rate)).sort((a, b) => b.rate - a.rate)[0];
  // Generator-bound only if that is the last word: a step Artillery could not deliver and autocannon then did is measured.
  const bound = steps.at(-1)?.status === 'generator-bound' && !broke;
  return {
    steps: [...steps],
    ...(broke
      ? { knee: { rate: broke.rate, ...(passing ? { lastGoodRate: passing.rate } : {}), engine: broke.engine, reason: broke.reason } }
      : {}),
    ...(passing ? { highestPassingRate: passing.rate } : {}),
    stoppedBecause: broke ? 'knee' : bound ? 'generator-bound' : 'last-step',
    notes: [...notes],
  };
}

export interface StressRun {
  summary: StressSummary;
  verdicts: CampaignVerdict[];
  plans: CampaignPlan[];
}

/** Autocannon connections for a rate: a request per connection per second, so answers within the promised second never hold it back. */
export const connectionsFor = (rate: number) => Math.min(2000, Math.max(10, rate));

async function runWithAutocannon(plan: CampaignPlan, context: RunContext): Promise<CampaignVerdict> {
  const startedAt = Date.now();
  const outcome = await runAutocannonChild(
    { plan, rate: plan.arrivalRate, connections: connectionsFor(plan.arrivalRate), durationSeconds: plan.durationSeconds },
    context.targetFile,
    join(context.outputDir, plan.slug),
  );
  const verdict = evaluateCampaign(plan, outcome.report, { startedAt, finishedAt: Date.now() });
  verdict.generator.engine = 'autocannon';
  return verdict;
}

/**
 * The stress staircase: one Artillery run per step, lowest rate first, until a step breaks. A step
 * Artillery cannot deliver is run again with autocannon, and so are the steps after it; each figure
 * says which engine produced it. One bisection step between the last good rate and the knee narrows it.
 */
export async function runStress(context: RunContext, options: PlanOptions, refine = 1): Promise<StressRun> {
  const spec = profiles.stress.stress as NonNullable<(typeof profiles.stress)['stress']>;
  const notes: string[] = [];
  const rates = spec.rates;
  const steps: StressStepResult[] = [];
  const verdicts: CampaignVerdict[] = [];
  const plans: CampaignPlan[] = [];
  let engine: Engine = 'artillery';
  const runStep = async (plan: CampaignPlan) => {
    plans.push(plan);
    let verdict = engine === 'artillery' ? (await runCampaign(plan, context)).verdict : await runWithAutocannon(plan, context);
    let step = stressStepOf(verdict, plan.thresholds.p95Ms);
    if (step.status === 'generator-bound' && engine === 'artillery') {
      context.log(`  ${plan.slug}: Artillery is generator-bound (${step.reason}); this step and the next run on autocannon`);
      steps.push(step);
      verdicts.push(verdict);
      engine = 'autocannon';
      verdict = await runWithAutocannon({ ...plan, slug: `${plan.slug}-ac`, title: `${plan.title} (autocannon)` }, context);
      step = stressStepOf(verdict, plan.thresholds.p95Ms);
    }
    steps.push(step);
    verdicts.push(verdict);
    context.log(
      `  ${plan.slug} ${String(step.rate).padStart(4)} req/s [${step.engine}]: achieved ${step.achievedRate.toFixed(1)}/s, p50 ${step.p50} ms, p95 ${step.p95} ms, p99 ${step.p99} ms, ${step.errors} errors → ${step.status}`,
    );
    return step;
  };
  for (const [index, rate] of rates.entries()) {
    const step = await runStep(planStressStep(options, index, rate, rates.length));
    if (step.status === 'broke') break;
    if (step.status === 'generator-bound') {
      notes.push(`${step.slug}: neither engine delivered ${rate} req/s here`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  let summary = summarizeStress(steps, notes);
  for (let round = 0; round < refine && summary.knee?.lastGoodRate !== undefined; round++) {
    const middle = Math.round((summary.knee.rate + summary.knee.lastGoodRate) / 2);
    if (middle <= summary.knee.lastGoodRate || middle >= summary.knee.rate) break;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await runStep({
      ...planStressStep(options, rates.length + round, middle, rates.length + refine),
      title: `stress refinement ${round + 1} · ${middle} req/s`,
    });
    summary = summarizeStress(steps, notes);
  }
  return { summary, verdicts, plans };
}

/**
 * A stress run fails when it could not measure (neither engine delivered the load below the knee) or
 * when the target breaks below the nominal profile's rate; finding the knee is its purpose, not a failure.
 */
export function stressFailures(summary: StressSummary, nominalRate = profiles.nominal.latency?.rate ?? 0): string[] {
  const failures: string[] = [];
  if (!summary.knee && summary.stoppedBecause === 'generator-bound')
    failures.push('generator-bound before the knee: the target was not pushed to it');
  if (summary.knee && summary.knee.rate <= nominalRate)
    failures.push(`the knee (${summary.knee.rate} req/s) is at or below the nominal rate of ${nominalRate} req/s`);
  return failures;
}
