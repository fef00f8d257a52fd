/**
 * Allure 3: one report for every suite (functional, contracts, load), with the TD448 categories, the
 * history that draws the trends, the traceability matrix, and the quality gate CI uses.
 *
 *   npm run report            builds it (scripts/report.ts: summary, matrix, then `allure generate` with this file)
 *   npm run report:gate       `allure quality-gate` with the rules below; exit 1 when one is broken
 *
 * The numbers the rules need from the catalog and the run (minimum test count, the load metrics the run
 * produced) and the report variables come from the context file scripts/report.ts writes
 * (reports/output/report-context.json, or TD448_REPORT_CONTEXT). Without it, the defaults below apply.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Not `import { defineConfig } from 'allure'`: that module is the CLI itself and runs it with the importer's argv.

const root = fileURLToPath(new URL('.', import.meta.url));
const contextFile = process.env.TD448_REPORT_CONTEXT ?? `${root}reports/output/report-context.json`;
const context = existsSync(contextFile) ? JSON.parse(readFileSync(contextFile, 'utf8')) : {};

const label = (tr, name) => tr.labels?.filter((l) => l.name === name).map((l) => l.value) ?? [];
const hasTag = (labels, tag) => labels.some((l) => l.name === 'tag' && (l.value === tag || l.value === `@${tag}`));

/** The report step's own results (traceability matrix, gate verdict) are views of the others, not tests: out of the gate and the categories. */
const isReportView = (tr) => label(tr, 'td448').length > 0;
const isCheck = (tr) => !isReportView(tr);
const isRowCheck = (tr) => isCheck(tr) && label(tr, 'row').length > 0;

/**
 * A check of a row the catalog contradicts itself on, run as an expected failure: passed with the error it
 * expected (the contradiction is real), or failed because it passed (the target does not show it).
 */
const confirmsContradiction = (d) =>
  hasTag(d.labels, 'catalog-contradiction') &&
  ((d.status === 'passed' && !!d.message) || (d.status === 'failed' && /Expected to fail, but passed/.test(d.message ?? '')));

export const categories = [
  { id: 'report-views', name: 'Report view (not a test)', matchers: [(d) => d.labels.some((l) => l.name === 'td448')], hide: true },
  { id: 'catalog-contradiction', name: 'Contradiction in the catalog', matchers: [confirmsContradiction], groupBy: [{ label: 'feature' }] },
  { id: 'not-run', name: 'Check not run', matchers: { statuses: ['skipped'] } },
  { id: 'broken', name: 'Broken test', matchers: { statuses: ['broken'] } },
  { id: 'defect', name: 'Defect of the target', matchers: { statuses: ['failed'] }, groupBy: [{ label: 'feature' }] },
];

const gate = context.gate ?? { minTestsCount: 1, metrics: [] };

export const qualityGate = {
  rules: [
    { id: 'defects', maxFailures: 0, filter: isCheck },
    { id: 'success', successRate: 1, filter: isCheck },
    { id: 'rows', minTestsCount: gate.minTestsCount, filter: isRowCheck },
    ...gate.metrics.map((bound) => ({ id: `load:${bound.key}`, [bound.rule]: { key: bound.key, value: bound.value } })),
  ],
};

const singleFile = process.env.TD448_REPORT_SINGLE_FILE === '1';

/** @type {import('allure').AllureConfig} */
export default {
  name: context.name ?? 'TD448 API catalog: contracts, functional checks, load',
  output: context.output ?? `${root}reports/output/allure-report`,
  resultsDir: context.resultsDir ?? [`${root}reports/output/allure-results`, `${root}reports/output/allure-extras`],
  historyPath: context.historyPath ?? `${root}reports/history/allure-history.jsonl`,
  historyLimit: 10,
  variables: context.variables ?? {},
  globalAttachments: context.globalAttachments ?? [],
  categories,
  qualityGate,
  plugins: {
    awesome: {
      options: {
        reportName: context.name ?? 'TD448 API catalog',
        singleFile,
        reportLanguage: 'en',
        groupBy: ['parentSuite', 'epic', 'feature'],
      },
    },
  },
};
