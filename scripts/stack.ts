/**
 * npm run stack [-- --profile NAME|PATH] [-- --no-faults] [-- --data-dir DIR] [-- --rate-limit N] [-- --defect NAME]
 * Starts the embedded reference implementation serving a profile's wire conventions (a built-in
 * profile such as `acme`, or a profile file; `reference` by default) and prints `STACK READY {json}`
 * when it answers. Ctrl-C or SIGTERM stops everything, the Kafka JVM included.
 */
import { parseArgs } from 'node:util';
import { ProfileError, resolveProfile } from '../fixtures/profile/load-profile.ts';
import type { TargetProfile } from '../fixtures/profile/profile.ts';
import { stackReadyPrefix } from '../fixtures/schemas/target.ts';
import { parseDefects } from '../reference-implementation/defects.ts';
import { startStack } from '../reference-implementation/stack.ts';
import { onInterrupt } from './on-interrupt.ts';

const usage = 'usage: npm run stack -- [--profile NAME|PATH] [--no-faults] [--data-dir DIR] [--rate-limit N] [--defect NAME]...';

/** Refuses the command line with a reason and the usage (exit 2, as every script of the project). */
function refuse(reason: string): never {
  console.error(`${reason}\n${usage}`);
  process.exit(2);
}

let values: ReturnType<typeof parse>['values'];
function parse() {
  return parseArgs({
    options: {
      profile: { type: 'string' },
      'no-faults': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'rate-limit': { type: 'string' },
      defect: { type: 'string', multiple: true },
    },
  });
}
try {
  ({ values } = parse());
} catch (error) {
  refuse((error as Error).message);
}

let profile: TargetProfile;
try {
  profile = resolveProfile(values.profile ?? 'reference', process.cwd());
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

const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
if (rateLimit !== undefined && !(Number.isInteger(rateLimit) && rateLimit > 0)) {
  refuse(`--rate-limit takes a positive whole number of requests per minute, not "${values['rate-limit']}"`);
}

const started = performance.now();
const stack = await startStack({
  profile,
  faultInjection: !values['no-faults'],
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  ...(rateLimit !== undefined ? { rateLimitPerMinute: rateLimit } : {}),
  defects,
  onRelayError: (error) => console.error(`outbox relay: ${(error as Error).message} (events wait in the outbox)`),
});
console.error(
  `stack (profile ${profile.name}) started in ${((performance.now() - started) / 1000).toFixed(1)} s; transaction log: ${stack.transactionLogFile}`,
);
console.log(`${stackReadyPrefix}${JSON.stringify(stack.target)}`);

onInterrupt(() => stack.stop(), 0);
