import { expect, test } from '@playwright/test';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { apiScopes, requiredScope } from '../../fixtures/schemas/scopes.ts';
import { generateSpecs, readSpec, type SpecKind, specFiles, validateAsyncApi, validateOpenApi } from './spec-documents.ts';

const catalog = loadCatalog();
const generated = generateSpecs(catalog);
const validators: Record<SpecKind, (text: string) => ReturnType<typeof validateOpenApi>> = {
  openapi: validateOpenApi,
  asyncapi: validateAsyncApi,
};
const parsers: Record<SpecKind, string> = { openapi: '@readme/openapi-parser', asyncapi: '@asyncapi/parser' };

for (const kind of Object.keys(specFiles) as SpecKind[]) {
  test(`the committed ${kind} document is the one the current catalog generates`, () => {
    expect(readSpec(kind) === generated[kind], `${specFiles[kind]} is stale: run node scripts/contracts.ts specs, and commit it`).toBe(
      true,
    );
  });

  test(`the ${kind} document validates with ${parsers[kind]}`, async () => {
    const { errors, warnings } = await validators[kind](readSpec(kind));
    if (warnings.length > 0) test.info().annotations.push({ type: 'warning', description: warnings.join('\n') });
    expect(errors).toEqual([]);
  });
}

test('the OpenAPI document lists every catalog operation with its rows', () => {
  const document = JSON.parse(readSpec('openapi')) as {
    paths: Record<string, Record<string, { 'x-td448-operations': { id: string; rows: number[] }[] }>>;
  };
  const listed = Object.values(document.paths).flatMap((item) =>
    Object.values(item).flatMap((operation) => operation['x-td448-operations']),
  );
  expect(new Set(listed.map((operation) => operation.id)).size).toBe(catalog.operations.length);
  expect(new Set(listed.flatMap((operation) => operation.rows)).size).toBe(catalog.rows.length);
});

test('the OpenAPI document names the scope each action needs, as the authorization server grants it', () => {
  type Listed = { id: string; scope: string };
  const document = JSON.parse(readSpec('openapi')) as {
    paths: Record<string, Record<string, { security: Record<string, string[]>[]; 'x-td448-operations': Listed[] }>>;
    components: { securitySchemes: { td448OAuth2: { flows: { clientCredentials: { scopes: Record<string, string> } } } } };
  };
  const declared = Object.keys(document.components.securitySchemes.td448OAuth2.flows.clientCredentials.scopes);
  expect(declared.sort()).toEqual(apiScopes(catalog));
  for (const operation of Object.values(document.paths).flatMap((item) => Object.values(item))) {
    const alternatives = operation.security.flatMap((requirement) => requirement.td448OAuth2 ?? []);
    for (const listed of operation['x-td448-operations']) {
      const op = catalog.operations.find((candidate) => candidate.id === listed.id);
      expect(listed.scope, listed.id).toBe(op && requiredScope(op.endpoint, op.actionKey));
      expect(alternatives, listed.id).toContain(listed.scope);
    }
  }
});

test('the AsyncAPI document has a message for every row that promises a Kafka event', () => {
  const document = JSON.parse(readSpec('asyncapi')) as { components: { messages: Record<string, { 'x-td448-rows': number[] }> } };
  const rows = Object.values(document.components.messages).flatMap((message) => message['x-td448-rows']);
  expect(rows.sort((a, b) => a - b)).toEqual(catalog.rows.filter((row) => row.resultKey === 'kafka').map((row) => row.number));
});
