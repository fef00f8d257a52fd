import { join } from 'node:path';
import * as allure from 'allure-js-commons';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { operationOfRow } from '../fixtures/catalog/model.ts';
import { oncePerRun } from '../fixtures/playwright/once-per-run.ts';
import { labelRow, rowDetails, rowTitle } from '../fixtures/playwright/row-reporting.ts';
import { expect, test } from '../fixtures/playwright/test.ts';
import { CreatedRecords } from '../fixtures/target/created-records.ts';
import { depthFromEnvironment } from './depth.ts';
import { ConformanceRun, runConformance } from './run.ts';

/**
 * The conformance phase: Schemathesis over the OpenAPI documents of the target's own profile
 * (conformance/run.ts), once per run, shared by every worker; then one check per catalog row: its
 * operation's OpenAPI operations drew no failure from any of Schemathesis' checks (status codes,
 * headers, media types and schemas of the answers; schema-valid requests accepted, schema-violating ones
 * refused with a 4xx; authentication not ignored; no server error). Depth by TD448_CONFORMANCE_DEPTH.
 */
const catalog = loadCatalog();
const depth = depthFromEnvironment();

async function conformanceRun(
  fixtures: Pick<Parameters<Parameters<typeof test>[2]>[0], 'target' | 'wire' | 'catalog' | 'oauth'>,
  outputDir: string,
) {
  return oncePerRun(
    join(outputDir, 'conformance-run.json'),
    ConformanceRun,
    () =>
      runConformance({
        ...fixtures,
        depth,
        ledger: CreatedRecords.ofRun('conformance'),
        outputDir: join(outputDir, 'schemathesis'),
        onProgress: (line) => console.log(`conformance: ${line}`),
      }),
    { waitSeconds: 1800 },
  );
}

for (const row of catalog.rows) {
  const operation = operationOfRow(catalog, row);
  test(
    rowTitle(row, 'conforms to its OpenAPI operation: Schemathesis finds no failure'),
    rowDetails(row, 'conformance'),
    async ({ target, wire, catalog, oauth }, testInfo) => {
      test.setTimeout(1800_000);
      await labelRow(row, 'conformance');
      const run = await conformanceRun({ target, wire, catalog, oauth }, testInfo.project.outputDir);
      const verdict = run.operations.find((candidate) => candidate.id === operation.id);
      if (!verdict) throw new Error(`row ${row.number}: no verdict for its operation ${operation.id}`);
      await allure.parameter('depth', `${run.depth} (seed ${run.seed})`);
      for (const [check, reason] of Object.entries(run.excludedChecks))
        testInfo.annotations.push({ type: 'not run', description: `Schemathesis ${check}: ${reason}` });
      test.skip(verdict.outcome === 'not-run', `not run: ${verdict.reason}`);
      await testInfo.attach('schemathesis operations', { body: verdict.tested.join('\n'), contentType: 'text/plain' });
      for (const failure of verdict.failures)
        await testInfo.attach(`${failure.code} ${failure.operation}`, { body: failure.report, contentType: 'text/plain' });
      expect(
        verdict.failures.map(
          (failure) =>
            `${failure.code} on ${failure.operation}: ${failure.report.split('\n').find((line) => line.startsWith('- ST')) ?? ''}`,
        ),
        `Schemathesis failures on ${verdict.id} (reports attached; reproduce with the curl in each)`,
      ).toEqual([]);
    },
  );
}
