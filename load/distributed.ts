import { z } from 'zod';
import { targetEnv } from './target-env.ts';

/**
 * Artillery's own distributed modes. The generated script and processor are the same files a local
 * run uses; only the command differs, and the target's secrets travel by SSM (Fargate) or a dotenv
 * file (Lambda) instead of a local file.
 */
export const Platform = z.enum(['local', 'fargate', 'lambda']);
export type Platform = z.infer<typeof Platform>;

export const DistributedOptions = z.object({
  platform: Platform.default('local'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
    .default('us-east-1'),
  /** Load generator workers; Artillery splits every arrival rate evenly between them. */
  count: z.number().int().positive().default(2),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  cluster: z.string().optional(),
  subnetIds: z.string().optional(),
  securityGroupIds: z.string().optional(),
});
export type DistributedOptions = z.infer<typeof DistributedOptions>;

/** The SSM parameter (under /artilleryio/) that Fargate workers read the target description from. */
export const fargateSecret = targetEnv.json;

export interface ArtilleryCommand {
  args: string[];
  /** Environment of the artillery process itself (local runs read the target from a file). */
  env: Record<string, string>;
  /** What must exist before the command runs, for a human to read. */
  prerequisites: string[];
}

export function artilleryCommand(
  files: { script: string; report: string; targetFile: string; dotenv?: string },
  options: DistributedOptions = DistributedOptions.parse({}),
): ArtilleryCommand {
  const optional = (flag: string, value: string | undefined) => (value ? [flag, value] : []);
  if (options.platform === 'local') {
    return { args: ['run', '--output', files.report, files.script], env: { [targetEnv.file]: files.targetFile }, prerequisites: [] };
  }
  /** Both cloud modes: the same workers, network and output flags; they differ in how the target's secrets travel. */
  const cloudRun = (subcommand: string, secretArgs: string[], sizeArgs: string[], secretPrerequisite: string, workers: string) => ({
    args: [
      subcommand,
      '--region',
      options.region,
      '--count',
      String(options.count),
      ...secretArgs,
      ...sizeArgs,
      ...optional('--subnet-ids', options.subnetIds),
      ...optional('--security-group-ids', options.securityGroupIds),
      '--output',
      files.report,
      files.script,
    ],
    env: {},
    prerequisites: [
      'AWS credentials in the environment (artillery uses the default AWS credential chain)',
      secretPrerequisite,
      `the target reachable from ${workers} (not 127.0.0.1): its apiBaseUrl, tokenUrl and, for the log audit, logQueryUrl`,
    ],
  });
  if (options.platform === 'fargate') {
    return cloudRun(
      'run-fargate',
      ['--secret', fargateSecret],
      [...optional('--cpu', options.cpu), ...optional('--memory', options.memory), ...optional('--cluster', options.cluster)],
      `the target description in SSM: aws ssm put-parameter --region ${options.region} --name /artilleryio/${fargateSecret} --type SecureString --overwrite --value file://${files.targetFile}`,
      'the Fargate tasks',
    );
  }
  if (!files.dotenv) throw new Error('a Lambda run needs the dotenv file that carries the target description');
  return cloudRun(
    'run-lambda',
    ['--dotenv', files.dotenv],
    optional('--memory-size', options.memory),
    `${files.dotenv} (mode 600, git-ignored) carries ${targetEnv.json}; Artillery hands it to the Lambda workers`,
    'Lambda',
  );
}

/** The dotenv line that hands the target description to cloud workers: single quotes keep the JSON literal. */
export function dotenvFor(targetJson: string): string {
  const compact = JSON.stringify(JSON.parse(targetJson));
  if (compact.includes("'")) throw new Error('the target description contains a single quote, which a dotenv value cannot carry literally');
  return `${targetEnv.json}='${compact}'\n`;
}

/** Why a target cannot be loaded from the cloud, if it cannot. */
export function cloudReachabilityProblems(urls: readonly string[]): string[] {
  return urls
    .map((url) => new URL(url))
    .filter((url) => ['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0'].includes(url.hostname))
    .map((url) => `${url.origin} is a loopback address: cloud workers cannot reach it`);
}

/** The shell line a human runs: every argument quoted when it needs to be. */
export const shellLine = (command: ArtilleryCommand) =>
  ['npx', 'artillery', ...command.args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
