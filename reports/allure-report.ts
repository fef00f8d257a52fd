import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { AllureReport, filterFailedQualityGateResults, resolveConfig } from '@allurereport/core';
import type { Config } from '@allurereport/plugin-api';
import { projectRoot } from './paths.ts';
import type { QualityGateOutcome } from './summary.ts';

export const allureConfigFile = join(projectRoot, 'allurerc.mjs');

/** The report settings the build passes to allurerc.mjs, through the environment it reads at import. */
export interface AllureRun {
  contextFile: string;
  singleFile?: boolean;
}

const runEnvironment = (run: AllureRun) => ({
  TD448_REPORT_CONTEXT: run.contextFile,
  TD448_REPORT_SINGLE_FILE: run.singleFile ? '1' : '0',
});

/** allurerc.mjs evaluated afresh for this run (a new module instance each time, so that its context is this run's). */
export async function loadAllureConfig(run: AllureRun): Promise<Config> {
  const saved = { ...process.env };
  Object.assign(process.env, runEnvironment(run));
  try {
    const module: { default: Config } = await import(`${allureConfigFile}?run=${randomUUID()}`);
    return module.default;
  } finally {
    for (const key of Object.keys(runEnvironment(run))) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

export { runEnvironment as allureEnvironment };

/** Allure's report page loads Google Tag Manager (with the report's id and version) whenever it is opened. */
const analyticsBlock =
  /\s*<script async src="https:\/\/www\.googletagmanager\.com\/gtag\/js\?id=[^"]*"><\/script>\s*<script>[^<]*?gtag\('config'[^<]*?<\/script>/;

/**
 * Takes the analytics out of a generated report page: a report of this project may be opened anywhere
 * (mailed, attached to a CI run) and must call nowhere. Fails loudly if Allure changed the block.
 */
export function stripAnalytics(indexFile: string) {
  if (!existsSync(indexFile)) return;
  const page = readFileSync(indexFile, 'utf8');
  const stripped = page.replace(analyticsBlock, '');
  if (stripped.includes('googletagmanager.com')) {
    throw new Error(
      `${indexFile} still loads googletagmanager.com: Allure changed its analytics block; update analyticsBlock in reports/allure-report.ts`,
    );
  }
  if (stripped !== page) writeFileSync(indexFile, stripped);
}

/**
 * Generates the report through Allure 3's Node API, as `allure run` does: the results read, the quality
 * gate of allurerc.mjs evaluated and put into the report (its Quality Gates tab), history appended.
 */
export async function generateReport(run: AllureRun): Promise<QualityGateOutcome> {
  const config = await resolveConfig(await loadAllureConfig(run), { cwd: projectRoot });
  const report = new AllureReport(config);
  await report.start();
  for (const dir of config.resultsDir ?? []) await report.readDirectory(dir);
  const { results } = await report.validate({ trs: await report.store.allTestResults({ includeRetries: false }) });
  if (results.length > 0) report.realtimeDispatcher.sendQualityGateResults(results);
  await report.done();
  stripAnalytics(join(config.output, 'index.html'));
  const failed = filterFailedQualityGateResults(results);
  return {
    status: results.length === 0 ? 'not-run' : failed.length === 0 ? 'passed' : 'failed',
    failures: failed.map((result) => `${result.rule}: ${stripVTControlCharacters(result.message)}`),
  };
}
