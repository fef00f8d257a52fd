import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, test as base, expect as baseExpect, chromium, type Page } from '@playwright/test';
import { z } from 'zod';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { buildReport } from './build-report.ts';
import { projectRoot, type ReportPaths, reportPaths } from './paths.ts';
import { writeSampleRun } from './sample-run.ts';
import { serveReport } from './serve-report.ts';
import { Summary } from './summary.ts';

/** Debian's chromium package: no browser download, the same binary on every machine of the project. */
const chromiumPath = process.env.TD448_CHROMIUM ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A report of 2000 results, or one whose matrix lists hundreds of failures, renders for seconds on a busy 2-core machine. */
const expect = baseExpect.configure({ timeout: 30_000 });

/** The README's screenshots are refreshed on request only (TD448_README_SCREENSHOTS=1), so that a test run leaves docs/ alone. */
const screenshots = process.env.TD448_README_SCREENSHOTS === '1' ? join(projectRoot, 'docs') : join(reportPaths().output, 'screenshots');

const test = base.extend<{ openReport: (dir: string) => Promise<Page> }, { browser: Browser }>({
  browser: [
    async ({}, use) => {
      const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  openReport: async ({ browser }, use) => {
    const servers: { close: () => Promise<void> }[] = [];
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // A report is opened anywhere (mailed, attached to a CI run): it must call no one but its own server.
    const elsewhere: string[] = [];
    await use(async (dir) => {
      const server = await serveReport(dir);
      servers.push(server);
      const page = await context.newPage();
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.origin !== new URL(server.url).origin && !['data:', 'blob:', 'about:'].includes(url.protocol)) elsewhere.push(url.href);
      });
      await page.goto(server.url);
      await expect(page.getByTestId('report-title')).toBeVisible();
      return page;
    });
    await context.close();
    for (const server of servers) await server.close();
    expect(elsewhere, 'requests the report made to anywhere but its own server').toEqual([]);
  },
});

/** The counters of the overview: total and one per status present in the run. */
async function expectOverviewCounts(page: Page, tests: Summary['tests']) {
  await expect(page.getByTestId('nav-tab-results').getByTestId('counter')).toHaveText(String(tests.total));
  await expect(page.getByTestId('metadata-item-total').getByTestId('metadata-value')).toHaveText(String(tests.total));
  for (const status of ['passed', 'failed', 'broken', 'skipped'] as const) {
    const item = page.getByTestId(`metadata-item-${status}`);
    if (tests[status] === 0) await expect(item).toHaveCount(0);
    else await expect(item.getByTestId('metadata-value')).toHaveText(String(tests[status]));
  }
}

/** The report scrolls its tree to the selected test on load; the overview screenshot wants the header. */
async function scrollToTop(page: Page) {
  await page.evaluate("for (const element of document.querySelectorAll('*')) if (element.scrollTop > 0) element.scrollTop = 0");
  await expect(page.getByTestId('report-header')).toBeInViewport();
}

/**
 * The report's id of the first result whose name passes `named`, from the report's own index of results: in
 * a run of 2000+ results the tree would have to be searched and unfolded group by group.
 */
function resultId(reportDir: string, named: (name: string) => boolean, what: string): string {
  // Allure 3 writes this index next to index.html, one file or not.
  const index = z.object({ byId: z.record(z.string(), z.object({ id: z.string(), name: z.string() })) });
  const results = index.parse(JSON.parse(readFileSync(join(reportDir, 'test-results.json'), 'utf8')));
  const found = Object.values(results.byId).find((result) => named(result.name));
  if (!found) throw new Error(`${reportDir} holds no ${what}`);
  return found.id;
}

const matrixResultId = (reportDir: string) =>
  resultId(
    reportDir,
    (name) => name.startsWith('TD448 traceability matrix'),
    'traceability matrix result: was it built by npm run report?',
  );

/** Opens the traceability matrix result by its address and its HTML attachment; returns the attachment's frame. */
async function openMatrix(page: Page, reportDir: string) {
  await page.goto(`${new URL(page.url()).origin}/#/${matrixResultId(reportDir)}`);
  await expect(page.getByText('TD448 traceability matrix').first()).toBeVisible();
  await page.getByText('Attachments', { exact: false }).first().click();
  await page.getByText('traceability matrix (HTML)').click();
  const matrix = page.frameLocator('iframe').first();
  await expect(matrix.locator('#totals')).toBeVisible();
  return matrix;
}

async function expectMatrixCounts(page: Page, reportDir: string, summary: Summary) {
  const matrix = await openMatrix(page, reportDir);
  const { rows, checks } = summary;
  await expect(matrix.locator('#totals')).toContainText(
    `${rows.total} rows: ${rows.passed} with every check passed, ${rows.failed} with a failed check, ${rows.notRun} with a check not run or missing.`,
  );
  await expect(matrix.locator('#totals')).toContainText(
    `Checks: ${checks.passed} passed, ${checks.failed} failed, ${checks.notRun} not run.`,
  );
  for (const row of summary.failingRows.slice(0, 5)) await expect(matrix.locator(`#row-${row} td.status`)).toHaveText('FAILED');
  return matrix;
}

