import { defineConfig } from '@playwright/test';
import { defaultWorkers } from './fixtures/playwright/workers.ts';
import { reportPaths } from './reports/paths.ts';

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 24) {
  throw new Error(
    `Node ${process.versions.node} runs this suite; it needs Node 24. Run it through npm (npm test, npm start), which puts the project's Node 24 first on the PATH.`,
  );
}

const needsTarget = { needsTarget: true };

/** Every run writes into one output directory (reports/output; TD448_REPORT_OUTPUT moves it), read by the report step. */
const output = reportPaths();

/** One project per suite: `npx playwright test --project functional --grep @rollback`. */
export default defineConfig({
  globalSetup: './fixtures/playwright/global-setup.ts',
  metadata: { targetFile: output.target },
  reporter: [
    // First: it redacts credentials from the errors the reporters after it are given (a call log's Authorization).
    ['./reports/redacting-reporter.ts'],
    // TD448_CONSOLE_REPORTER=dot keeps a script's log short (the proof of failure runs 1355 checks).
    [process.env.TD448_CONSOLE_REPORTER ?? (process.env.CI ? 'dot' : 'list')],
    ['junit', { outputFile: output.junit }],
    ['./reports/row-coverage-reporter.ts', { outputFile: output.rowCoverage }],
    ['allure-playwright', { resultsDir: output.allureResults, detail: true, suiteTitle: true }],
  ],
  forbidOnly: !!process.env.CI,
  // npm start passes --workers; a direct run gets the machine's default (2 on a 2-core machine).
  workers: defaultWorkers(!process.env.TD448_TARGET),
  use: { extraHTTPHeaders: { 'user-agent': 'td448-suite' } },
  projects: [
    // Logic without a target: the fixtures, and the `*.unit.spec.ts` of the suites (hostile-input plan, Schemathesis' reports).
    { name: 'unit', testDir: '.', testMatch: [/^.*\/fixtures\/.*\.spec\.ts$/, /\.unit\.spec\.ts$/] },
    // The self-check's own logic (batches, verdicts, flakiness); npm run selfcheck runs the self-check itself.
    { name: 'selfcheck', testDir: './selfcheck' },
    { name: 'reference', testDir: './reference-implementation', timeout: 120_000 },
    {
      name: 'functional',
      testDir: './functional',
      testIgnore: /\.unit\.spec\.ts$/,
      fullyParallel: true,
      metadata: needsTarget,
      timeout: 30_000,
    },
    { name: 'load', testDir: './load' },
    // Schemathesis over the profile's OpenAPI documents, once per run; a check per catalog row.
    { name: 'conformance', testDir: './conformance', testIgnore: /\.unit\.spec\.ts$/, metadata: needsTarget, timeout: 1_800_000 },
    // Faults of the target (its broker cut through its fault port, its service killed by its crash command): alone, never beside other checks.
    { name: 'resilience', testDir: './resilience', metadata: needsTarget, timeout: 300_000 },
    { name: 'contracts-consumer', testDir: './contracts/consumer', fullyParallel: false },
    {
      name: 'contracts-provider',
      testDir: './contracts/provider',
      dependencies: ['contracts-consumer'],
      metadata: needsTarget,
      timeout: 120_000,
    },
    { name: 'report', testDir: './reports', timeout: 120_000 },
    { name: 'contracts-specs', testDir: './contracts', testMatch: /(specs|broker)\/.*\.spec\.ts$/ },
  ],
});
