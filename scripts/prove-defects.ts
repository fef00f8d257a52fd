/**
 * npm run prove:defects [-- --defect NAME ...]
 * Proves the functional suite can fail: runs it against the embedded stack with defects planted
 * and checks that exactly the (row, check) pairs carrying the broken promises turn red.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { expectedRed, plantedDefects } from '../functional/proofs/planted-defects.ts';
import { Defect, defectsVariable } from '../reference-implementation/defects.ts';
import { RowCoverage } from '../reports/row-coverage.ts';

const { values } = parseArgs({ options: { defect: { type: 'string', multiple: true } } });
const defects = (values.defect ?? Defect.options).map((name) => Defect.parse(name));
const checks = [...new Set(defects.map((defect) => plantedDefects[defect].check))];
const coverageFile = 'reports/output/defects/row-coverage.json';

console.log(
  `planting ${defects.join(', ')}; running the functional checks ${checks.map((c) => `@${c}`).join(' ')} and every other check of the same rows`,
);
const started = performance.now();
const run = spawnSync('playwright', ['test', '--project=functional', '--reporter=dot,./reports/row-coverage-reporter.ts'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, [defectsVariable]: defects.join(','), TD448_ROW_COVERAGE_FILE: coverageFile },
});
if (run.error) throw run.error;

const coverage = RowCoverage.parse(JSON.parse(readFileSync(coverageFile, 'utf8')));
const red = new Set(
  coverage.rows.flatMap((row) => row.checks.filter((check) => check.outcome === 'failed').map((check) => `${row.row}:${check.check}`)),
);
const expected = expectedRed(loadCatalog(), defects);
const missed = [...expected].filter((pair) => !red.has(pair));
const extra = [...red].filter((pair) => !expected.has(pair));

console.log(`\nplanted defect            check      rows expected red   rows red`);
for (const defect of defects) {
  const { check, exempt } = plantedDefects[defect];
  const ofCheck = (set: Set<string>) => [...set].filter((pair) => pair.endsWith(`:${check}`)).length;
  console.log(
    `${defect.padEnd(25)} ${check.padEnd(10)} ${String(ofCheck(expected)).padStart(18)} ${String(ofCheck(red)).padStart(10)}${exempt ? `   (exempt: ${exempt})` : ''}`,
  );
}
console.log(`red checks outside the broken promises: ${extra.length}${extra.length ? ` (${extra.slice(0, 20).join(', ')})` : ''}`);
console.log(`expected red checks that stayed green: ${missed.length}${missed.length ? ` (${missed.slice(0, 20).join(', ')})` : ''}`);
console.log(
  `proof ${missed.length === 0 && extra.length === 0 ? 'holds' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(missed.length === 0 && extra.length === 0 ? 0 : 1);
