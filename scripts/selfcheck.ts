/**
 * npm run selfcheck -- [--profile NAME]... [--defect NAME]... [--grep PATTERN | --sample N] [--json] [--repeat N]
 * The suite proves its own power. Every planted defect of the reference implementation (defects.ts) is planted in
 * the embedded stack, in batches of defects whose expected red (row, check) pairs neither overlap nor change when
 * planted together (selfcheck/batches.ts, from selfcheck/planted-defects.ts); the functional suite runs
 * once per batch, and the checks a planted defect must turn red are excused as expected failures once they have
 * failed (fixtures/playwright/expected-red.ts), so that Playwright keeps its workers. The defects the @resilience
 * checks prove are planted one at a time under their check. Printed per defect: caught or missed, rows red, missed
 * pairs; per batch, false alarms (red pairs no planted defect explains) with their first error line; then the
 * mutation score (caught / planted) and precision (explained red pairs / red pairs). Under each profile asked for
 * (reference and acme by default). `--json` prints the same as data on stdout (the log goes to stderr).
 * `--repeat N` instead runs the clean stack N times per profile and names every check whose verdict changed (flaky),
 * with its failure messages (and any check that failed in every run: broken, not flaky). Outputs:
 * reports/output/selfcheck/campaign (selfcheck.json) or reports/output/selfcheck/repeat (repeat.json). Exit 0 when it holds.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { runIdVariable } from '../fixtures/data/run-id.ts';
import type { ExpectedRed } from '../fixtures/playwright/expected-red.ts';
import { expectedRedVariable } from '../fixtures/playwright/expected-red.ts';
import { resolveProfile } from '../fixtures/profile/load-profile.ts';
import { preflightDoneVariable } from '../fixtures/target/preflight.ts';
import { crashableVariable, defectsVariable, embeddedProfileVariable } from '../fixtures/target/provide-target.ts';
import { resolvedTargetVariable, targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { Defect, parseDefects } from '../reference-implementation/defects.ts';
import { loadChecks, readLoadRun } from '../reports/load-results.ts';
import { reportPaths } from '../reports/paths.ts';
import { RowCoverage } from '../reports/row-coverage.ts';
import { selectionVariable } from '../reports/selection.ts';
import { type Batch, batchesOf, projectsOf, rowsGrep, sampleRows, suiteOf } from '../selfcheck/batches.ts';
import { alwaysFailing, type FlakyCheck, flakyChecks, type RunVerdicts } from '../selfcheck/flaky.ts';
import { loadCampaignsOf, plantedDefects } from '../selfcheck/planted-defects.ts';
import {
  type BatchVerdict,
  type DefectVerdict,
  judgeBatch,
  type SeenCheck,
  type SelfCheckResult,
  summarize,
  unjudged,
} from '../selfcheck/score.ts';
import { cliCommand, repeatable, wholeNumber } from './cli.ts';
import { caughtByResilience, runResilienceChecks } from './resilience-checks.ts';
import { runCommand } from './run-command.ts';

const options = cliCommand(
  'npm run selfcheck --',
  'The suite proves its own power: plants every defect of the reference implementation in the embedded stack (in batches that can be told apart), runs the suites, and prints per defect caught or missed, the mutation score and the precision; --repeat N finds flaky checks instead.',
  [
    'npm run selfcheck                                  # every defect, both profiles (27 defects: 29 min here, session 10)',
    'npm run selfcheck -- --sample 3                    # three rows per defect, as npm test runs it (about 12 min in CI)',
    'npm run -s selfcheck -- --profile reference --json > selfcheck.json   # -s: no npm banner on stdout',
    'npm run selfcheck -- --defect omit-allow --defect drop-event --profile acme',
    'npm run selfcheck -- --repeat 10                   # the clean stack ten times per profile (about 30 min)',
  ],
)
  .addHelpText(
    'after',
    [
      '',
      'Outputs: reports/output/selfcheck/campaign/selfcheck.json (each run of a batch in <profile>/batch-N/), or',
      'reports/output/selfcheck/repeat/repeat.json; each run empties its own folder first. Exit 0 when the self-check',
      'holds: every defect caught on every (row, check) pair it must turn red, every such pair judged, nothing else red.',
    ].join('\n'),
  )
  .option('--profile <name|file>', 'a profile the stack serves (repeatable; reference and acme by default)', repeatable)
  .option('--defect <name>', `a defect to plant (repeatable; all by default): ${Defect.options.join(', ')}`, repeatable)
  .option(
    '--grep <pattern>',
    'run only the checks matching it (and the resilience defects whose tag it matches); defects it leaves out are not counted',
  )
  .option(
    '--sample <n>',
    'run every check of N rows per defect only (its first, its last, and spread between; not with --grep): npm test runs --sample 3',
    wholeNumber(1, 320),
  )
  .option('--json', 'print the result as JSON on stdout (the log goes to stderr)')
  .option(
    '--repeat <n>',
    'instead: run the clean stack N times per profile (N ≥ 2: one run cannot change its mind) and name the checks whose verdict changed; --defect and --sample do not apply',
    wholeNumber(2, 100),
  )
  .parse()
  .opts<{ profile?: string[]; defect?: string[]; grep?: string; sample?: number; json?: boolean; repeat?: number }>();

const log = (line = '') => (options.json ? console.error(line) : console.log(line));
const profiles = options.profile ?? ['reference', 'acme'];
let defects: Defect[];
try {
  if (options.sample && options.grep) throw new Error('--sample and --grep both choose the checks run: give one of them');
  defects = options.defect ? [...parseDefects(options.defect.join(','))] : [...Defect.options];
  for (const profile of profiles) resolveProfile(profile, process.cwd()); // refuses an unknown profile before anything starts
} catch (error) {
  console.error(`npm run selfcheck: ${(error as Error).message}\n(npm run selfcheck -- --help lists every option)`);
  process.exit(2);
}

const catalog = loadCatalog();
// The campaign and the repeat keep their outputs apart: the nightly runs one after the other and keeps both.
const root = join(reportPaths().output, 'selfcheck', options.repeat ? 'repeat' : 'campaign');
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
const started = performance.now();
const elapsed = (since: number) => Math.round((performance.now() - since) / 100) / 10;
// Defects are planted in the embedded reference implementation only: a deployment named by TD448_TARGET is left alone,
// and no setting of the caller's shell reaches the runs (undefined: runCommand's child then has no such variable).
const deployment = process.env[targetFileVariable];
if (deployment)
  log(`${targetFileVariable}=${deployment} is ignored: the self-check plants defects in the embedded reference implementation`);
const embeddedOnly: NodeJS.ProcessEnv = Object.fromEntries(
  [
    targetFileVariable,
    resolvedTargetVariable,
    defectsVariable,
    expectedRedVariable,
    crashableVariable,
    selectionVariable,
    runIdVariable,
    preflightDoneVariable,
  ].map((name) => [name, undefined]),
);
const safeName = (profile: string) => profile.replace(/[^a-z0-9-]+/gi, '-');

/** The suites (the functional one by default) against the embedded stack under a profile; the verdict of each check run. */
async function runSuites(
  output: string,
  profile: string,
  env: NodeJS.ProcessEnv,
  grep = options.grep,
  projects = ['functional'],
): Promise<SeenCheck[] | undefined> {
  rmSync(output, { recursive: true, force: true });
  await runCommand('playwright', ['test', ...projects.map((project) => `--project=${project}`), ...(grep ? ['--grep', grep] : [])], {
    env: {
      ...embeddedOnly,
      ...env,
      [embeddedProfileVariable]: profile,
      TD448_REPORT_OUTPUT: output,
      TD448_CONSOLE_REPORTER: 'dot',
    },
    stdout: options.json ? 'stderr' : 'inherit',
  });
  try {
    const coverage = RowCoverage.parse(JSON.parse(readFileSync(reportPaths(output).rowCoverage, 'utf8')));
    return coverage.rows.flatMap((row) =>
      row.checks.map((check) => ({
        pair: `${row.row}:${check.check}`,
        title: check.title,
        outcome: check.outcome,
        ...(check.reason ? { reason: check.reason } : {}),
      })),
    );
  } catch {
    return undefined;
  }
}

