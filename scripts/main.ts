/**
 * npm start: the main job. Lints the catalog, then runs every suite that exists
 * against the embedded reference implementation and exits non-zero on any failure.
 */
import { spawnSync } from 'node:child_process';
import { lintCatalog } from '../fixtures/catalog/lint.ts';
import { loadCatalog } from '../fixtures/catalog/load.ts';

const started = performance.now();
const catalog = loadCatalog();
const findings = lintCatalog(catalog);
console.log(
  `TD448 catalog: ${catalog.rows.length} rows, ${catalog.operations.length} operations, ` +
    `${findings.length} contradictions in the catalog itself (npm run catalog -- --lint)`,
);

const run = spawnSync('playwright', ['test', ...process.argv.slice(2)], { stdio: 'inherit' });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`main job finished in ${seconds} s with exit code ${run.status}`);
process.exit(run.status ?? 1);
