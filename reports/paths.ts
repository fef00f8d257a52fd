import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Where the report step reads the runs' outputs and writes its own; every path can be moved for a test. */
export interface ReportPaths {
  /** The suites' outputs: row-coverage.json, junit.xml, allure-results/, load/, phases.json, target.json (redacted: no secret). */
  output: string;
  allureResults: string;
  /** Results the report step adds (environment, traceability matrix), kept apart from the suites' own. */
  allureExtras: string;
  allureReport: string;
  /** Allure 3's history (JSON lines), kept across runs: the trend charts and the metric deltas read it. */
  history: string;
  rowCoverage: string;
  /** The run's selection (npm start -- --grep): absent for a whole run. */
  selection: string;
  junit: string;
  loadRuns: string;
  /** Why the run's load phase ran no campaign ({ reason }): its selection (--grep) selects no row the campaigns check. */
  loadNotSelected: string;
  phases: string;
  target: string;
  summary: string;
  traceabilityCsv: string;
  traceabilityJson: string;
  traceabilityHtml: string;
  /** What allurerc.mjs reads: report variables and the numbers its quality-gate rules need. */
  reportContext: string;
}

/** TD448_REPORT_OUTPUT moves the whole output directory (a run kept elsewhere, a CI artifact unpacked). */
export const defaultOutput = (env: NodeJS.ProcessEnv = process.env) => env.TD448_REPORT_OUTPUT || join(projectRoot, 'reports', 'output');

export function reportPaths(output = defaultOutput(), history = join(projectRoot, 'reports', 'history')): ReportPaths {
  return {
    output,
    allureResults: join(output, 'allure-results'),
    allureExtras: join(output, 'allure-extras'),
    allureReport: join(output, 'allure-report'),
    history: join(history, 'allure-history.jsonl'),
    rowCoverage: join(output, 'row-coverage.json'),
    selection: join(output, 'selection.json'),
    junit: join(output, 'junit.xml'),
    loadRuns: join(output, 'load'),
    loadNotSelected: join(output, 'load-not-selected.json'),
    phases: join(output, 'phases.json'),
    target: join(output, 'target.json'),
    summary: join(output, 'summary.json'),
    traceabilityCsv: join(output, 'traceability.csv'),
    traceabilityJson: join(output, 'traceability.json'),
    traceabilityHtml: join(output, 'traceability.html'),
    reportContext: join(output, 'report-context.json'),
  };
}