/**
 * The smoke load campaigns (scripts/load.ts: the rate-limit and latency campaigns side by side, about 90 s; only
 * `campaigns` when it names one) against the embedded stack under a profile, its defects planted by `env`; the verdict of each load check of each row
 * (reports/load-results.ts `loadChecks`: `load:<campaign>:<threshold>`). Undefined when the run left no load results.
 */
async function runLoad(output: string, profile: string, env: NodeJS.ProcessEnv, campaigns: string[]): Promise<SeenCheck[] | undefined> {
  rmSync(output, { recursive: true, force: true });
  // Only the campaign the defects' checks belong to, when it is one: a whole minute less, and no other campaign to misjudge.
  const campaign = campaigns.length === 1 ? ['--campaign', campaigns[0] as string] : [];
  await runCommand('node', ['scripts/load.ts', '--profile', 'smoke', ...campaign], {
    env: { ...embeddedOnly, ...env, [embeddedProfileVariable]: profile, TD448_REPORT_OUTPUT: output },
    stdout: options.json ? 'stderr' : 'inherit',
  });
  const paths = reportPaths(output);
  const run = readLoadRun(paths.allureResults, paths.loadRuns);
  if (!run) return undefined;
  return loadChecks(run).map((check) => ({
    pair: `${check.row}:${check.check}`,
    title: check.title,
    outcome: check.outcome,
    ...(check.reason ? { reason: check.reason } : {}),
  }));
}

