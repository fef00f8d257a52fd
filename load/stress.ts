import { join } from 'node:path';
import { runAutocannonChild } from './engines/autocannon.ts';
import { type CampaignVerdict, evaluateCampaign } from './evaluate.ts';
import type { CampaignPlan } from './plan.ts';
import { limiterSafeRate, type PlanOptions, planStressStep, profiles } from './profiles.ts';
import { type RunContext, runCampaign } from './run-campaign.ts';

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
  if (verdict.generator.bound) {
    return {
      ...base,
      status: 'generator-bound',
      reason: `${verdict.generator.engine} achieved ${base.achievedRate.toFixed(1)}/s of ${base.rate}/s asked`,
    };
  }
  const reasons = [...(!(base.p95 < p95Ms) ? [`p95 ${base.p95} ms ≥ ${p95Ms} ms`] : []), ...(errors > 0 ? [`${errors} errors`] : [])];
  return { ...base, status: reasons.length > 0 ? 'broke' : 'passed', reason: reasons.join(', ') || 'held' };
}

/** The knee: the lowest rate that broke (p95 over the promise, or errors), with the highest that held below it. */
export function summarizeStress(steps: readonly StressStepResult[], notes: readonly string[] = []): StressSummary {
  const broke = steps.filter((step) => step.status === 'broke').sort((a, b) => a.rate - b.rate)[0];
  const passing = steps.filter((step) => step.status === 'passed' && (!broke || step.rate < broke.rate)).sort((a, b) => b.rate - a.rate)[0];
  const bound = steps.some((step) => step.status === 'generator-bound') && !broke;
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

/** Autocannon connections for a rate: enough that each releases a couple of requests per second. */
const connectionsFor = (rate: number) => Math.min(500, Math.max(10, Math.ceil(rate / 2)));

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
  const safe = limiterSafeRate(options.catalog, spec.clients);
  const notes: string[] = [];
  const rates = spec.rates.filter((rate) => rate <= safe);
  if (rates.length < spec.rates.length) {
    notes.push(
      `steps above ${safe} req/s left out: with ${spec.clients} clients the catalog mix would reach the per-client limit, and the limiter (not the target's capacity) would answer`,
    );
  }
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
