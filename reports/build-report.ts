import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { lintCatalog } from '../fixtures/catalog/lint.ts';
import { catalogPath, loadCatalog } from '../fixtures/catalog/load.ts';
import { describeTotals } from '../fixtures/playwright/hostile-observation.ts';
import { matrixResult, writeAllureExtras } from './allure-extras.ts';
import { generateReport } from './allure-report.ts';
import { countTests, hostileTotals, readResultFiles } from './allure-results.ts';
import { environmentProperties, runEnvironment } from './environment.ts';
import { junitDurationMs } from './junit.ts';
import { loadChecks, readLoadNotSelected, readLoadRun, summarizeLoad } from './load-results.ts';
import { projectRoot, type ReportPaths, reportPaths } from './paths.ts';
import { gateExpectations } from './quality-gate.ts';
import { type CheckRecord, RowCoverage } from './row-coverage.ts';
import { readSelection } from './selection.ts';
import { countChecks, readPhases, reasonsToFail, rowTotals, type Summary } from './summary.ts';
import { type TraceabilityMatrix, traceabilityCsv, traceRows } from './traceability.ts';
import { traceabilityHtml } from './traceability-html.ts';

export interface BuildReportOptions {
  /** One self-contained index.html (to attach to a CI run) instead of a directory of files. */
  singleFile?: boolean;
  paths?: ReportPaths;
  log?: (line: string) => void;
}

function readChecks(file: string): CheckRecord[] {
  if (!existsSync(file)) return [];
  return RowCoverage.parse(JSON.parse(readFileSync(file, 'utf8'))).rows.flatMap((row) => row.checks);
}

const write = (file: string, content: string) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
};

/**
 * The report step: from what the suites left in reports/output (row-coverage.json, junit.xml, Allure
 * results, the load run), the traceability matrix (CSV, JSON, HTML), the Allure 3 report with its
 * environment, categories, history and quality gate, and summary.json. The previous report is replaced.
 */
export async function buildReport({
  singleFile = false,
  paths = reportPaths(),
  log = () => {},
}: BuildReportOptions = {}): Promise<Summary> {
  const shown = (file: string) => relative(projectRoot, file) || file;
  const catalogFile = catalogPath();
  const catalog = loadCatalog(catalogFile);
  const findings = lintCatalog(catalog);
  const loadRun = readLoadRun(paths.allureResults, paths.loadRuns);
  const selection = readSelection(paths.selection);
  const rows = traceRows(catalog, [...readChecks(paths.rowCoverage), ...loadChecks(loadRun)], findings, selection !== undefined);
  const environment = runEnvironment(catalog, catalogFile, paths.target);

  const title = `TD448 traceability: ${environment.catalog.rows} catalog rows against ${environment.target.name}`;
  const matrix: TraceabilityMatrix = { catalog: { path: environment.catalog.path, rows: rows.length }, rows };
  const files = { csv: traceabilityCsv(rows), json: `${JSON.stringify(matrix, null, 2)}\n`, html: traceabilityHtml(rows, title) };
  write(paths.traceabilityCsv, files.csv);
  write(paths.traceabilityJson, files.json);
  write(paths.traceabilityHtml, files.html);
  const results = readResultFiles([paths.allureResults]);
  const lastStop = Math.max(0, ...results.map((result) => result.stop ?? 0));
  const hostile = hostileTotals(results);
  writeAllureExtras(paths.allureExtras, environmentProperties(environment), matrixResult(rows, files, lastStop || Date.now()));

  const context = {
    name: `TD448 API catalog · ${environment.target.name}`,
    output: paths.allureReport,
    resultsDir: [paths.allureResults, paths.allureExtras],
    historyPath: paths.history,
    globalAttachments: [paths.traceabilityCsv, paths.traceabilityHtml],
    variables: {
      target: environment.target.name,
      catalog: `${environment.catalog.path} (${environment.catalog.rows} rows, sha256 ${environment.catalog.sha256})`,
      commit: environment.commit,
      ...(hostile ? { 'hostile input': describeTotals(hostile) } : {}),
    },
    gate: gateExpectations(catalog, paths.allureResults, selection !== undefined),
  };
  write(paths.reportContext, `${JSON.stringify(context, null, 2)}\n`);
  mkdirSync(dirname(paths.history), { recursive: true });

  const started = performance.now();
  // Allure 3 writes into a sub-directory of an output directory that already holds one.
  rmSync(paths.allureReport, { recursive: true, force: true });
  const gate = await generateReport({ contextFile: paths.reportContext, singleFile });
  log(`Allure report generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${shown(paths.allureReport)}`);

  const phases = readPhases(paths.phases) ?? [];
  const load = summarizeLoad(loadRun, readLoadNotSelected(paths.loadNotSelected));
  const partial = {
    ...rowTotals(rows),
    tests: countTests(readResultFiles([paths.allureResults, paths.allureExtras])),
    load,
    qualityGate: { status: gate.status, failures: gate.failures },
  };
  const summary: Summary = {
    generatedAt: new Date().toISOString(),
    verdict: reasonsToFail(partial).length === 0 ? 'passed' : 'failed',
    reasons: reasonsToFail(partial),
    target: environment.target,
    catalog: { ...environment.catalog, findings: findings.length },
    ...partial,
    ...(hostile ? { hostile } : {}),
    ...(selection ? { selection } : {}),
    checks: countChecks(rows),
    durationMs:
      phases.length > 0 ? phases.reduce((sum, phase) => sum + phase.durationMs, 0) : junitDurationMs(paths.junit) + (load.durationMs ?? 0),
    durationSource: phases.length > 0 ? 'phases' : 'junit and load',
    phases,
    files: {
      report: shown(`${paths.allureReport}/index.html`),
      singleFile,
      traceabilityCsv: shown(paths.traceabilityCsv),
      traceabilityJson: shown(paths.traceabilityJson),
      junit: shown(paths.junit),
      summary: shown(paths.summary),
    },
  };
  write(paths.summary, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
