/**
 * npm start [-- --target file.json | --profile NAME|FILE] [-- --only contracts|functional|conformance|load] [-- --grep PATTERN]
 *   [-- --workers N] [-- --verbose] [-- --single-file]   (npm start -- --help says what each does)
 * The main job: starts the embedded stack (unless a target is given), runs the contracts, the
 * functional suite, the conformance phase (Schemathesis) and the smoke load campaign against it, builds the report, prints a summary
 * with the time of each phase, and exits non-zero when anything failed.
 */

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { conformanceDepths, conformanceDepthVariable } from '../conformance/depth.ts';
import { lintCatalog } from '../fixtures/catalog/lint.ts';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import type { Catalog } from '../fixtures/catalog/model.ts';
import { CatalogFormatError } from '../fixtures/catalog/parse.ts';
import { runId } from '../fixtures/data/run-id.ts';
import { defaultWorkers } from '../fixtures/playwright/workers.ts';
import { ProfileError, resolveProfile } from '../fixtures/profile/load-profile.ts';
import type { TargetProfile } from '../fixtures/profile/profile.ts';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import { type KnownSecret, knownSecretsOf } from '../fixtures/secrets/detect.ts';
import { formatPreflight, preflight, preflightDoneVariable } from '../fixtures/target/preflight.ts';
import { writePrivateTargetFile } from '../fixtures/target/private-target-file.ts';
import { disposableTargetVariable } from '../fixtures/target/provide-target.ts';
import { assertReachable, profileOf, readTargetFile, TargetConfigError, targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { startStack } from '../reference-implementation/stack.ts';
import { readResultFiles, suiteSpans } from '../reports/allure-results.ts';
import { writeLoadNotSelected } from '../reports/load-results.ts';
import { reportPaths } from '../reports/paths.ts';
import { phaseVariable } from '../reports/progress-reporter.ts';
import { formatSecretScan, runOutputRoots, scanForSecrets } from '../reports/secret-scan.ts';
import { grepPattern, selectionVariable, writeSelection } from '../reports/selection.ts';
import type { Phases } from '../reports/summary.ts';
import { cliCommand, repeatable, wholeNumber } from './cli.ts';
import { captureConsole } from './console-capture.ts';
import { onInterrupt } from './on-interrupt.ts';
import { runCommand } from './run-command.ts';

const suites = ['contracts', 'functional', 'conformance', 'load'] as const;
type Suite = (typeof suites)[number];

/** Bad input stops the job before anything starts or any output of the last run is removed: exit 2. */
function refuse(message: string): never {
  console.error(`npm start: ${message}\n(npm start -- --help lists every option)`);
  process.exit(2);
}

const values = cliCommand(
  'npm start --',
  'The main job: starts the embedded stack (unless a target is given), runs the contracts, the functional suite, the conformance phase (Schemathesis over the profile’s OpenAPI documents) and the smoke load campaign against it, builds the report, and prints a summary with the time of each phase. Exit code: 0 all passed, 1 a check failed, 2 bad input or a target that does not match its profile.',
  [
    'npm start                                         # everything, against the embedded stack',
    'npm start -- --target targets/deployment.json     # against your deployment (its profile named in the file)',
    'npm start -- --profile acme --only functional     # the embedded stack speaking acme; one suite',
    'npm start -- --grep @rollback                     # the rollback checks only; the other rows: not selected',
    'npm start -- --grep "@row-214\\b" --workers 4      # one row, four Playwright workers',
  ],
)
  .option('--target <file>', 'a target description (JSON): test that deployment instead of the embedded stack (or TD448_TARGET)')
  .option('--profile <name|file>', 'the wire conventions the embedded stack serves: reference (default), acme, or a profile file')
  .option('--only <suite>', `run one suite: ${suites.join(', ')} (repeatable)`, repeatable)
  .option('--grep <pattern>', 'run only the checks whose title or tags match (a regular expression; repeatable: any of them)', repeatable)
  .option(
    '--workers <n>',
    `Playwright workers (default: ${defaultWorkers(true)} against the embedded stack, ${defaultWorkers(false)} against a target, from this machine's cores)`,
    wholeNumber(1, 64),
  )
  .option(
    '--conformance-depth <depth>',
    `how deep Schemathesis goes: ${Object.keys(conformanceDepths).join(', ')} (quick: coverage and stateful phases on the current version; nightly: every phase, 50 examples per operation, every version)`,
    'quick',
  )
  .option('--verbose', 'a line per check instead of the progress line')
  .option('--single-file', 'the Allure report as one HTML file')
  .parse()
  .opts<{
    target?: string;
    profile?: string;
    only?: string[];
    grep?: string[];
    workers?: number;
    conformanceDepth: string;
    verbose?: boolean;
    singleFile?: boolean;
  }>();
if (!(values.conformanceDepth in conformanceDepths))
  refuse(`--conformance-depth takes ${Object.keys(conformanceDepths).join(' or ')}; got "${values.conformanceDepth}"`);
const selected = new Set<Suite>(
  (values.only ?? suites).map((name) => {
    if (!(suites as readonly string[]).includes(name)) refuse(`--only takes ${suites.join(', ')}; got "${name}"`);
    return name as Suite;
  }),
);

// The catalog every suite is generated from: a document that cannot be read or parsed stops the job here.
let catalog: Catalog;
try {
  catalog = loadCatalog();
} catch (error) {
  if (error instanceof CatalogFormatError) refuse(`the catalog cannot be used: ${error.message}`);
  throw error;
}

const givenTarget = values.target ?? process.env[targetFileVariable];
if (givenTarget && values.profile)
  refuse(`--profile chooses the conventions the embedded stack serves; a target (${givenTarget}) names its own profile in its file`);
let embeddedProfile: TargetProfile | undefined;
if (values.profile) {
  try {
    embeddedProfile = resolveProfile(values.profile, process.cwd());
  } catch (error) {
    if (error instanceof ProfileError) refuse(error.message);
    throw error;
  }
}
let target: TargetDescription | undefined;
if (givenTarget) {
  try {
    target = readTargetFile(givenTarget);
    await assertReachable(target);
    const result = await preflight(target, profileOf(target), catalog);
    console.log(formatPreflight(result, target, profileOf(target)));
    if (result.mismatches.length > 0) process.exit(2);
  } catch (error) {
    if (error instanceof TargetConfigError) refuse(error.message);
    throw error;
  }
}

const paths = reportPaths();
const { output } = paths;
// allure-playwright never cleans its results: a report must hold this run only.
for (const stale of [paths.allureResults, paths.rowCoverage, paths.junit, paths.summary, paths.phases, paths.loadNotSelected])
  rmSync(stale, { recursive: true, force: true });
mkdirSync(output, { recursive: true });
// What a CI log stores is an output too: kept in console.log for the secret scan (a terminal keeps nothing).
const consoleFile = join(output, 'console.log');
const consoleCaptured = captureConsole(consoleFile);
writeSelection(paths.selection, values.grep);
// A run of some suites only: the load is left out by choice, which the summary says ("not selected", not "not run").
if (!selected.has('load'))
  writeLoadNotSelected(paths.loadNotSelected, `${[...selected].map((suite) => `--only ${suite}`).join(' ')} leaves the load campaigns out`);
const phases: Phases = [];

async function phase(name: string, work: () => Promise<boolean>): Promise<boolean> {
  const started = performance.now();
  console.log(`\n── ${name} ──`);
  let ok = false;
  try {
    ok = await work();
  } finally {
    const durationMs = Math.round(performance.now() - started);
    phases.push({ phase: name, durationMs, ok });
    writeFileSync(paths.phases, JSON.stringify(phases, null, 2));
    console.log(`── ${name}: ${ok ? 'ok' : 'FAILED'} in ${(durationMs / 1000).toFixed(1)} s`);
  }
  return ok;
}

/** Runs a command with the project's PATH (Node 24 first), inheriting the terminal; true when it passed. */
const run = async (command: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  (await runCommand(command, args, { env, ...(consoleCaptured ? { stdout: 'relay' as const } : {}) })) === 0;

const jobStarted = performance.now();
/** Wall-clock start: the secret scan reads what this run wrote, not older runs' files beside it. */
const jobStartedAt = Date.now() - 1000;
console.log(`run id: ${runId()} (every phase creates its data under it; TD448_RUN_ID=${runId()} rebuilds it)`);
console.log(
  `TD448 catalog: ${catalog.rows.length} rows, ${catalog.operations.length} operations, ${lintCatalog(catalog).length} contradictions in the catalog itself (npm run catalog -- --lint)`,
);

let targetFile = givenTarget;
let stopStack = async () => {};
onInterrupt(() => stopStack());
let allPassed = true;
/** The secrets the run holds by value (the target's), looked for in its outputs at the end. */
let knownSecrets: KnownSecret[] = target ? knownSecretsOf(target) : [];
try {
  if (target) {
    console.log(`target: ${target.name} (${target.apiBaseUrl}) from ${targetFile}`);
  } else {
    const started = await phase('stack start', async () => {
      const stack = await startStack(embeddedProfile ? { profile: embeddedProfile } : {});
      // The stack's description, secrets included, stays out of the outputs (the report reads a redacted one).
      const privateFile = writePrivateTargetFile(stack.target);
      targetFile = privateFile.file;
      stopStack = async () => {
        privateFile.remove();
        await stack.stop();
      };
      console.log(
        `embedded stack (profile ${embeddedProfile?.name ?? 'reference'}): ${stack.target.apiBaseUrl}, Kafka ${stack.target.kafkaBootstrap}`,
      );
      const resolved = readTargetFile(targetFile);
      knownSecrets = knownSecretsOf(resolved);
      const result = await preflight(resolved, profileOf(resolved), catalog);
      console.log(formatPreflight(result, resolved, profileOf(resolved)));
      return result.mismatches.length === 0;
    });
    if (!started)
      throw new Error('the embedded stack does not match its own profile (preflight above): a defect of the reference implementation');
  }
  const env = {
    [targetFileVariable]: targetFile as string,
    [preflightDoneVariable]: targetFile as string,
    ...(target ? {} : { [disposableTargetVariable]: targetFile as string }),
  };
  const playwrightSuites = {
    ...(selected.has('contracts') ? { contracts: ['contracts-consumer', 'contracts-provider', 'contracts-specs'] } : {}),
    ...(selected.has('functional') ? { functional: ['functional'] } : {}),
    ...(selected.has('conformance') ? { conformance: ['conformance'] } : {}),
  };
  const projects = Object.values(playwrightSuites).flat();
  if (projects.length > 0) {
    const label = [...selected].filter((suite) => suite !== 'load').join(' + ');
    const since = Date.now();
    const workers = values.workers ?? defaultWorkers(!target);
    const slice = values.grep ? ['--grep', grepPattern(values.grep)] : [];
    const console_ = {
      TD448_CONSOLE_REPORTER: values.verbose ? 'list' : './reports/progress-reporter.ts',
      [conformanceDepthVariable]: values.conformanceDepth,
      [phaseVariable]: label,
      ...(values.grep ? { [selectionVariable]: JSON.stringify(values.grep) } : {}),
    };
    console.log(`${workers} Playwright workers${values.workers ? '' : ' (the default on this machine: --workers N to change it)'}`);
    allPassed =
      (await phase(label, () =>
        run('playwright', ['test', ...projects.map((p) => `--project=${p}`), `--workers=${workers}`, ...slice], { ...env, ...console_ }),
      )) && allPassed;
    // One Playwright run serves both suites (their workers interleave): each suite's busy span, from its results.
    const parts = suiteSpans(readResultFiles([paths.allureResults]), playwrightSuites, since);
    const last = phases.at(-1);
    if (last && parts.length > 1) {
      last.parts = parts;
      writeFileSync(paths.phases, JSON.stringify(phases, null, 2));
      console.log(
        `   ${parts.map((p) => `${p.part} busy from ${(p.fromMs / 1000).toFixed(1)} s to ${(p.toMs / 1000).toFixed(1)} s`).join('; ')}`,
      );
    }
  }
  if (selected.has('load')) {
    // A sliced run slices the campaigns too: they run on the selected rows they check, or not at all.
    const slice = (values.grep ?? []).flatMap((pattern) => ['--grep', pattern]);
    allPassed =
      (await phase('load (smoke)', () =>
        run('node', ['scripts/load.ts', '--profile', 'smoke', '--target', targetFile as string, ...slice], env),
      )) && allPassed;
  }
} finally {
  await stopStack();
}

const reportOk = await phase('report', () => run('node', ['scripts/report.ts', ...(values.singleFile ? ['--single-file'] : [])]));
// Last: nothing the run wrote (results, attachments, report, pacts, load reports, the console) carries a credential.
const secretsOk = await phase('secrets', async () => {
  const scan = scanForSecrets(runOutputRoots(paths), knownSecrets, jobStartedAt);
  for (const line of formatSecretScan(scan)) console.log(line);
  console.log(
    consoleCaptured
      ? `  the console is in the scan (${relative(process.cwd(), consoleFile)})`
      : '  the console is a terminal: nothing of it is stored, and it is not scanned',
  );
  return scan.findings.length === 0;
});
const seconds = ((performance.now() - jobStarted) / 1000).toFixed(1);
console.log(`\nphases: ${phases.map((p) => `${p.phase} ${(p.durationMs / 1000).toFixed(1)} s`).join(' · ')}`);
const passed = allPassed && reportOk && secretsOk;
console.log(`main job ${passed ? 'passed' : 'FAILED'} in ${seconds} s`);
process.exit(passed ? 0 : 1);