/** One batch planted together: its defects' verdicts and its false alarms. */
async function runBatch(batch: Batch, index: number, profile: string): Promise<{ defects: DefectVerdict[]; batch: BatchVerdict }> {
  const output = join(root, safeName(profile), `batch-${index + 1}`);
  mkdirSync(output, { recursive: true });
  const expected: ExpectedRed = { pairs: {} };
  for (const [defect, pairs] of batch.pairs) for (const pair of pairs) expected.pairs[pair] = [...(expected.pairs[pair] ?? []), defect];
  const expectedFile = join(root, `${safeName(profile)}-batch-${index + 1}-expected-red.json`);
  writeFileSync(expectedFile, JSON.stringify(expected, null, 1));
  const load = projectsOf(batch).length === 0;
  const sample = options.sample && !load ? sampleRows(batch, options.sample) : undefined;
  log(
    `\n── profile ${profile}, batch ${index + 1} (${projectsOf(batch).join(', ') || 'load: the smoke campaigns'}): ${batch.defects.join(', ')} (${Object.keys(expected.pairs).length} pairs expected red${sample ? `; every check of ${sample.length} rows run, ${options.sample} per defect, ${Object.keys(expected.pairs).filter((pair) => sample.includes(Number(pair.split(':')[0]))).length} of those pairs among them` : ''}) ──`,
  );
  const since = performance.now();
  const planted = { [defectsVariable]: batch.defects.join(','), [expectedRedVariable]: expectedFile };
  // A batch of load defects is judged by the smoke load campaigns, whole: a campaign cannot be cut to sampled rows.
  const seen = load
    ? await runLoad(output, profile, planted, [...new Set(batch.defects.flatMap(loadCampaignsOf))])
    : await runSuites(output, profile, planted, sample ? rowsGrep(sample) : options.grep, projectsOf(batch));
  if (!seen) {
    const reason = `the run of batch ${index + 1} wrote no row-coverage record (see its log above; outputs in ${output})`;
    return {
      defects: batch.defects.map((defect) => ({
        ...unjudged(defect, profile, suiteOf(defect), batch.pairs.get(defect)?.size ?? 0),
        notRun: reason,
      })),
      batch: { profile, defects: [...batch.defects], falseAlarms: [], redPairs: 0, seconds: elapsed(since) },
    };
  }
  const whole = load || (!options.grep && !options.sample);
  const judged = judgeBatch(batch, profile, seen, elapsed(since), whole);
  for (const verdict of judged.defects) {
    if (verdict.expected > 0) continue;
    const check = plantedDefects[verdict.defect as Defect].check;
    // A selection that leaves out every pair of a defect says nothing of it; a whole run that judged none is broken.
    if (options.grep) verdict.notSelected = `--grep ${options.grep} selected none of the pairs it breaks (check ${check})`;
    else verdict.notRun = `the run judged none of the pairs it breaks (check ${check})`;
  }
  return judged;
}

