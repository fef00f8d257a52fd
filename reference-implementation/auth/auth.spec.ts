import { expect, test } from '@playwright/test';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import { allScopes, apiScopes, logsReadScope, requiredScope } from '../../fixtures/schemas/scopes.ts';
import { type AuthorizationServer, type SeededClient, startAuthorizationServer } from './authorization-server.ts';
import { createTokenVerifier, type TokenVerifier, type VerificationResult } from './verify-token.ts';

const audience = 'https://api.td448.local';

type TokenRequest = { auth?: 'basic' | 'post'; resource?: string; scope?: string; secret?: string };

async function requestToken(server: AuthorizationServer, client: SeededClient, request: TokenRequest = {}) {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (request.resource) form.set('resource', request.resource);
  if (request.scope) form.set('scope', request.scope);
  const secret = request.secret ?? client.clientSecret;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (request.auth === 'post') {
    form.set('client_id', client.clientId);
    form.set('client_secret', secret);
  } else {
    // RFC 6749 §2.3.1: each part is form-encoded before the Basic encoding.
    const credentials = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(secret)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const response = await fetch(server.tokenUrl, { method: 'POST', headers, body: form });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function accessToken(server: AuthorizationServer, clientId: string, request: TokenRequest = {}) {
  const { status, body } = await requestToken(server, server.client(clientId), request);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(typeof body.access_token).toBe('string');
  return body.access_token as string;
}

function expectRejected(result: VerificationResult, status: 401 | 403, reason: string) {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.status).toBe(status);
  expect(result.reason).toBe(reason);
  return result;
}

const catalog = loadCatalog();
const customerWrite = requiredScope('/customer/update', 'update-config');

test.describe('scope policy', () => {
  test('derives one scope per resource and action kind', () => {
    expect(requiredScope('/customer/update', 'update-config')).toBe('customer:write');
    expect(requiredScope('/invoice/export', 'export')).toBe('invoice:read');
    expect(requiredScope('/security/firewall/config', 'check-status')).toBe('security:read');
    expect(requiredScope('/crm/lead/import', 'create')).toBe('crm:write');
    expect(requiredScope('/network/qos/monitor', 'delete')).toBe('network:delete');
    expect(requiredScope('/v2/ivr/callflow', 'delete')).toBe('ivr:delete');
    const resources = new Set(catalog.operations.map((operation) => operation.endpoint.split('/')[1]));
    expect(new Set(apiScopes(catalog).map((scope) => scope.split(':')[0]))).toEqual(resources);
    expect(allScopes(catalog)).toEqual([...apiScopes(catalog), logsReadScope]);
  });
});

test.describe('authorization server and token verification', () => {
  let server: AuthorizationServer;
  let verifier: TokenVerifier;

  test.beforeAll(async () => {
    server = await startAuthorizationServer({ audience, catalog });
    verifier = createTokenVerifier({ issuer: server.issuer, jwksUrl: server.jwksUrl, audience });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('seeds the clients with fresh random secrets', async () => {
    const ids = server.clients.map((client) => client.clientId);
    for (const id of ['suite-1', 'suite-8', 'load-1', 'load-20', 'no-scopes', 'log-admin', 'short-lived', 'contracts-throttled'])
      expect(ids).toContain(id);
    expect(ids).toHaveLength(8 + 20 + 4);
    expect(new Set(server.clients.map((client) => client.clientSecret)).size).toBe(server.clients.length);
    expect(server.client('suite-3').scopes).toEqual(apiScopes(catalog));
    expect(server.client('no-scopes').scopes).toEqual([]);
    expect(server.client('log-admin').scopes).toEqual([logsReadScope]);
    const again = await startAuthorizationServer({ audience, catalog });
    try {
      expect(again.issuer).not.toBe(server.issuer);
      expect(again.client('suite-1').clientSecret).not.toBe(server.client('suite-1').clientSecret);
    } finally {
      await again.stop();
    }
  });

  for (const auth of ['basic', 'post'] as const) {
    test(`issues a JWT access token with client_secret_${auth}`, async () => {
      const { status, body } = await requestToken(server, server.client('suite-2'), { auth });
      expect(status).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: apiScopes(catalog).join(' ') });
      const token = body.access_token as string;
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
      expect(decodeJwt(token)).toMatchObject({ iss: server.issuer, aud: audience, client_id: 'suite-2', sub: 'suite-2' });

      const result = await verifier.verify(`Bearer ${token}`, customerWrite);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (!result.ok) return;
      expect(result.clientId).toBe('suite-2');
      expect(result.scopes).toEqual(apiScopes(catalog));
      expect(result.claims.aud).toBe(audience);
    });
  }

  test('narrows the token to the scopes asked for', async () => {
    const { body } = await requestToken(server, server.client('load-1'), { scope: `${customerWrite} invoice:read` });
    expect(body.scope).toBe(`${customerWrite} invoice:read`);
    expectRejected(await verifier.verify(`Bearer ${body.access_token}`, 'customer:delete'), 403, 'insufficient-scope');
    expect((await verifier.verify(`Bearer ${body.access_token}`, 'invoice:read')).ok).toBe(true);
  });

  test('names the API in aud however the resource indicator is spelled', async () => {
    const token = await accessToken(server, 'load-4', { resource: `${audience}/` });
    expect(decodeJwt(token).aud).toBe(audience);
    expect((await verifier.verify(`Bearer ${token}`, customerWrite)).ok).toBe(true);
  });

  test('refuses a wrong client secret with invalid_client', async () => {
    for (const auth of ['basic', 'post'] as const) {
      const { status, body } = await requestToken(server, server.client('suite-1'), { auth, secret: 'not-the-secret' });
      expect(status).toBe(401);
      expect(body.error).toBe('invalid_client');
    }
  });

  test('refuses a resource the client may not ask for with invalid_target', async () => {
    const { status, body } = await requestToken(server, server.client('suite-2'), { resource: server.otherAudience });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_target');
  });

  test('no token: 401 missing-token with a bare Bearer challenge', async () => {
    const rejected = expectRejected(await verifier.verify(undefined, customerWrite), 401, 'missing-token');
    expect(rejected?.wwwAuthenticate).toBe('Bearer realm="td448"');
    expectRejected(await verifier.verify('Basic dXNlcjpwYXNz', customerWrite), 401, 'missing-token');
  });

  test('garbage: 401 malformed-token', async () => {
    for (const header of ['Bearer not-a-jwt', 'Bearer a.b.c', 'Bearer ', 'Bearer two tokens']) {
      const rejected = expectRejected(await verifier.verify(header, customerWrite), 401, 'malformed-token');
      expect(rejected?.wwwAuthenticate).toMatch(/^Bearer realm="td448", error="invalid_token", error_description="[^"]+"$/);
    }
  });

  test('a token signed by another key: 401 bad-signature', async () => {
    const genuine = await accessToken(server, 'suite-3');
    const { privateKey } = await generateKeyPair('RS256');
    const { kid } = decodeProtectedHeader(genuine);
    for (const forgedKid of [kid, 'unknown-key']) {
      const forged = await new SignJWT(decodeJwt(genuine))
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: forgedKid })
        .sign(privateKey);
      expectRejected(await verifier.verify(`Bearer ${forged}`, customerWrite), 401, 'bad-signature');
    }
    const hmac = await new SignJWT(decodeJwt(genuine))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
    expectRejected(await verifier.verify(`Bearer ${hmac}`, customerWrite), 401, 'bad-signature');
  });

  test('a genuine token for another resource: 401 wrong-audience', async () => {
    const token = await accessToken(server, 'suite-1', { resource: server.otherAudience });
    expect(decodeJwt(token).aud).toBe(server.otherAudience);
    const rejected = expectRejected(await verifier.verify(`Bearer ${token}`, customerWrite), 401, 'wrong-audience');
    expect(rejected?.wwwAuthenticate).toContain('error="invalid_token"');
  });

  test('a genuine token checked against another issuer: 401 wrong-issuer', async () => {
    const token = await accessToken(server, 'suite-4');
    const strangers = createTokenVerifier({ issuer: `${server.issuer}/elsewhere`, jwksUrl: server.jwksUrl, audience });
    expectRejected(await strangers.verify(`Bearer ${token}`, customerWrite), 401, 'wrong-issuer');
  });

  test('a short-lived token, once past its 2 s: 401 expired', async () => {
    const token = await accessToken(server, 'short-lived');
    const { iat = 0, exp = 0 } = decodeJwt(token);
    expect(exp - iat).toBe(2);
    expect((await verifier.verify(`Bearer ${token}`, customerWrite)).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expectRejected(await verifier.verify(`Bearer ${token}`, customerWrite), 401, 'expired');
  });

  test('a client granted no scope: 403 insufficient-scope naming the scope', async () => {
    const { status, body } = await requestToken(server, server.client('no-scopes'));
    expect(status).toBe(200);
    expect(body.scope).toBeUndefined();
    const rejected = expectRejected(await verifier.verify(`Bearer ${body.access_token}`, customerWrite), 403, 'insufficient-scope');
    expect(rejected?.wwwAuthenticate).toBe(
      `Bearer realm="td448", error="insufficient_scope", error_description="the token does not grant ${customerWrite}", scope="${customerWrite}"`,
    );
  });

  test('log-admin may query logs and nothing else', async () => {
    const token = await accessToken(server, 'log-admin');
    expect((await verifier.verify(`Bearer ${token}`, logsReadScope)).ok).toBe(true);
    expectRejected(await verifier.verify(`Bearer ${token}`, 'customer:read'), 403, 'insufficient-scope');
  });

  test('serves discovery and the public JWKS', async () => {
    const discovery = (await (await fetch(server.discoveryUrl)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: server.issuer,
      token_endpoint: server.tokenUrl,
      jwks_uri: server.jwksUrl,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(allScopes(catalog)));

    const jwks = (await (await fetch(server.jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(privatePart);
  });

  test('measures token-endpoint latency and verify() cost', async () => {
    const client = server.client('load-2');
    const samples = 200;
    await requestToken(server, client);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const { status } = await requestToken(server, client, { auth: i % 2 === 0 ? 'basic' : 'post' });
      latencies.push(performance.now() - started);
      expect(status).toBe(200);
    }
    latencies.sort((a, b) => a - b);
    const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))]?.toFixed(2);
    const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
    console.log(
      `token endpoint, ${samples} sequential requests: mean ${mean.toFixed(2)} ms, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`,
    );

    const header = `Bearer ${await accessToken(server, 'load-3')}`;
    const forbidden = `Bearer ${await accessToken(server, 'no-scopes')}`;
    for (const [label, value, scope] of [
      ['accepted', header, customerWrite],
      ['insufficient-scope', forbidden, customerWrite],
      ['malformed', 'Bearer not-a-jwt', customerWrite],
    ] as const) {
      await verifier.verify(value, scope);
      const iterations = 5_000;
      const started = performance.now();
      for (let i = 0; i < iterations; i++) await verifier.verify(value, scope);
      const perCall = ((performance.now() - started) * 1000) / iterations;
      console.log(`verify() ${label}: ${perCall.toFixed(1)} µs per call (${iterations} sequential calls)`);
    }
    const concurrent = 5_000;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrent }, () => verifier.verify(header, customerWrite)));
    console.log(
      `verify() accepted, ${concurrent} concurrent calls: ${(((performance.now() - started) * 1000) / concurrent).toFixed(1)} µs per call`,
    );
  });
});
