import { expect, test } from '@playwright/test';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { resolveProfile } from '../../fixtures/profile/load-profile.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { Wire } from '../../fixtures/profile/wire.ts';
import { type HostileContext, hostileKinds, hostilePlan, hostileRequest, kindsFor } from './inputs.ts';

const catalog = loadCatalog();

test('the hostile-input plan: one input per row, at least 300, on every catalog operation, every kind used, each where it applies', () => {
  const plan = hostilePlan(catalog);
  expect(plan.length).toBe(catalog.rows.length);
  expect(plan.length).toBeGreaterThanOrEqual(300);
  expect(new Set(plan.map((entry) => entry.operation.id)).size).toBe(catalog.operations.length);
  expect(new Set(plan.map((entry) => entry.kind))).toEqual(new Set(hostileKinds));
  for (const { operation, kind } of plan) expect(kindsFor(operation, referenceProfile.requests), `${operation.id} ${kind}`).toContain(kind);
  for (const { operation } of plan.filter((entry) => entry.kind.startsWith('xml-')))
    expect(operation.notes, `${operation.id}: XML only where the row promises it`).toContain('formats');
});

test('body inputs go where the profile puts a GET’s fields: none on a GET create whose fields travel in the query, all under bodylessFields: body', () => {
  const getCreate = catalog.operations.find((operation) => operation.method === 'GET' && operation.actionKey === 'create');
  const postCreate = catalog.operations.find((operation) => operation.method === 'POST' && operation.actionKey === 'create');
  if (!getCreate || !postCreate) throw new Error('the catalog has a GET create and a POST create');
  expect(kindsFor(getCreate, { bodylessFields: 'query' })).not.toContain('deep-json');
  expect(kindsFor(getCreate, { bodylessFields: 'body' })).toContain('deep-json');
  expect(kindsFor(postCreate, { bodylessFields: 'query' })).toEqual(
    expect.arrayContaining(['deep-json', 'missing-fields', 'unknown-fields']),
  );
  expect(kindsFor(postCreate, { bodylessFields: 'query' })).not.toContain('sql-injection-id');
});

test('unknown fields go where the fields travel: in the query for a GET or DELETE create under a query profile, in the body otherwise; the plan has both', () => {
  const queryCreates = catalog.operations.filter(
    (operation) => (operation.method === 'GET' || operation.method === 'DELETE') && operation.actionKey === 'create',
  );
  expect(queryCreates.length).toBeGreaterThan(0);
  for (const operation of queryCreates) {
    expect(kindsFor(operation, { bodylessFields: 'query' })).toContain('unknown-query-fields');
    expect(kindsFor(operation, { bodylessFields: 'query' })).not.toContain('unknown-fields');
    expect(kindsFor(operation, { bodylessFields: 'body' })).toContain('unknown-fields');
    expect(kindsFor(operation, { bodylessFields: 'body' })).not.toContain('unknown-query-fields');
  }
  const planned = hostilePlan(catalog);
  expect(planned.some((entry) => entry.kind === 'unknown-query-fields' && queryCreates.includes(entry.operation))).toBe(true);
  expect(planned.some((entry) => entry.kind === 'unknown-fields' && entry.operation.method !== 'GET')).toBe(true);
});

test('a body over the size limit is one byte over the profile’s requests.maxBodyBytes (1 MiB by default, acme’s 512 KiB)', async () => {
  const operation = catalog.operations.find((candidate) => candidate.method === 'POST' && candidate.actionKey === 'create');
  if (!operation) throw new Error('the catalog has a POST create');
  for (const [profile, limit] of [
    [referenceProfile, 1024 * 1024],
    [resolveProfile('acme', process.cwd()), 512 * 1024],
  ] as const) {
    expect(profile.requests.maxBodyBytes).toBe(limit);
    const valid = { method: 'POST', path: '/v2/x', query: [], headers: { 'content-type': 'application/json' }, body: '{}' };
    const context = { operation, wire: new Wire(profile), valid, version: 'v2' } as unknown as HostileContext;
    const request = await hostileRequest('body-too-large', context);
    expect(request.body?.length, profile.name).toBe(limit + 1);
    expect(() => JSON.parse(String(request.body)), 'still JSON: only its size is wrong').not.toThrow();
  }
});