/** A resilience defect planted alone under the check that must catch it. */
async function runResilienceDefect(defect: Defect, check: string, profile: string): Promise<DefectVerdict> {
  const output = join(root, safeName(profile), `resilience-${defect}`);
  log(`\n── profile ${profile}: ${defect} planted, the ${check} check must fail ──`);
  const run = await runResilienceChecks(
    output,
    { ...embeddedOnly, [crashableVariable]: '1', [embeddedProfileVariable]: profile, [defectsVariable]: defect },
    { grep: check, stdout: options.json ? 'stderr' : 'inherit' },
  );
  const caught = caughtByResilience(run, check);
  return {
    ...unjudged(defect, profile, check, 1),
    caught,
    red: caught ? 1 : 0,
    missed: caught ? [] : [check],
    ...(run.junit ? {} : { notRun: `the ${check} check wrote no JUnit report (exit ${run.code}; outputs in ${output})` }),
  };
}

if (options.repeat) {
  // Flakiness: the clean stack, N times per profile; a check whose verdict changes is flaky. A check that failed in
  // every run is broken (a clean stack passes them all), and a run that wrote no record judged nothing: both fail too.
  const flaky: FlakyCheck[] = [];
  const broken: FlakyCheck[] = [];
  const unrecorded: string[] = [];
  for (const profile of profiles) {
    const runs: RunVerdicts[] = [];
    for (let run = 1; run <= options.repeat; run += 1) {
      log(`\n── profile ${profile}: clean run ${run} of ${options.repeat} ──`);
      const seen = await runSuites(join(root, safeName(profile), `run-${run}`), profile, {});
      if (!seen) unrecorded.push(`${profile} run ${run}`);
      runs.push(seen ?? 'no record');
    }
    flaky.push(...flakyChecks(profile, runs));
    broken.push(...alwaysFailing(profile, runs));
  }
  const result = {
    repeat: options.repeat,
    profiles,
    flaky,
    alwaysFailing: broken,
    runsWithoutRecord: unrecorded,
    seconds: elapsed(started),
  };
  writeFileSync(join(root, 'repeat.json'), JSON.stringify(result, null, 2));
  log(`\nflaky checks over ${options.repeat} clean runs per profile (${profiles.join(', ')}): ${flaky.length}`);
  for (const check of flaky) {
    log(`  ${check.profile}  ${check.title}: failed ${check.failed} of ${check.runs}`);
    for (const message of check.messages.slice(0, 3)) log(`      ${message}`);
  }
  if (broken.length > 0) log(`checks that failed in every run (broken, not flaky): ${broken.length}`);
  for (const check of broken.slice(0, 20)) log(`  ${check.profile}  ${check.title}: ${check.messages[0] ?? ''}`);
  if (unrecorded.length > 0) log(`runs that wrote no row-coverage record (judged nothing): ${unrecorded.join(', ')}`);
  const holds = flaky.length === 0 && broken.length === 0 && unrecorded.length === 0;
  log(
    `self-check --repeat ${options.repeat} ${holds ? 'holds' : 'FAILED'} in ${Math.round(result.seconds)} s; record: ${join(root, 'repeat.json')}`,
  );
  if (options.json) console.log(JSON.stringify(result, null, 2));
  process.exit(holds ? 0 : 1);
}