async function expectQualityGate(page: Page, summary: Summary) {
  await page.getByTestId('nav-tab-qualityGate').click();
  for (const failure of summary.qualityGate.failures) {
    const [rule = failure] = failure.split(': ', 1);
    await expect(page.getByText(rule, { exact: true })).toBeVisible();
  }
  await page.getByTestId('nav-tab-results').click();
}

test.describe('the Allure report, seen in headless Chromium', () => {
  test.skip(!existsSync(chromiumPath), `not run: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set TD448_CHROMIUM)`);

  const variants = [
    { as: 'a directory', options: {}, dir: (paths: ReportPaths) => paths.allureReport },
    { as: 'one HTML file', options: { singleFile: true }, dir: (paths: ReportPaths) => paths.allureReport },
  ];
  for (const variant of variants) {
    test(`a report built from a small sample run, as ${variant.as}, shows that run’s counts, quality gate and traceability matrix, and calls nowhere`, async ({
      openReport,
    }) => {
      const dir = mkdtempSync(join(tmpdir(), 'td448-report-'));
      try {
        writeSampleRun(dir, loadCatalog());
        const paths = reportPaths(dir, join(dir, 'history'));
        const summary = await buildReport({ paths, ...variant.options });
        expect(summary.rows).toMatchObject({ passed: 1, failed: 1 });
        const reportDir = variant.dir(paths);
        expect(existsSync(join(reportDir, 'data')), 'a directory of data files, or everything in index.html').toBe(
          variant.as === 'a directory',
        );
        expect(readFileSync(join(reportDir, 'index.html'), 'utf8')).not.toContain('googletagmanager');
        const page = await openReport(reportDir);
        await expectOverviewCounts(page, summary.tests);
        await expectQualityGate(page, summary);
        await expectMatrixCounts(page, reportDir, summary);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('the latency chart of a load campaign run across a broker outage shows the outage window in the report', async ({ openReport }) => {
    // npm run resilience builds the report of its run and names it here.
    const output = process.env.TD448_RESILIENCE_OUTPUT;
    test.skip(!output, 'not run: no resilience run named (npm run resilience sets TD448_RESILIENCE_OUTPUT)');
    const paths = reportPaths(output);
    expect(existsSync(join(paths.allureReport, 'index.html')), `a report in ${paths.allureReport}`).toBe(true);
    const page = await openReport(paths.allureReport);
    const id = resultId(paths.allureReport, (name) => /^load · \w+ · latency · catalog mix/.test(name), 'latency campaign');
    await page.goto(`${new URL(page.url()).origin}/#/${id}`);
    const attachment = page.getByText('latency over time', { exact: true }).first();
    await attachment.scrollIntoViewIfNeeded();
    await attachment.click();
    const chart = page.locator('img[src^="blob:"]').first();
    await expect(chart).toBeVisible();
    const svg = await chart.evaluate(async (image) => (await fetch((image as unknown as { src: string }).src)).text());
    expect(svg, 'the chart draws the outage window').toMatch(/<g class="fault-window">.*broker outage \(\d+ s\)/s);
    mkdirSync(screenshots, { recursive: true });
    await chart.screenshot({ path: join(screenshots, 'latency-across-broker-outage.png') });
  });

  test('the report of the last run shows the counts of its summary.json, and its overview and traceability view are captured', async ({
    openReport,
  }) => {
    // npm test checks the main job's report while its own results go elsewhere; the proof of failure points it at its run.
    const paths = reportPaths(process.env.TD448_LAST_RUN_OUTPUT || undefined);
    const built = existsSync(paths.summary) && existsSync(join(paths.allureReport, 'index.html'));
    // Named explicitly, the run must have its report; otherwise there may simply be no run yet.
    if (process.env.TD448_LAST_RUN_OUTPUT) expect(built, `a report in ${paths.output} (summary.json and allure-report/)`).toBe(true);
    test.skip(!built, 'not run: no report yet (npm start builds one; so does npm run report after a suite run)');
    const summary = Summary.parse(JSON.parse(readFileSync(paths.summary, 'utf8')));

    const page = await openReport(paths.allureReport);
    await expectOverviewCounts(page, summary.tests);
    await expect(page.getByTestId('report-variables')).toContainText(summary.target.name);
    mkdirSync(screenshots, { recursive: true });
    await scrollToTop(page);
    await page.screenshot({ path: join(screenshots, 'report-overview.png') });
    await expectQualityGate(page, summary);
    await expectMatrixCounts(page, paths.allureReport, summary);
    await page.screenshot({ path: join(screenshots, 'report-traceability.png') });
  });
});
