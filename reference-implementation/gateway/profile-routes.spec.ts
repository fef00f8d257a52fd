import { expect, test } from '@playwright/test';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { resolveProfile } from '../../fixtures/profile/load-profile.ts';
import { referenceProfile, TargetProfile } from '../../fixtures/profile/profile.ts';
import { parseRateLimit, Wire } from '../../fixtures/profile/wire.ts';
import { actionWordOf, buildProfileRouter, queryFields, UnservableProfileError } from './profile-routes.ts';
import { rateLimitHeaders } from './rate-limit-headers.ts';

/** The gateway's profile-aware routing and rate-limit headers, against the Wire that the suites send with. */

const catalog = loadCatalog();
const endpoints = [...new Set(catalog.operations.map((operation) => operation.endpoint))];
const acme = resolveProfile('acme', process.cwd());
const inPath = TargetProfile.parse({
  name: 'in-path',
  requests: {
    action: { in: 'path' },
    actionNames: { 'check-status': 'status' },
    collectionPath: '/svc/{resource}/{version}{endpoint}/{action}',
    itemPath: '/svc/{resource}/{version}{endpoint}/{id}/{action}',
  },
});

for (const profile of [referenceProfile, acme, inPath]) {
  test(`${profile.name}: every path the Wire builds routes back to its endpoint, version, id and action`, () => {
    const wire = new Wire(profile);
    const router = buildProfileRouter(profile, endpoints);
    for (const operation of catalog.operations) {
      for (const id of [undefined, 'plain', '50%off/a b', 'import']) {
        const spec = wire.request(operation, { version: 'v1', ...(id === undefined ? {} : { id }) });
        const match = router.match(spec.path);
        expect(match, `${operation.id}: ${spec.path}`).toEqual({
          endpoint: operation.endpoint,
          version: 'v1',
          id,
          pathAction: profile.requests.action.in === 'path' ? wire.actionWord(operation.actionKey) : undefined,
        });
        const query = Object.fromEntries(spec.query);
        const word = actionWordOf(profile, { headers: spec.headers, query }, match as NonNullable<typeof match>);
        expect(wire.actionOf(word as string), `${operation.id}: the action`).toBe(operation.actionKey);
      }
    }
  });
}

test('an unknown version still routes (the gateway answers unknown-version); no endpoint or a malformed id does not', () => {
  const router = buildProfileRouter(acme, endpoints);
  expect(router.match('/api/v9/customer/update')).toMatchObject({ endpoint: '/customer/update', version: 'v9' });
  expect(router.match('/v2/customer/update')).toBeUndefined();
  expect(router.match('/api/v2/customer/nothing')).toBeUndefined();
  expect(router.match('/api/v2/customer/update/%E0%A4%A')).toBeUndefined();
  expect(router.match('/api/v2/customer/update/a/b')).toBeUndefined();
});

test('templates that name {resource} alone are refused when the catalog has two endpoints under one resource', () => {
  const byResource = TargetProfile.parse({ requests: { collectionPath: '/{version}/{resource}', itemPath: '/{version}/{resource}/{id}' } });
  expect(() => buildProfileRouter(byResource, ['/crm/lead', '/crm/lead/import'])).toThrow(UnservableProfileError);
  expect(buildProfileRouter(byResource, ['/crm/lead', '/customer/update']).match('/v2/crm/7')).toEqual({
    endpoint: '/crm/lead',
    version: 'v2',
    id: '7',
    pathAction: undefined,
  });
});

test('the query parameter naming the action is no field of a GET', () => {
  expect(queryFields(acme, { action: 'create', name: 'x' })).toEqual({ name: 'x' });
  expect(queryFields(referenceProfile, { action: 'create', name: 'x' })).toEqual({ action: 'create', name: 'x' });
});

test('rate-limit headers in each generation read back as the Wire reads them; Retry-After as seconds or an HTTP-date', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
  const decision = { allowed: false, limit: 3, remaining: 0, resetSeconds: 42, windowSeconds: 60, resetAt: now + 41_750 };
  for (const generation of ['ietf-structured', 'ietf-legacy', 'x-ratelimit'] as const) {
    const headers = rateLimitHeaders({ headers: generation, retryAfter: 'seconds' }, decision);
    expect(parseRateLimit(generation, headers), generation).toMatchObject({ limit: 3, remaining: 0, resetSeconds: 42 });
    expect(headers['retry-after']).toBe('42');
  }
  const dated = rateLimitHeaders({ headers: 'ietf-legacy', retryAfter: 'http-date' }, decision);
  expect(dated['ratelimit-limit']).toBe('3, 3;w=60');
  expect(dated['retry-after']).toBe('Thu, 01 Jan 2026 12:00:42 GMT');
  expect(new Wire(acme).retryAfterSeconds(dated['retry-after'], now)).toBe(42);
  expect(rateLimitHeaders({ headers: 'x-ratelimit', retryAfter: 'either' }, { ...decision, allowed: true })['retry-after']).toBeUndefined();
});
