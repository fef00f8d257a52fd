import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { builtInProfiles, resolveProfile } from '../../fixtures/profile/load-profile.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { Wire } from '../../fixtures/profile/wire.ts';
import { generateSpecs, readSpec, validateSpec } from '../../fixtures/specs/spec-documents.ts';
import { specsDir } from './committed.ts';

const catalog = loadCatalog();
const generated = generateSpecs(catalog);

interface OperationObject {
  security: Record<string, string[]>[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, unknown> } | { $ref: string }>;
  'x-td448-operation': { id: string; actionKey: string; rows: number[]; notes: string[] };
}
type Document = { paths: Record<string, Record<string, OperationObject>> };
const operationsOf = (document: Document) => Object.values(document.paths).flatMap((item) => Object.values(item));

for (const document of generated) {
  test(`the committed ${document.name} is the one the current catalog generates`, () => {
    expect(
      readSpec(document.name, specsDir) === document.text,
      `${document.name} is stale: run node scripts/contracts.ts specs, and commit it`,
    ).toBe(true);
  });

  test(`${document.name} validates with ${document.kind === 'openapi' ? '@readme/openapi-parser' : '@asyncapi/parser'}`, async () => {
    const { errors, warnings } = await validateSpec(document);
    if (warnings.length > 0) test.info().annotations.push({ type: 'warning', description: warnings.join('\n') });
    expect(errors).toEqual([]);
  });
}

test('no committed spec document is left over from an older generation', () => {
  const committed = readdirSync(specsDir).filter((name) => name.endsWith('.json'));
  expect(committed.sort()).toEqual(generated.map((document) => document.name).sort());
});

for (const profileName of builtInProfiles()) {
  const wire = new Wire(profileName === 'reference' ? referenceProfile : resolveProfile(profileName, process.cwd()));
  const documents = generateSpecs(catalog, wire).filter((document) => document.kind === 'openapi');

  test(`profile ${profileName}: every catalog operation is in exactly one OpenAPI operation set, with its rows`, async () => {
    const listed = documents.flatMap((document) => operationsOf(JSON.parse(document.text)).map((op) => op['x-td448-operation']));
    const ids = [...new Set(listed.map((operation) => operation.id))];
    expect(ids.length).toBe(catalog.operations.length);
    expect(new Set(listed.flatMap((operation) => operation.rows)).size).toBe(catalog.rows.length);
    for (const document of documents) expect((await validateSpec(document)).errors, document.name).toEqual([]);
  });

  test(`profile ${profileName}: each OpenAPI operation promises XML only where its rows promise formats, and needs its action's scope`, () => {
    for (const document of documents) {
      const parsed = JSON.parse(document.text) as Document & { components: { responses: Record<string, { content?: object }> } };
      const resolved = (response: { content?: object } | { $ref: string }) =>
        '$ref' in response ? parsed.components.responses[response.$ref.split('/').at(-1) as string] : response;
      for (const operation of operationsOf(parsed)) {
        const listed = operation['x-td448-operation'];
        const op = catalog.operations.find((candidate) => candidate.id === listed.id);
        if (!op) throw new Error(`${listed.id} is no catalog operation`);
        const xml = op.notes.includes('formats');
        const mediaTypes = [
          ...Object.keys(operation.requestBody?.content ?? {}),
          ...Object.values(operation.responses).flatMap((response) => Object.keys(resolved(response)?.content ?? {})),
        ];
        expect(
          mediaTypes.some((mediaType) => mediaType.endsWith('/xml') || mediaType.endsWith('+xml')),
          `${listed.id}: XML offered`,
        ).toBe(xml);
        expect(operation.security).toEqual([{ td448OAuth2: [wire.scope(op.endpoint, op.actionKey)] }]);
      }
    }
  });
}

test('the AsyncAPI document has a message for every row that promises a Kafka event', () => {
  const document = JSON.parse(readSpec('td448.asyncapi.json', specsDir) ?? '{}') as {
    components: { messages: Record<string, { 'x-td448-rows': number[] }> };
  };
  const rows = Object.values(document.components.messages).flatMap((message) => message['x-td448-rows']);
  expect(rows.sort((a, b) => a - b)).toEqual(catalog.rows.filter((row) => row.resultKey === 'kafka').map((row) => row.number));
});

test('contracts:specs --target writes a deployment’s own documents: its profile’s, its topic and brokers, no secret; a typo in the target file is exit 2', () => {
  const out = mkdtempSync(join(tmpdir(), 'td448-specs-'));
  try {
    const run = (target: string) =>
      spawnSync(process.execPath, ['scripts/contracts.ts', 'specs', '--target', target, '--out', out], { encoding: 'utf8' });
    const written = run('targets/example.json');
    expect(written.status, written.stderr).toBe(0);
    expect(written.stdout).toContain(`${join(out, 'td448.asyncapi.json')}: valid`);
    const asyncApi = readFileSync(join(out, 'td448.asyncapi.json'), 'utf8');
    const document = JSON.parse(asyncApi);
    expect(document.info.title).toContain('profile acme');
    expect(Object.values(document.servers).map((server) => (server as { host: string }).host)).toEqual([
      'kafka-1.staging.example.com:9093',
      'kafka-2.staging.example.com:9093',
    ]);
    expect(asyncApi).not.toContain('from-your-secret-store');
    expect(readdirSync(out).filter((name) => name.endsWith('.openapi.json'))).toHaveLength(5);

    const typo = join(out, 'typo.json');
    writeFileSync(typo, readFileSync('targets/example.json', 'utf8').replace('"kafkaBootstrap"', '"kafkaBootstarp"'));
    const refused = run(typo);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('kafkaBootstarp');
    expect(refused.stderr).not.toMatch(/^\s+at /m);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
