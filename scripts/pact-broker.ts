/**
 * node scripts/pact-broker.ts <command>   (PACT_BROKER_BASE_URL and PACT_BROKER_TOKEN name the broker)
 *   publish                                   assemble the pacts and publish them, version = git commit, branch from git/CI
 *   can-i-deploy [--to-environment production] [--retry-while-unknown 6]
 *                                             ask the broker whether this commit of every pacticipant may be deployed
 *   record-deployment --environment production
 *                                             tell the broker this commit is deployed there
 * With no PACT_BROKER_BASE_URL it prints the commands it would run and exits 0: a machine without a
 * broker (this one) still runs the whole suite. The CI flow is in contracts/README.md.
 */
import { Argument } from 'commander';
import {
  type Broker,
  brokerCommands,
  brokerFromEnvironment,
  runPactBroker,
  showCommand,
  versionFromGit,
} from '../contracts/broker/pact-broker.ts';
import { rowsWithEvents } from '../contracts/interactions/event-messages.ts';
import { assemblePact } from '../contracts/support/pact-files.ts';
import { pactFile } from '../contracts/support/participants.ts';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { cliCommand, wholeNumber } from './cli.ts';

const cli = cliCommand(
  'node scripts/pact-broker.ts',
  'The Pact Broker steps of CI: publish the assembled pacts, ask can-i-deploy, record a deployment. Without PACT_BROKER_BASE_URL it prints the commands it would run and exits 0.',
  [
    'npm run pact:publish',
    'npm run pact:can-i-deploy -- --to-environment staging',
    'npm run pact:record-deployment -- --environment staging',
  ],
)
  .addArgument(new Argument('<command>', 'what to do').choices(['publish', 'can-i-deploy', 'record-deployment']))
  .option('--to-environment <name>', 'can-i-deploy: the environment to deploy to', 'production')
  .option('--environment <name>', 'record-deployment: the environment deployed to', 'production')
  .option('--retry-while-unknown <n>', 'can-i-deploy: retries while the verification results are unknown', wholeNumber(0, 100), 0)
  .parse();
const values = cli.opts<{ toEnvironment: string; environment: string; retryWhileUnknown: number }>();

const configured = brokerFromEnvironment();
const broker: Broker = configured ?? { baseUrl: '$PACT_BROKER_BASE_URL', credentials: {} };
const app = versionFromGit();

const plans: Record<string, () => string[][]> = {
  publish() {
    const catalog = loadCatalog();
    assemblePact(
      'http',
      catalog.rows.map((row) => row.number),
    );
    assemblePact(
      'events',
      rowsWithEvents(catalog).map((row) => row.number),
    );
    return [brokerCommands.publish(broker, app, [pactFile('http'), pactFile('events')])];
  },
  'can-i-deploy': () => [brokerCommands.canIDeploy(broker, app, values.toEnvironment, values.retryWhileUnknown)],
  'record-deployment': () => brokerCommands.recordDeployment(broker, app, values.environment),
};

const plan = plans[cli.args[0] as string] as () => string[][];
const commands = plan();
if (!configured) {
  console.log(
    `PACT_BROKER_BASE_URL is not set: nothing sent. With a broker, this would run (version ${app.version}, branch ${app.branch}):`,
  );
  for (const args of commands) console.log(`  ${showCommand(args)}`);
  process.exit(0);
}
for (const args of commands) {
  console.log(showCommand(args));
  const { status } = await runPactBroker(configured, args);
  if (status !== 0) process.exit(status);
}
