/**
 * npm run prove:defects [-- --defect NAME ...] [-- --profile NAME|FILE] [-- --grep PATTERN]
 * Proves the suite can fail, and that its report says so in the same words everywhere:
 *   1. runs the functional suite against the embedded stack with defects planted in the reference
 *      implementation, and checks that exactly the (row, check) pairs carrying the broken promises turn red;
 *   2. builds the report of that run and checks that summary.json, the traceability matrix (JSON and CSV)
 *      and the Allure report all name exactly the rows of those pairs as failing, and that the run failed;
 *   3. opens that report in Chromium and checks that it shows the run's counts and failing rows;
 *   4. scans what the proof wrote for credentials: a defect that leaks a token is reported without leaking it again.
 * Everything goes to reports/output/defects (reports/output/defects-<profile> under another profile than the
 * reference one, with -selected when --grep selects some checks), apart from the last real run. Without
 * --defect it plants every defect but those that break one check of every row (proven on their own, with
 * --grep on that check) and those another planted one masks (see selfcheck/planted-defects.ts). The expected red set is the same under every profile: a profile
 * changes how the suite speaks to the target, never which promises it checks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { resolveProfile } from '../fixtures/profile/load-profile.ts';
import { defectsVariable, embeddedProfileVariable } from '../fixtures/target/provide-target.ts';
import { targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { Defect, parseDefects } from '../reference-implementation/defects.ts';
import { disagreements, failingRowSources, failingRowsBySource } from '../reports/agreement.ts';
import { buildReport } from '../reports/build-report.ts';
import { junitCounts } from '../reports/junit.ts';
import { projectRoot, reportPaths } from '../reports/paths.ts';
import { RowCoverage } from '../reports/row-coverage.ts';
import { formatSecretScan, scanForSecrets } from '../reports/secret-scan.ts';
import { defaultDefects, expectedRed, plantedDefects } from '../selfcheck/planted-defects.ts';
import { cliCommand, repeatable } from './cli.ts';

const options = cliCommand(
  'npm run prove:defects --',
  'Proves the suite can fail: plants defects in the embedded reference implementation, runs the functional suite, and checks that exactly the (row, check) pairs of the broken promises turn red and that every output of the run names the same rows.',
  [
    'npm run prove:defects                                   # the default defects under the reference profile',
    'npm run prove:defects -- --profile acme --defect drop-event',
    'npm run prove:defects -- --defect omit-allow --grep @restful',
  ],
)
  .option('--defect <name>', `a defect to plant (repeatable): ${Defect.options.join(', ')}`, repeatable)
  .option('--profile <name|file>', 'the profile the stack serves', 'reference')
  .option('--grep <pattern>', 'run only the checks matching it; "nothing else red" then holds among those run')
  .parse()
  .opts<{ defect?: string[]; profile: string; grep?: string }>();
let defects: Defect[];
const { profile, grep } = options;
try {
  defects = options.defect ? [...parseDefects(options.defect.join(','))] : defaultDefects(Defect.options);
  resolveProfile(profile, process.cwd()); // refuses an unknown profile before anything starts
} catch (error) {
  console.error(`npm run prove:defects: ${(error as Error).message}\n(npm run prove:defects -- --help lists every option)`);
  process.exit(2);
}
for (const defect of defects) {
  const maskedBy = plantedDefects[defect].maskedBy;
  if (maskedBy && defects.includes(maskedBy))
    console.log(`note: ${defect} is planted with ${maskedBy}, whose red rows include all of its own: this run cannot tell it apart`);
}
const notPlanted = Defect.options.filter((defect) => !defects.includes(defect));
if (notPlanted.length > 0) console.log(`not planted in this run: ${notPlanted.join(', ')} (prove one with --defect NAME)`);
const checks = [...new Set(defects.map((defect) => plantedDefects[defect].check))];
const proofDir = [
  profile === 'reference' ? 'defects' : `defects-${profile.replace(/[^a-z0-9-]+/gi, '-')}`,
  ...(grep ? ['selected'] : []),
].join('-');
const paths = reportPaths(join(reportPaths().output, proofDir), join(reportPaths().output, proofDir, 'history'));
rmSync(paths.output, { recursive: true, force: true });

const started = performance.now();
const startedAt = Date.now() - 1000;
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
const problems: string[] = [];

// 1. The planted defects turn exactly their (row, check) pairs red.
console.log(
  `profile ${profile}: planting ${defects.join(', ')}; running the functional checks ${checks.map((c) => `@${c}`).join(' ')}${grep ? '' : ' and every other check of the same rows'}`,
);
// Defects can be planted in the embedded reference implementation only: a deployment named by TD448_TARGET is left alone.
const { [targetFileVariable]: deployment, ...embeddedOnly } = process.env;
if (deployment)
  console.log(`${targetFileVariable}=${deployment} is ignored: the defects are planted in the embedded reference implementation`);
if (grep) console.log(`only the checks matching ${grep}: the others are not run, and "nothing else red" holds among those run`);
const run = spawnSync('playwright', ['test', '--project=functional', ...(grep ? ['--grep', grep] : [])], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...embeddedOnly,
    [defectsVariable]: defects.join(','),
    [embeddedProfileVariable]: profile,
    TD448_REPORT_OUTPUT: paths.output,
    TD448_CONSOLE_REPORTER: 'dot',
  },
});
if (run.error) throw run.error;

const coverage = RowCoverage.parse(JSON.parse(readFileSync(paths.rowCoverage, 'utf8')));
const red = new Set(
  coverage.rows.flatMap((row) => row.checks.filter((check) => check.outcome === 'failed').map((check) => `${row.row}:${check.check}`)),
);
// Under --grep, the promise is judged among the checks the selection ran; each planted defect must have some.
const ran = new Set(coverage.rows.flatMap((row) => row.checks.map((check) => `${row.row}:${check.check}`)));
const expected = new Set([...expectedRed(loadCatalog(), defects)].filter((pair) => !grep || ran.has(pair)));
for (const defect of defects) {
  const { check } = plantedDefects[defect];
  if (![...expected].some((pair) => pair.endsWith(`:${check}`)))
    problems.push(`the run checked none of the rows ${defect} breaks (check ${check})${grep ? `: widen --grep ${grep}` : ''}`);
}
const missed = [...expected].filter((pair) => !red.has(pair));
const extra = [...red].filter((pair) => !expected.has(pair));

console.log(`\nplanted defect                      check            rows expected red   rows red`);
for (const defect of defects) {
  const { check, exempt } = plantedDefects[defect];
  const ofCheck = (set: Set<string>) => [...set].filter((pair) => pair.endsWith(`:${check}`)).length;
  console.log(
    `${defect.padEnd(35)} ${check.padEnd(16)} ${String(ofCheck(expected)).padStart(18)} ${String(ofCheck(red)).padStart(10)}${exempt ? `   (exempt: ${exempt})` : ''}`,
  );
}
console.log(`red checks outside the broken promises: ${extra.length}${extra.length ? ` (${extra.slice(0, 20).join(', ')})` : ''}`);
console.log(`expected red checks that stayed green: ${missed.length}${missed.length ? ` (${missed.slice(0, 20).join(', ')})` : ''}`);
if (missed.length > 0 || extra.length > 0) problems.push('the red checks are not exactly the broken promises');

// 2. The report of that run: every output names the same failing rows, and the run failed.
const summary = await buildReport({ paths });
const expectedRows = [...new Set([...expected].map((pair) => Number(pair.split(':')[0])))];
const bySource = failingRowsBySource(paths);
console.log(`\nfailing rows expected: ${expectedRows.length}`);
for (const source of failingRowSources) console.log(`  ${source.padEnd(18)} names ${bySource[source].length}`);
const disagreeing = disagreements(bySource, expectedRows);
for (const line of disagreeing) console.log(`  ${line}`);
if (disagreeing.length > 0) problems.push('the outputs of the run disagree on its failing rows');
console.log(`summary verdict: ${summary.verdict}; quality gate: ${summary.qualityGate.status}`);
if (summary.verdict !== 'failed' || summary.qualityGate.status !== 'failed') problems.push('the run with planted defects did not fail');

// 3. The report seen in Chromium shows that run's counts and failing rows.
console.log('\nopening the report of the run in Chromium');
const browser = spawnSync('playwright', ['test', '--project=report', '--grep', 'report of the last run'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    TD448_LAST_RUN_OUTPUT: paths.output,
    TD448_REPORT_OUTPUT: join(paths.output, 'browser-check'),
    TD448_CONSOLE_REPORTER: 'line',
  },
});
const seen = junitCounts(reportPaths(join(paths.output, 'browser-check')).junit);
if (browser.status !== 0) problems.push('the report in Chromium does not show the run as its summary does');
else if (seen?.passed !== 1) console.log('the report was not checked in Chromium: not run (see the reason above)');

// 4. The failures reported carry no credential: a defect that leaks a token is reported without leaking it again.
const scan = scanForSecrets(
  [paths.output, join(projectRoot, 'test-results')].filter((root) => existsSync(root)),
  [],
  startedAt,
);
console.log('');
for (const line of formatSecretScan(scan, 5)) console.log(line);
if (scan.findings.length > 0) problems.push('the outputs of the proof carry credentials');

console.log(`\nreport of the proof: ${paths.allureReport}/index.html; traceability: ${paths.traceabilityCsv}`);
console.log(`proof (profile ${profile}) ${problems.length === 0 ? 'holds' : `FAILED: ${problems.join('; ')}`} in ${seconds()} s`);
process.exit(problems.length === 0 ? 0 : 1);
