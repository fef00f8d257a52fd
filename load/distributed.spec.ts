import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { expect, test } from '@playwright/test';
import { TargetDescription } from '../fixtures/schemas/target.ts';
import { artilleryCommand, cloudReachabilityProblems, DistributedOptions, dotenvFor, fargateSecret, shellLine } from './distributed.ts';
import { writeCampaignFiles } from './run-campaign.ts';
import { targetEnv } from './target-env.ts';
import { clientIds, rateLimit } from './test-support.ts';

const target = TargetDescription.parse({
  name: 'staging',
  apiBaseUrl: 'https://api.staging.example',
  tokenUrl: 'https://auth.staging.example/token',
  issuer: 'https://auth.staging.example',
  jwksUrl: 'https://auth.staging.example/jwks',
  audience: 'https://api.td448.local',
  kafkaBootstrap: 'kafka.staging.example:9092',
  topics: { events: 'td448.events', audit: 'td448.audit' },
  logQueryUrl: 'https://api.staging.example/admin/transactions',
  faultInjection: false,
  clients: [...clientIds, 'log-admin'].map((clientId) => ({ clientId, clientSecret: `secret-of-${clientId}`, scopes: [] })),
});

const files = {
  script: 'out/rate-limit/script.json',
  report: 'out/rate-limit/artillery-report.json',
  targetFile: 'out/target.json',
  dotenv: 'out/rate-limit/target.env',
};
const options = (fields: Partial<DistributedOptions>) => DistributedOptions.parse(fields);

test.describe('the Artillery command for each platform', () => {
  test('runs locally with the target read from a file', () => {
    const command = artilleryCommand(files);
    expect(command.args).toEqual(['run', '--output', files.report, files.script]);
    expect(command.env).toEqual({ [targetEnv.file]: files.targetFile });
  });

  test('runs on Fargate workers with the target from SSM', () => {
    const command = artilleryCommand(files, options({ platform: 'fargate', region: 'eu-west-1', count: 4, cpu: '4' }));
    expect(command.args).toEqual([
      'run-fargate',
      '--region',
      'eu-west-1',
      '--count',
      '4',
      '--secret',
      fargateSecret,
      '--cpu',
      '4',
      '--output',
      files.report,
      files.script,
    ]);
    expect(command.prerequisites.join('\n')).toContain(`--name /artilleryio/${fargateSecret} --type SecureString`);
    expect(shellLine(command)).toBe(
      `npx artillery run-fargate --region eu-west-1 --count 4 --secret ${fargateSecret} --cpu 4 --output ${files.report} ${files.script}`,
    );
  });

  test('runs on Lambda workers with the target in a dotenv file', () => {
    const command = artilleryCommand(files, options({ platform: 'lambda', region: 'us-east-2', count: 10 }));
    expect(command.args).toEqual([
      'run-lambda',
      '--region',
      'us-east-2',
      '--count',
      '10',
      '--dotenv',
      files.dotenv,
      '--output',
      files.report,
      files.script,
    ]);
    expect(() => artilleryCommand({ ...files, dotenv: undefined } as never, options({ platform: 'lambda' }))).toThrow(/dotenv/);
  });

  test('refuses a region that is not one', () => {
    expect(DistributedOptions.safeParse({ platform: 'fargate', region: 'europe' }).success).toBe(false);
  });
});

test.describe('the generated configuration for cloud workers', () => {
  test('is the same script a local run uses, and carries no secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'td448-dist-'));
    try {
      const targetFile = join(dir, 'target.json');
      writeFileSync(targetFile, JSON.stringify(target));
      const local = writeCampaignFiles(rateLimit, { outputDir: join(dir, 'local'), target, targetFile });
      const lambda = writeCampaignFiles(rateLimit, {
        outputDir: join(dir, 'lambda'),
        target,
        targetFile,
        distributed: options({ platform: 'lambda' }),
      });
      const script = readFileSync(local.script, 'utf8');
      expect(readFileSync(lambda.script, 'utf8')).toBe(script);
      expect(JSON.parse(script).config.target).toBe(target.apiBaseUrl);
      for (const client of target.clients) expect(script).not.toContain(client.clientSecret);
      expect(statSync(lambda.dotenv as string).mode & 0o777).toBe(0o600);
      const env = parseEnv(readFileSync(lambda.dotenv as string, 'utf8'));
      expect(TargetDescription.parse(JSON.parse(env[targetEnv.json] as string))).toEqual(target);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hands the target to workers in a dotenv value that stays literal JSON', () => {
    const line = dotenvFor(JSON.stringify({ name: 'x "quoted"', nested: { a: [1, 2] } }));
    expect(parseEnv(line)[targetEnv.json]).toBe('{"name":"x \\"quoted\\"","nested":{"a":[1,2]}}');
    expect(() => dotenvFor(JSON.stringify({ name: "it's" }))).toThrow(/single quote/);
  });

  test('warns when the target is a loopback address cloud workers cannot reach', () => {
    expect(cloudReachabilityProblems(['http://127.0.0.1:8080', 'https://api.staging.example', 'http://localhost:1'])).toEqual([
      'http://127.0.0.1:8080 is a loopback address: cloud workers cannot reach it',
      'http://localhost:1 is a loopback address: cloud workers cannot reach it',
    ]);
  });
});
