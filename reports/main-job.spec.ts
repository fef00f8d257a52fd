import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import { startEmbeddedStack } from '../fixtures/target/provide-target.ts';
import { projectRoot } from './paths.ts';

const { TD448_TARGET: _deployment, ...withoutTarget } = process.env;

/** Runs `npm start -- …` (scripts/main.ts) with its outputs in a directory of the test's own. */
function mainJob(args: string[], output: string, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'main.ts'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...withoutTarget, TD448_REPORT_OUTPUT: output, ...env },
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
  const withExample = (dir: string, file: string, change: (target: Record<string, unknown>) => void) => {
    const target = structuredClone(example);
    change(target);
    writeFileSync(join(dir, file), JSON.stringify(target));
    return ['--target', join(dir, file)];
  };
  const cases: { name: string; args: (dir: string) => string[]; env?: (dir: string) => Record<string, string>; says: RegExp }[] = [
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
      says: /target "closed ports" is not usable:[\s\S]*does not answer[\s\S]*- the Kafka bootstrap broker 127\.0\.0\.1:9 does not accept connections \(ECONNREFUSED\)/,
    },
    {
      name: 'a typo in a field of the target file',
      args: (dir) =>
        withExample(dir, 'typo.json', (target) => {
          target.apiBaseURL = target.apiBaseUrl;
          delete target.apiBaseUrl;
        }),
      says: /unknown field "apiBaseURL" at the top level: did you mean "apiBaseUrl"\?/,
    },
    {
      name: 'a field the target file does not have, inside a client',
      args: (dir) =>
        withExample(dir, 'client-key.json', (target) => {
          (target.clients as Record<string, unknown>[])[0] = { ...(target.clients as Record<string, unknown>[])[0], client_secret: 'x' };
        }),
      says: /unknown field "client_secret" in clients\[0\]: did you mean "clientSecret"\?/,
    },
    {
      name: 'a field of a client named by a part of its name',
      args: (dir) =>
        withExample(dir, 'client-part.json', (target) => {
          const [first, ...rest] = target.clients as Record<string, unknown>[];
          const { clientSecret, ...others } = first as Record<string, unknown>;
          target.clients = [{ ...others, secret: clientSecret }, ...rest];
        }),
      says: /unknown field "secret" in clients\[0\]: did you mean "clientSecret"\?/,
    },
    {
      name: 'a misspelled value of a client role',
      args: (dir) =>
        withExample(dir, 'role.json', (target) => {
          const [first, ...rest] = target.clients as Record<string, unknown>[];
          target.clients = [{ ...first, roles: ['lod'] }, ...rest];
        }),
      says: /"lod" in clients\[0\]\.roles\[0\] is not a value it takes: did you mean "load"\? \(the values: functional, load,/,
    },
    {
      name: 'a CA file that does not exist',
      args: (dir) => withExample(dir, 'ca.json', (target) => Object.assign(target, { caFile: 'certs/absent-ca.pem' })),
      says: /names a CA file that does not exist:\n- caFile: .*certs\/absent-ca\.pem\nA relative path is read from the target file's directory/,
    },
    {
      name: 'a malformed catalog',
      args: () => [],
      env: (dir) => {
        writeFileSync(join(dir, 'catalog.md'), '# not the catalog\n| a | b |\n');
        return { TD448_CATALOG: join(dir, 'catalog.md') };
      },
      says: /the catalog cannot be used: .*catalog\.md:2: a row has 2 cells; expected 6 \(API \| Phương thức/,
    },
    {
      name: 'a catalog that cannot be read',
      args: () => [],
      env: (dir) => ({ TD448_CATALOG: join(dir, 'absent.md') }),
      says: /the catalog cannot be used: .*absent\.md: cannot read the catalog \(ENOENT[^)]*\); set TD448_CATALOG/,
    },
    {
      name: 'an unknown suite',
      args: () => ['--only', 'smoke'],
      says: /--only takes contracts, functional, conformance, load; got "smoke"/,
    },
    {
      name: 'an unknown conformance depth',
      args: () => ['--conformance-depth', 'deep'],
      says: /--conformance-depth takes quick or nightly; got "deep"/,
    },
    { name: 'an unknown option', args: () => ['--shard', '1/2'], says: /unknown option '--shard'/ },
    {
      // npm start --grep @rollback: npm takes --grep for its own and passes on only @rollback.
      name: 'an option’s value without its option (the "--" after npm start forgotten)',
      args: () => ['@rollback'],
      says: /too many arguments[\s\S]*npm keeps the options written before "--" for itself[\s\S]*npm start -- --option value/,
    },
    {
      name: 'a number of workers that is not one',
      args: () => ['--workers', 'many'],
      says: /--workers <n>' argument 'many' is invalid\. give a whole number/,
    },
  ];

  for (const { name, args, env, says } of cases) {
    test(`${name}: exit 2, the reason and where to read the options, the last run's outputs kept`, () => {
      const run = mainJob(args(output), output, env?.(output));
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

test.describe('npm start against a live deployment the target file describes wrongly', () => {
  let stack: Awaited<ReturnType<typeof startEmbeddedStack>>;
  let output: string;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    stack = await startEmbeddedStack({});
  });
  test.afterAll(async () => stack?.stop());
  test.beforeEach(() => {
    output = mkdtempSync(join(tmpdir(), 'td448-live-'));
  });
  test.afterEach(() => rmSync(output, { recursive: true, force: true }));

  const cases: { name: string; change: (target: TargetDescription) => TargetDescription; says: RegExp }[] = [
    {
      name: 'client secrets the authorization server refuses',
      change: (target) => ({ ...target, clients: target.clients.map((client) => ({ ...client, clientSecret: 'not-the-secret' })) }),
      says: /or the client’s secret: token request for client \S+ refused by \S+ \(client_secret_basic\): 401 invalid_client/,
    },
    {
      name: 'a Kafka bootstrap where no broker listens',
      change: (target) => ({ ...target, kafkaBootstrap: '127.0.0.1:9' }),
      says: /is not usable:\n- the Kafka bootstrap broker 127\.0\.0\.1:9 does not accept connections \(ECONNREFUSED\)\n/,
    },
  ];
  for (const { name, change, says } of cases) {
    test(`${name}: exit 2, said once, no stack trace, no suite run`, () => {
      const file = join(output, 'target.json');
      writeFileSync(file, JSON.stringify(change(stack.target)));
      const run = mainJob(['--target', file, '--only', 'functional'], output);
      const said = `${run.stdout}${run.stderr}`;
      expect(run.status, said).toBe(2);
      expect(said).toMatch(says);
      expect(said.match(says)?.length, 'said once').toBe(1);
      expect(said).not.toMatch(/^\s+at /m);
      expect(said, 'no suite ran').not.toMatch(/── functional/);
    });
  }
});
