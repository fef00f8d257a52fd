import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { participants, projectRoot } from '../support/participants.ts';

/**
 * The Pact Broker flow of CI, as commands of the official CLI (@pact-foundation/pact-cli):
 * publish the pacts with the consumer version from git, verify the provider against the broker's
 * pacts and publish the results, gate the deployment with can-i-deploy, record the deployment.
 * Credentials travel in the environment (PACT_BROKER_TOKEN, or USERNAME/PASSWORD), never in argv.
 */

export const BrokerEnvironment = z.object({
  PACT_BROKER_BASE_URL: z.url(),
  PACT_BROKER_TOKEN: z.string().min(1).optional(),
  PACT_BROKER_USERNAME: z.string().min(1).optional(),
  PACT_BROKER_PASSWORD: z.string().min(1).optional(),
});
export type Broker = { baseUrl: string; credentials: Record<string, string> };

/** The broker named by PACT_BROKER_BASE_URL; undefined when none is configured (nothing is published then). */
export function brokerFromEnvironment(env: NodeJS.ProcessEnv = process.env): Broker | undefined {
  if (!env.PACT_BROKER_BASE_URL) return undefined;
  const parsed = BrokerEnvironment.safeParse(env);
  if (!parsed.success) throw new Error(`the Pact Broker settings are invalid:\n${z.prettifyError(parsed.error)}`);
  const { PACT_BROKER_BASE_URL: baseUrl, ...credentials } = parsed.data;
  if (!credentials.PACT_BROKER_TOKEN && !credentials.PACT_BROKER_USERNAME) {
    throw new Error(
      'PACT_BROKER_BASE_URL is set without credentials: set PACT_BROKER_TOKEN (or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD)',
    );
  }
  return {
    baseUrl,
    credentials: Object.fromEntries(Object.entries(credentials).filter(([, value]) => value !== undefined)) as Record<string, string>,
  };
}

export interface AppVersion {
  /** The commit: one version per commit, as the broker expects. A dirty working tree is marked as such. */
  version: string;
  branch: string;
  buildUrl: string | undefined;
}

const git = (args: string[]) =>
  execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

/** The version and branch of this checkout; CI variables win, since CI checks out a detached head. */
export function versionFromGit(env: NodeJS.ProcessEnv = process.env): AppVersion {
  const commit = env.PACT_APP_VERSION ?? env.GITHUB_SHA ?? env.CI_COMMIT_SHA ?? git(['rev-parse', 'HEAD']);
  const dirty = !env.PACT_APP_VERSION && !env.CI && git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const branch =
    env.PACT_BRANCH ?? env.GITHUB_HEAD_REF ?? env.GITHUB_REF_NAME ?? env.CI_COMMIT_REF_NAME ?? git(['rev-parse', '--abbrev-ref', 'HEAD']);
  const buildUrl =
    env.PACT_BUILD_URL ??
    (env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : env.CI_JOB_URL);
  return { version: dirty ? `${commit}+dirty` : commit, branch, buildUrl };
}

/** The pacticipants one version of this repository deploys: the suite and what it verifies. */
export const pacticipants = [participants.consumer, participants.httpProvider, participants.eventProvider] as const;

export const brokerCommands = {
  publish: (broker: Broker, app: AppVersion, pactFiles: readonly string[]) => [
    'publish',
    ...pactFiles,
    '--consumer-app-version',
    app.version,
    '--branch',
    app.branch,
    ...(app.buildUrl ? ['--build-url', app.buildUrl] : []),
    '--broker-base-url',
    broker.baseUrl,
  ],
  canIDeploy: (broker: Broker, app: AppVersion, environment: string, retryWhileUnknown = 0) => [
    'can-i-deploy',
    ...pacticipants.flatMap((name) => ['--pacticipant', name, '--version', app.version]),
    '--to-environment',
    environment,
    ...(retryWhileUnknown > 0 ? ['--retry-while-unknown', String(retryWhileUnknown), '--retry-interval', '10'] : []),
    '--broker-base-url',
    broker.baseUrl,
  ],
  recordDeployment: (broker: Broker, app: AppVersion, environment: string) =>
    pacticipants.map((name) => [
      'record-deployment',
      '--pacticipant',
      name,
      '--version',
      app.version,
      '--environment',
      environment,
      '--broker-base-url',
      broker.baseUrl,
    ]),
};

/**
 * How the provider side verifies against the broker (pact-js Verifier options): the pacts of the main
 * branch, of the same branch, and of whatever is deployed or released; new pacts pending until they
 * pass once; results published with the provider version from git when CI asks for it.
 */
export const brokerVerificationOptions = (broker: Broker, app: AppVersion, env: NodeJS.ProcessEnv = process.env) => ({
  pactBrokerUrl: broker.baseUrl,
  consumerVersionSelectors: [{ mainBranch: true }, { matchingBranch: true }, { deployedOrReleased: true }],
  enablePending: true,
  publishVerificationResult: env.PACT_PUBLISH_VERIFICATION_RESULTS === 'true',
  providerVersion: app.version,
  providerVersionBranch: app.branch,
});

export const pactBrokerBin = join(projectRoot, 'node_modules', '.bin', 'pact-broker');

/** Runs the official broker CLI; its output is what CI logs show (or, quiet, what the caller gets back). */
export function runPactBroker(
  broker: Broker,
  args: readonly string[],
  options: { quiet?: boolean } = {},
): Promise<{ status: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(pactBrokerBin, args, {
      env: { ...process.env, ...broker.credentials },
      stdio: options.quiet ? 'pipe' : 'inherit',
      timeout: 300_000,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? 1, output }));
  });
}

/** A command as a CI log shows it: the CLI and its arguments, never a credential. */
export const showCommand = (args: readonly string[]) =>
  ['pact-broker', ...args].map((arg) => (/[\s'"]/.test(arg) ? JSON.stringify(arg) : arg)).join(' ');
