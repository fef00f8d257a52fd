import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { participants } from '../support/participants.ts';
import { startFakePactBroker } from './fake-pact-broker.ts';
import {
  type AppVersion,
  brokerCommands,
  brokerFromEnvironment,
  brokerVerificationOptions,
  pacticipants,
  runPactBroker,
  versionFromGit,
} from './pact-broker.ts';

const app: AppVersion = { version: '0123456789abcdef0123456789abcdef01234567', branch: 'main', buildUrl: 'https://ci.example/runs/42' };
const token = 'broker-token-never-in-argv';

function pactFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'td448-pacts-'));
  return [participants.httpProvider, participants.eventProvider].map((provider) => {
    const file = join(dir, `${participants.consumer}-${provider}.json`);
    const pact = {
      consumer: { name: participants.consumer },
      provider: { name: provider },
      interactions: [],
      metadata: { pactSpecification: { version: '4.0' } },
    };
    writeFileSync(file, JSON.stringify(pact));
    return file;
  });
}

test('without PACT_BROKER_BASE_URL nothing is published; with it, credentials are required', () => {
  expect(brokerFromEnvironment({})).toBeUndefined();
  expect(() => brokerFromEnvironment({ PACT_BROKER_BASE_URL: 'https://broker.example' })).toThrow(/PACT_BROKER_TOKEN/);
  expect(brokerFromEnvironment({ PACT_BROKER_BASE_URL: 'https://broker.example', PACT_BROKER_TOKEN: token })).toEqual({
    baseUrl: 'https://broker.example',
    credentials: { PACT_BROKER_TOKEN: token },
  });
});

test('the consumer version is the git commit, the branch the checkout’s or CI’s', () => {
  expect(versionFromGit({ GITHUB_SHA: app.version, GITHUB_REF_NAME: 'feature/x', CI: 'true' })).toMatchObject({
    version: app.version,
    branch: 'feature/x',
  });
  expect(versionFromGit({}).version).toMatch(/^[0-9a-f]{40}(\+dirty)?$/);
});

test('publish sends both pacts with the version and branch from git, the token only as a header', async () => {
  const broker = await startFakePactBroker({ deployable: true });
  try {
    const config = { baseUrl: broker.url, credentials: { PACT_BROKER_TOKEN: token } };
    const args = brokerCommands.publish(config, app, pactFiles());
    expect(args.join(' ')).not.toContain(token);
    const { status, output } = await runPactBroker(config, args, { quiet: true });
    expect(status, output).toBe(0);
    const published = broker.requests.filter((request) => request.path === '/contracts/publish').map((request) => JSON.parse(request.body));
    expect(published.flatMap((body) => body.contracts.map((contract: { providerName: string }) => contract.providerName)).sort()).toEqual(
      [participants.eventProvider, participants.httpProvider].sort(),
    );
    for (const body of published)
      expect(body).toMatchObject({ pacticipantName: participants.consumer, pacticipantVersionNumber: app.version, branch: app.branch });
    expect(broker.requests.every((request) => request.headers.authorization === `Bearer ${token}`)).toBe(true);
  } finally {
    await broker.close();
  }
});

for (const deployable of [true, false]) {
  test(`can-i-deploy ${deployable ? 'lets the deployment through' : 'stops the deployment'} when the broker says ${deployable ? 'yes' : 'no'}`, async () => {
    const broker = await startFakePactBroker({ deployable });
    try {
      const config = { baseUrl: broker.url, credentials: { PACT_BROKER_TOKEN: token } };
      const { status, output } = await runPactBroker(config, brokerCommands.canIDeploy(config, app, 'production'), { quiet: true });
      expect(status, output).toBe(deployable ? 0 : 1);
      const [query] = broker.requests
        .filter((request) => request.path.startsWith('/matrix'))
        .map((request) => decodeURIComponent(request.path));
      for (const name of pacticipants) expect(query).toContain(`q[][pacticipant]=${name}&q[][version]=${app.version}`);
      expect(query).toContain('environment=production');
    } finally {
      await broker.close();
    }
  });
}

test('provider verification in CI takes the broker’s pacts for main, the branch and what is deployed, and publishes results only when asked', () => {
  const broker = { baseUrl: 'https://broker.example', credentials: { PACT_BROKER_TOKEN: token } };
  expect(brokerVerificationOptions(broker, app, {})).toEqual({
    pactBrokerUrl: 'https://broker.example',
    consumerVersionSelectors: [{ mainBranch: true }, { matchingBranch: true }, { deployedOrReleased: true }],
    enablePending: true,
    publishVerificationResult: false,
    providerVersion: app.version,
    providerVersionBranch: app.branch,
  });
  expect(brokerVerificationOptions(broker, app, { PACT_PUBLISH_VERIFICATION_RESULTS: 'true' }).publishVerificationResult).toBe(true);
});
