import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { projectRoot } from './paths.ts';

const { TD448_TARGET: _deployment, ...withoutTarget } = process.env;

/** Runs `npm start -- …` (scripts/main.ts) with its outputs in a directory of the test's own. */
function mainJob(args: string[], output: string) {
  const run = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'main.ts'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...withoutTarget, TD448_REPORT_OUTPUT: output },
  });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

test.describe('npm start refuses bad input before it starts anything, and loses nothing', () => {
  let output: string;
  const lastSummary = '{"kept": "the last run\'s summary"}';

  test.beforeEach(() => {
    output = mkdtempSync(join(tmpdir(), 'td448-main-'));
    writeFileSync(join(output, 'summary.json'), lastSummary);
  });
  test.afterEach(() => rmSync(output, { recursive: true, force: true }));

  const example = JSON.parse(readFileSync(join(projectRoot, 'targets', 'example.json'), 'utf8')) as Record<string, unknown>;
  const cases: { name: string; args: (dir: string) => string[]; says: RegExp }[] = [
    {
      name: 'a target file that does not exist',
      args: (dir) => ['--target', join(dir, 'absent.json')],
      says: /cannot read the target description .*absent\.json/,
    },
    {
      name: 'a target description with fields missing',
      args: (dir) => {
        writeFileSync(join(dir, 'partial.json'), JSON.stringify({ name: 'partial', apiBaseUrl: 'http://127.0.0.1:1' }));
        return ['--target', join(dir, 'partial.json')];
      },
      says: /is invalid:[\s\S]*clients[\s\S]*Fix these fields/,
    },
    {
      name: 'a target whose ports do not answer',
      args: (dir) => {
        const closed = 'http://127.0.0.1:9';
        const unreachable = {
          ...example,
          name: 'closed ports',
          apiBaseUrl: closed,
          tokenUrl: `${closed}/oauth2/token`,
          issuer: closed,
          jwksUrl: `${closed}/jwks`,
          logQueryUrl: `${closed}/admin/transactions`,
          kafkaBootstrap: '127.0.0.1:9',
        };
        writeFileSync(join(dir, 'closed.json'), JSON.stringify(unreachable));
        return ['--target', join(dir, 'closed.json')];
      },
      says: /target "closed ports" is not usable:[\s\S]*does not answer/,
    },
    { name: 'an unknown suite', args: () => ['--only', 'smoke'], says: /--only takes contracts, functional, load; got "smoke"/ },
    { name: 'an unknown option', args: () => ['--shard', '1/2'], says: /unknown option '--shard'/ },
    {
      name: 'a number of workers that is not one',
      args: () => ['--workers', 'many'],
      says: /--workers <n>' argument 'many' is invalid\. give a whole number/,
    },
  ];

  for (const { name, args, says } of cases) {
    test(`${name}: exit 2, the reason and where to read the options, the last run's outputs kept`, () => {
      const run = mainJob(args(output), output);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(says);
      expect(run.stderr, 'where to read every option').toContain('npm start -- --help lists every option');
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(readFileSync(join(output, 'summary.json'), 'utf8')).toBe(lastSummary);
      expect(existsSync(join(output, 'phases.json'))).toBe(false);
    });
  }
});

test.describe('npm start against a deployment that does not match its profile', () => {
  test('stops at the preflight with one list of every mismatch and the profile field to change: exit 2, no suite run', () => {
    test.setTimeout(180_000);
    const output = mkdtempSync(join(tmpdir(), 'td448-preflight-'));
    try {
      // The embedded stack serves the acme profile; the target file says it speaks the reference one.
      const run = spawnSync(
        process.execPath,
        [join(projectRoot, 'scripts', 'as-deployment.ts'), '--profile', 'acme', '--as-profile', 'reference', '--only', 'functional'],
        { cwd: projectRoot, encoding: 'utf8', timeout: 170_000, env: { ...withoutTarget, TD448_REPORT_OUTPUT: output } },
      );
      expect(run.status, run.stderr).toBe(2);
      const said = run.stdout;
      expect(said).toMatch(/does not match its profile "reference" in \d+ convention\(s\):/);
      for (const field of ['oauth.clientAuthentication', 'requests.collectionPath', 'headers.requestId', 'transactionLog.entries'])
        expect(said, `the list names ${field}`).toContain(`- ${field}`);
      // A probe whose request the target could not route says nothing of its other conventions: not probed, never a false lead.
      expect(said).toMatch(/not probed: rateLimit.headers and deprecation: .* answered 404/);
      expect(said).not.toContain('- rateLimit.headers');
      expect(said).toContain('Change these fields of the profile');
      expect(said, 'no suite ran').not.toMatch(/── contracts|── functional|Running \d+ tests/);
      expect(existsSync(join(output, 'as-deployment-acme', 'row-coverage.json'))).toBe(false);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });
});
