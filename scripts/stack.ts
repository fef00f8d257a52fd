/**
 * npm run stack [-- --profile NAME|PATH] [-- --no-faults] [-- --data-dir DIR] [-- --rate-limit N] [-- --defect NAME] [-- --crashable]
 * Starts the embedded reference implementation serving a profile's wire conventions (a built-in
 * profile such as `acme`, or a profile file; `reference` by default) and prints `STACK READY {json}`
 * when it answers. Ctrl-C or SIGTERM stops everything, the Kafka JVM included.
 */
import { ProfileError, resolveProfile } from '../fixtures/profile/load-profile.ts';
import type { TargetProfile } from '../fixtures/profile/profile.ts';
import { stackReadyPrefix } from '../fixtures/schemas/target.ts';
import { Defect, parseDefects } from '../reference-implementation/defects.ts';
import { startStack } from '../reference-implementation/stack.ts';
import { cliCommand, repeatable, wholeNumber } from './cli.ts';
import { onInterrupt } from './on-interrupt.ts';

const values = cliCommand(
  'npm run stack --',
  'Starts the embedded reference implementation (gateway, OAuth2 server, SQLite, Apache Kafka) and prints STACK READY with its target description (JSON) on stdout; Ctrl-C stops it.',
  [
    'npm run stack                                  # the reference profile, fault injection on',
    'npm run stack -- --profile acme --no-faults     # serving acme, as a deployment without a test mode',
    'npm run stack -- --defect drop-event            # a planted defect (see reference-implementation/defects.ts)',
  ],
)
  .option('--profile <name|file>', 'the profile served: reference, acme, or a profile file', 'reference')
  .option('--no-faults', 'refuse fault injection (faultInjection: false), as a production deployment would')
  .option('--data-dir <dir>', 'keep SQLite and the Kafka log in this directory (default: a temporary one)')
  .option('--rate-limit <n>', 'the rate limit per client and minute (default: the catalog’s 1000)', wholeNumber(1, 1_000_000))
  .option('--defect <name>', `plant a defect (repeatable): ${Defect.options.join(', ')}`, repeatable)
  .option(
    '--crashable',
    'run the service (gateway, SQLite, outbox relay) in a process of its own, restarted on the same database and port when it dies; the target description names the command that kills it (crash)',
  )
  .parse()
  .opts<{ profile: string; faults: boolean; dataDir?: string; rateLimit?: number; defect?: string[]; crashable?: boolean }>();

/** Refuses the command line with a reason (exit 2, as every script of the project). */
function refuse(reason: string): never {
  console.error(`npm run stack: ${reason}\n(npm run stack -- --help lists every option)`);
  process.exit(2);
}

let profile: TargetProfile;
try {
  profile = resolveProfile(values.profile, process.cwd());
} catch (error) {
  if (!(error instanceof ProfileError)) throw error;
  refuse(error.message);
}

let defects: ReturnType<typeof parseDefects>;
try {
  defects = parseDefects((values.defect ?? []).join(','));
} catch (error) {
  refuse((error as Error).message);
}

const rateLimit = values.rateLimit;

const started = performance.now();
const stack = await startStack({
  profile,
  faultInjection: values.faults,
  ...(values.dataDir ? { dataDir: values.dataDir } : {}),
  ...(rateLimit !== undefined ? { rateLimitPerMinute: rateLimit } : {}),
  defects,
  crashable: values.crashable === true,
  onRelayError: (error) => console.error(`outbox relay: ${(error as Error).message} (events wait in the outbox)`),
});
console.error(
  `stack (profile ${profile.name}) started in ${((performance.now() - started) / 1000).toFixed(1)} s; transaction log: ${stack.transactionLogFile}`,
);
console.log(`${stackReadyPrefix}${JSON.stringify(stack.target)}`);

onInterrupt(() => stack.stop(), 0);