const verdicts: DefectVerdict[] = [];
const batchVerdicts: BatchVerdict[] = [];
const allBatches = batchesOf(catalog, defects);
// --grep selects checks of the Playwright suites; a batch of load defects runs the whole smoke campaigns, and only when
// the pattern names them (`--grep load`).
const loadSelected = (batch: Batch) => projectsOf(batch).length > 0 || !options.grep || new RegExp(options.grep).test('@load');
const batches = allBatches.filter(loadSelected);
for (const batch of allBatches.filter((candidate) => !loadSelected(candidate)))
  for (const profile of profiles)
    for (const defect of batch.defects)
      verdicts.push({
        ...unjudged(defect, profile, suiteOf(defect), batch.pairs.get(defect)?.size ?? 0),
        notSelected: `--grep ${options.grep} does not select the load campaigns (@load) that prove it`,
      });
log(`self-check: ${defects.length} defects under ${profiles.join(' and ')}; ${batches.length} batch(es) of the suites per profile`);
for (const profile of profiles) {
  for (const [index, batch] of batches.entries()) {
    const judged = await runBatch(batch, index, profile);
    verdicts.push(...judged.defects);
    batchVerdicts.push(judged.batch);
  }
  for (const defect of defects) {
    const check = plantedDefects[defect].provenByResilience;
    if (!check) continue;
    // Under --grep, a resilience defect runs only when the pattern names its check's tag.
    if (options.grep && !new RegExp(options.grep).test(check))
      verdicts.push({ ...unjudged(defect, profile, check), notSelected: `--grep ${options.grep} does not select the ${check} check` });
    else verdicts.push(await runResilienceDefect(defect, check, profile));
  }
}
const result: SelfCheckResult = summarize(verdicts, batchVerdicts, elapsed(started));
writeFileSync(join(root, 'selfcheck.json'), JSON.stringify(result, null, 2));

log(`\nprofile     defect                              proven by        expected   red  verdict`);
for (const verdict of result.defects) {
  const state = verdict.notSelected
    ? `not selected: ${verdict.notSelected}`
    : verdict.notRun
      ? `NOT RUN: ${verdict.notRun}`
      : !verdict.caught
        ? 'MISSED'
        : verdict.missed.length > 0
          ? `caught, ${verdict.missed.length} pair(s) stayed green: ${verdict.missed.slice(0, 8).join(', ')}`
          : 'caught';
  const unjudged =
    verdict.notJudged.length > 0 ? `; NOT JUDGED ${verdict.notJudged.length}: ${verdict.notJudged.slice(0, 8).join(', ')}` : '';
  log(
    `${verdict.profile.padEnd(11)} ${verdict.defect.padEnd(35)} ${verdict.provenBy.padEnd(16)} ${String(verdict.expected).padStart(8)} ${String(verdict.red).padStart(5)}  ${state}${unjudged}`,
  );
}
for (const batch of result.batches) {
  if (batch.falseAlarms.length === 0) continue;
  log(`\nfalse alarms under ${batch.profile} with ${batch.defects.join(', ')} planted: ${batch.falseAlarms.length}`);
  for (const alarm of batch.falseAlarms.slice(0, 20)) log(`  ${alarm.pair}: ${alarm.reason ?? '(no message)'}`);
}
const counted = result.defects.filter((verdict) => !verdict.notSelected);
const caught = counted.filter((verdict) => verdict.caught).length;
const redPairs = result.batches.reduce((sum, batch) => sum + batch.redPairs, 0);
const alarms = result.batches.reduce((sum, batch) => sum + batch.falseAlarms.length, 0);
log(`\nmutation score: ${caught}/${counted.length} defects caught (${(result.mutationScore * 100).toFixed(1)} %)`);
log(`precision: ${redPairs - alarms}/${redPairs} red pairs explained by a planted defect (${(result.precision * 100).toFixed(1)} %)`);
log(`self-check ${result.holds ? 'holds' : 'FAILED'} in ${Math.round(result.seconds)} s; record: ${join(root, 'selfcheck.json')}`);
if (options.json) console.log(JSON.stringify(result, null, 2));
process.exit(result.holds ? 0 : 1);
