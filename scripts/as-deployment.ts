/**
 * npm run start:as-deployment [-- --profile NAME|FILE] [-- --only SUITE ...]
 * The main job exactly as a user runs it against their own deployment, with the embedded stack playing
 * the deployment: the stack runs as a process of its own (serving the profile given, acme by default), the
 * job gets only a target file (written as a user would write it from targets/example.json: the roles the
 * README asks for and no more, the profile named by name), and `npm start -- --target FILE` runs the
 * preflight, the suites and the report against it. Outputs go to reports/output/as-deployment-<profile>.
 * With --runs N the job runs N times against the same stack, each run with its own run id, and every record a
 * run created (functional suite, contracts' provider verification, load campaigns) must be gone afterwards (or
 * reported as not removable in that run's cleanup files).
 * Exit code: the main job's (2 when the preflight finds the target does not match its profile); 1 when a run
 * left records behind without saying so.
 */

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import type { ClientRole, TargetDescription } from '../fixtures/schemas/target.ts';
import { Cleanup, ledgers, readCreatedRecords, recordsStillThere } from '../fixtures/target/created-records.ts';
import { writePrivateTargetFile } from '../fixtures/target/private-target-file.ts';
import { startEmbeddedStack } from '../fixtures/target/provide-target.ts';
import { profileOf, readTargetFile } from '../fixtures/target/resolve-target.ts';
import { reportPaths } from '../reports/paths.ts';
import { cliCommand, repeatable, wholeNumber } from './cli.ts';
import { onInterrupt } from './on-interrupt.ts';
import { runCommand } from './run-command.ts';

const values = cliCommand(
  'npm run start:as-deployment --',
  'The main job exactly as a user runs it against their own deployment: the embedded stack, a process of its own, plays the deployment; the job gets only a target file with the roles the README asks for. Outputs: reports/output/as-deployment-<profile>.',
  [
    'npm run start:as-deployment                              # the acme stack, the whole main job',
    'npm run start:as-deployment -- --profile reference --only functional',
    'npm run start:as-deployment -- --runs 2                  # twice against one stack: both green, nothing left behind',
    'npm run start:as-deployment -- --as-profile reference    # a target file that names the wrong profile: the preflight says so',
  ],
)
  .option('--profile <name|file>', 'the profile the stack serves', 'acme')
  .option('--only <suite>', 'run one suite: contracts, functional, load (repeatable)', repeatable)
  .option('--as-profile <name|file>', 'the profile the target file names (default: the one served)')
  .option('--runs <n>', 'run the main job N times against the same stack', wholeNumber(1, 9), 1)
  .parse()
  .opts<{ profile: string; only?: string[]; asProfile?: string; runs: number }>();

/** How many clients of each role the README asks a deployment for. */
export const rolesAsked: Record<ClientRole, number> = {
  functional: 7,
  load: 4,
  unscoped: 1,
  'log-reader': 1,
  'short-lived': 1,
  'other-audience': 1,
  throttled: 0,
};

/** The stack's target cut down to the clients the README asks for, as a user would write it. */
export function asUserTarget(target: TargetDescription, profile: string): TargetDescription {
  const chosen = new Map<string, TargetDescription['clients'][number]>();
  for (const [role, count] of Object.entries(rolesAsked) as [ClientRole, number][]) {
    const holders = target.clients.filter((client) => client.roles.includes(role));
    // A client already chosen for another role keeps this one too (the stack's other-audience client is functional).
    const already = holders.filter((client) => chosen.has(client.clientId)).slice(0, count);
    const fresh = holders.filter((client) => !chosen.has(client.clientId)).slice(0, count - already.length);
    for (const client of [...already, ...fresh]) {
      const entry = chosen.get(client.clientId) ?? { ...client, roles: [] };
      entry.roles = [...entry.roles, role];
      chosen.set(client.clientId, entry);
    }
  }
  return { ...target, name: `embedded stack as a deployment (profile ${profile})`, profile, clients: [...chosen.values()] };
}

const output = join(reportPaths().output, `as-deployment-${values.profile.replace(/[^a-z0-9-]+/gi, '-')}`);
mkdirSync(output, { recursive: true });
const stack = await startEmbeddedStack({ profile: values.profile });
onInterrupt(() => stack.stop());
// The user's target file, secrets included: kept out of the outputs like any user's own file.
const privateFile = writePrivateTargetFile(asUserTarget(stack.target, values.asProfile ?? values.profile));
const targetFile = privateFile.file;
console.log(`the embedded stack (profile ${values.profile}) plays a deployment; its target file: ${targetFile}`);
/**
 * Runs the main job `runs` times against the one stack (a user's staging system is never fresh): run k writes to
 * the output directory (k = 1) or its run-k/ subdirectory. After each run, every record the run created must be
 * gone from the target, or listed in that run's cleanup.json as not removable.
 */
let code = 0;
try {
  for (let run = 1; run <= values.runs && code === 0; run++) {
    const runOutput = run === 1 ? output : join(output, `run-${run}`);
    if (values.runs > 1) console.log(`\n── run ${run} of ${values.runs} against the same stack ──`);
    code = await runCommand(
      process.execPath,
      ['scripts/main.ts', '--target', targetFile, ...(values.only ?? []).flatMap((suite) => ['--only', suite])],
      { env: { TD448_REPORT_OUTPUT: runOutput } },
    );
    if (values.runs > 1) code = (await leftBehind(runOutput, run)) || code;
  }
} finally {
  privateFile.remove();
  await stack.stop();
}
process.exit(code);

/** 1 when the target still holds a record the run created and its cleanup did not report; 0 otherwise. */
async function leftBehind(runOutput: string, run: number): Promise<number> {
  const target = readTargetFile(targetFile);
  // The Playwright run's ledger (functional suite, contracts' provider verification) and the load campaigns'. A
  // suite that ran and noted nothing is a broken ledger, not a clean run: each of them always creates records.
  const selected = (suite: string) => !values.only || values.only.includes(suite);
  const kept = Object.values(ledgers).filter(({ suites }) => suites.some(selected));
  const problems: string[] = [];
  const records = kept.flatMap(({ dir, suites }) => {
    for (const suite of suites.filter(selected))
      if (readCreatedRecords(join(runOutput, dir), suite).length === 0)
        problems.push(`the ${suite} suite ran and noted no record in its ledger (${dir}): the cleanup cannot be judged`);
    return readCreatedRecords(join(runOutput, dir));
  });
  const reportFiles = kept.map(({ report }) => join(runOutput, report));
  const reported = new Set(
    reportFiles
      .filter((file) => existsSync(file))
      .flatMap((file) => Cleanup.parse(JSON.parse(readFileSync(file, 'utf8'))).notRemoved.map((r) => `${r.endpoint} ${r.id}`)),
  );
  const there = await recordsStillThere({ target, profile: profileOf(target), catalog: loadCatalog(), records });
  const unreported = there.filter((record) => !reported.has(`${record.endpoint} ${record.id}`));
  console.log(
    `run ${run}: ${records.length} records created; afterwards ${there.length} still on the target` +
      (there.length > 0 ? ` (${there.length - unreported.length} reported in ${reportFiles.join(', ')})` : ''),
  );
  for (const record of unreported.slice(0, 10))
    console.log(`  left behind, unreported: ${record.endpoint} ${record.id} (read back: ${record.status})`);
  for (const problem of problems) console.log(`  ${problem}`);
  return unreported.length > 0 || problems.length > 0 ? 1 : 0;
}
