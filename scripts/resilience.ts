/**
 * npm run resilience [-- --target FILE | --profile NAME|FILE] [-- --prove]
 * The @resilience checks: faults of the target, through its fault port (target.toxiproxy) and its crash command
 * (target.crash; the embedded stack offers both). @broker-outage: the Kafka broker stopped in the middle of a
 * write load and started again, every event of every acknowledged operation then arriving exactly once, in order
 * per key, and the operations during the outage answering in time (printed: operations acknowledged, events
 * expected, received, duplicated, lost). @crash: the service killed with SIGKILL in the middle of a write load and
 * restarted on the same database, every acknowledged write then there and whole, nothing cut off half-done, every
 * event owed delivered (printed: writes acknowledged, found, lost, torn; events owed, delivered, duplicated).
 * Then the smoke load campaigns with the broker cut once, 15 s into them, for 15 s: their thresholds must hold, and
 * the report of the run shows the outage window on the latency chart (checked in Chromium). Last, what the run
 * wrote is scanned for credentials (secrets found 0).
 * With --prove, the same against the embedded stack with each resilience defect planted (defects.ts), each
 * of which the check must catch. Outputs: reports/output/resilience[-<defect>]. Exit 0 when all held.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { knownSecretsOf } from '../fixtures/secrets/detect.ts';
import { crashableVariable, defectsVariable, embeddedProfileVariable } from '../fixtures/target/provide-target.ts';
import { readTargetFile, targetFileVariable } from '../fixtures/target/resolve-target.ts';
import { Defect } from '../reference-implementation/defects.ts';
import { buildReport } from '../reports/build-report.ts';
import { reportPaths } from '../reports/paths.ts';
import { formatSecretScan, scanForSecrets } from '../reports/secret-scan.ts';
import { resilienceDefects } from '../selfcheck/planted-defects.ts';
import { cliCommand } from './cli.ts';
import { caughtByResilience, runResilienceChecks } from './resilience-checks.ts';
import { runCommand } from './run-command.ts';

const values = cliCommand(
  'npm run resilience --',
  'The @resilience checks against the target (or the embedded stack): the Kafka broker cut through the target’s fault port (toxiproxy) in the middle of a write load and restored, every acknowledged operation’s event then arriving exactly once, in order per key; the service killed (crash.command) in the middle of a write load and restarted, every acknowledged write then there and whole and nothing half-done. --prove plants each resilience defect in the embedded stack and requires the check that must catch it to fail.',
  [
    'npm run resilience                                   # the embedded stack',
    'npm run resilience -- --target targets/staging.json  # a deployment whose target file names its Toxiproxy',
    'npm run resilience -- --prove                        # and each resilience defect must be caught',
  ],
)
  .option(
    '--target <file>',
    'a target description with a fault port (toxiproxy) and a crash command (crash) instead of the embedded stack (or TD448_TARGET)',
  )
  .option('--profile <name|file>', 'the profile the embedded stack serves (reference by default)')
  .option('--prove', 'also plant each resilience defect in the embedded stack: the check must fail on it')
  .parse()
  .opts<{ target?: string; profile?: string; prove?: boolean }>();

const target = values.target ?? process.env[targetFileVariable];
if (target && values.prove) {
  console.error(
    'npm run resilience: --prove plants defects in the embedded stack; it cannot be used with a target\n(npm run resilience -- --help lists every option)',
  );
  process.exit(2);
}

const runChecks = (output: string, env: NodeJS.ProcessEnv, grep?: string) => runResilienceChecks(output, env, { grep });

const base: NodeJS.ProcessEnv = {
  [crashableVariable]: '1',
  ...(target ? { [targetFileVariable]: target } : {}),
  ...(values.profile ? { [embeddedProfileVariable]: values.profile } : {}),
};
const problems: string[] = [];
const startedAt = Date.now() - 1000;
const output = join(reportPaths().output, 'resilience');
console.log(`\n── resilience checks against ${target ?? 'the embedded stack'} ──`);
const clean = await runChecks(output, base);
if (clean.code !== 0)
  problems.push(`the resilience checks failed against ${target ?? 'the embedded stack'} (see above; outputs in ${output})`);

// The load held across the outage: the smoke campaigns with the broker cut once 15 s in, for 15 s; their thresholds must hold.
console.log('\n── load (smoke) across a broker outage: cut once, 15 s into the campaigns, for 15 s ──');
const load = await runCommand(
  'node',
  ['scripts/load.ts', '--profile', 'smoke', '--broker-outage', '15:15', ...(target ? ['--target', target] : [])],
  { env: { ...base, TD448_REPORT_OUTPUT: output } },
);
if (load !== 0) problems.push('the load campaigns did not hold across the broker outage (see above)');

// One report of the run, and the campaign's latency chart seen in it, outage window and all.
const paths = reportPaths(output, join(output, 'history'));
const summary = await buildReport({ paths });
console.log(`\nreport of the resilience run: ${paths.allureReport}/index.html (${summary.tests.total} results)`);
const browser = await runCommand('playwright', ['test', '--project=report', '--grep', 'across a broker outage'], {
  env: { TD448_RESILIENCE_OUTPUT: output, TD448_REPORT_OUTPUT: join(output, 'browser-check'), TD448_CONSOLE_REPORTER: 'line' },
});
if (browser !== 0) problems.push('the latency chart across the outage is not seen in the report (see above)');

if (values.prove) {
  for (const { defect, check } of resilienceDefects(Defect.options)) {
    const defectOutput = `${output}-${defect}`;
    console.log(`\n── the ${check} check with ${defect} planted: it must fail ──`);
    const run = await runChecks(defectOutput, { ...base, [defectsVariable]: defect }, check);
    const caught = caughtByResilience(run, check);
    console.log(`${defect}: ${caught ? 'caught' : 'MISSED'} (the ${check} check ${run.code === 0 ? 'passed' : 'failed'})`);
    if (!caught) problems.push(`${defect} planted, the resilience checks did not fail`);
  }
}
// What the run wrote carries no credential (the target's secrets by value when a target file is given).
const scan = scanForSecrets(
  [reportPaths().output].flatMap((root) =>
    readdirSync(root)
      .filter((name) => name.startsWith('resilience'))
      .map((name) => join(root, name)),
  ),
  target ? knownSecretsOf(readTargetFile(target)) : [],
  startedAt,
);
console.log('');
for (const line of formatSecretScan(scan, 5)) console.log(line);
if (scan.findings.length > 0) problems.push('the outputs of the resilience run carry credentials');

console.log(`\nresilience ${problems.length === 0 ? 'held' : `FAILED: ${problems.join('; ')}`}`);
process.exit(problems.length === 0 ? 0 : 1);
