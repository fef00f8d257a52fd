import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { Catalog } from '../fixtures/catalog/model.ts';
import { projectRoot } from './paths.ts';

/** What the report says it was run against and with: target, catalog version, tool versions, commit. */
export const RunEnvironment = z.object({
  target: z.object({ name: z.string(), apiBaseUrl: z.string().optional(), faultInjection: z.boolean().optional() }),
  catalog: z.object({ path: z.string(), sha256: z.string(), rows: z.number(), operations: z.number() }),
  commit: z.string(),
  tools: z.record(z.string(), z.string()),
});
export type RunEnvironment = z.infer<typeof RunEnvironment>;

/** Only the harmless part of a target description (the output keeps a redacted one; the whole one lives in a private file). */
const TargetName = z.object({
  name: z.string().default('embedded reference implementation'),
  apiBaseUrl: z.string().optional(),
  faultInjection: z.boolean().optional(),
});

export function describeTarget(targetFile: string, env: NodeJS.ProcessEnv = process.env): RunEnvironment['target'] {
  const file = [targetFile, env.TD448_TARGET].find((path): path is string => !!path && existsSync(path));
  if (!file) return { name: env.TD448_TARGET ? `target described in ${env.TD448_TARGET}` : 'embedded reference implementation' };
  const parsed = TargetName.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : { name: `unreadable target description ${file}` };
}

const toolPackages = {
  playwright: '@playwright/test',
  allure: 'allure',
  'allure-playwright': 'allure-playwright',
  pact: '@pact-foundation/pact',
  artillery: 'artillery',
  zod: 'zod',
} as const;

const PackageVersion = z.object({ version: z.string() });

export function toolVersions(root = projectRoot): Record<string, string> {
  const versionOf = (name: string) => {
    const file = join(root, 'node_modules', name, 'package.json');
    return existsSync(file) ? PackageVersion.parse(JSON.parse(readFileSync(file, 'utf8'))).version : 'not installed';
  };
  return {
    node: process.versions.node,
    ...Object.fromEntries(Object.entries(toolPackages).map(([tool, name]) => [tool, versionOf(name)])),
  };
}

/** The commit under test: CI's variable when there is one, else git's HEAD, marked when the tree has local changes. */
export function gitCommit(env: NodeJS.ProcessEnv = process.env, root = projectRoot): string {
  if (env.GITHUB_SHA) return env.GITHUB_SHA;
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return `${git(['rev-parse', 'HEAD'])}${dirty ? ' (with local changes)' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function runEnvironment(catalog: Catalog, catalogFile: string, targetFile: string): RunEnvironment {
  return {
    target: describeTarget(targetFile),
    catalog: {
      path: relative(projectRoot, catalogFile) || catalogFile,
      sha256: createHash('sha256').update(readFileSync(catalogFile)).digest('hex').slice(0, 16),
      rows: catalog.rows.length,
      operations: catalog.operations.length,
    },
    commit: gitCommit(),
    tools: toolVersions(),
  };
}

/** The environment as Allure's environment.properties (key=value lines, `\`, `=` and `:` escaped). */
export function environmentProperties(environment: RunEnvironment): string {
  const escapeProperty = (text: string) => text.replace(/[\\=:]/g, (char) => `\\${char}`).replace(/\n/g, ' ');
  const entries: [string, string][] = [
    ['target', environment.target.name],
    ...(environment.target.apiBaseUrl ? [['target.api', environment.target.apiBaseUrl] as [string, string]] : []),
    ...(environment.target.faultInjection !== undefined
      ? [['target.faultInjection', String(environment.target.faultInjection)] as [string, string]]
      : []),
    ['catalog', environment.catalog.path],
    ['catalog.sha256', environment.catalog.sha256],
    ['catalog.rows', String(environment.catalog.rows)],
    ['catalog.operations', String(environment.catalog.operations)],
    ['git.commit', environment.commit],
    ...Object.entries(environment.tools).map(([tool, version]) => [`tool.${tool}`, version] as [string, string]),
  ];
  return `${entries.map(([key, value]) => `${escapeProperty(key)}=${escapeProperty(value)}`).join('\n')}\n`;
}
