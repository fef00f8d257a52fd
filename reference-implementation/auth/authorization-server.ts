import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { type Adapter, type AdapterPayload, errors, Provider, type ResourceServerInfo } from 'oidc-provider';
import { z } from 'zod';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import type { Catalog } from '../../fixtures/catalog/model.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { ClientRole } from '../../fixtures/schemas/target.ts';
import { allScopesOf, apiScopesOf, defaultProfile } from '../conventions.ts';
import { ClientSpec, defaultClientSpecs, ScopeName } from './seeded-clients.ts';

export { ClientSpec, defaultClientSpecs } from './seeded-clients.ts';

/**
 * The reference implementation's OAuth2 authorization server: oidc-provider (a certified
 * implementation) issuing client-credentials access tokens as signed JWTs (RFC 9068) for
 * the API's resource indicator, with clients seeded afresh, random secrets and all, at each start.
 * The profile served (fixtures/profile/profile.ts) gives the scope names (`oauth.scopeTemplate`,
 * `oauth.logScope`), how clients authenticate (`oauth.clientAuthentication`) and the clients' names.
 */

/** RS256: the gateway verifies every request and RSA verification is the cheapest asymmetric check. */
export const accessTokenSigningAlgorithm = 'RS256';
export const defaultOtherAudience = 'https://other.td448.local';
const defaultAccessTokenTtlSeconds = 10 * 60;

/** A seeded client as the target description lists it: credentials, scopes and roles. */
export const SeededClient = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scopes: z.array(ScopeName),
  roles: z.array(ClientRole),
});
export type SeededClient = z.infer<typeof SeededClient>;

export const AuthorizationServerOptions = z.object({
  /** The API's resource indicator: the `aud` of the tokens the gateway accepts. */
  audience: z.url(),
  /** A second resource server, so tests can get a genuine token with the wrong audience. */
  otherAudience: z.url().default(defaultOtherAudience),
  /** Replaces the default seed (see defaultClientSpecs). */
  clients: z.array(ClientSpec).min(1).optional(),
  accessTokenTtlSeconds: z.number().int().positive().default(defaultAccessTokenTtlSeconds),
  /** 0 picks a free port, so that two stacks on one machine never collide. */
  port: z.number().int().min(0).max(65535).default(0),
});
export type AuthorizationServerOptions = z.input<typeof AuthorizationServerOptions> & {
  /** The catalog the API scopes derive from; the project's own by default. */
  catalog?: Pick<Catalog, 'operations'>;
  /** The profile served: scope names, client authentication, client names. The reference profile by default. */
  profile?: TargetProfile;
};

export type AuthorizationServer = {
  issuer: string;
  tokenUrl: string;
  jwksUrl: string;
  discoveryUrl: string;
  audience: string;
  otherAudience: string;
  signingAlgorithm: typeof accessTokenSigningAlgorithm;
  clients: SeededClient[];
  /** The seeded client with this id; throws if there is none. */
  client(clientId: string): SeededClient;
  stop(): Promise<void>;
};

/** Starts the authorization server on 127.0.0.1 with its clients seeded; `stop()` closes it. */
export async function startAuthorizationServer(input: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const options = AuthorizationServerOptions.parse(input);
  const catalog = input.catalog ?? loadCatalog();
  const profile = input.profile ?? defaultProfile;
  const clientAuthentication = profile.oauth.clientAuthentication;
  const specs = z
    .array(ClientSpec)
    .parse(
      options.clients ?? defaultClientSpecs({ profile, apiScopes: apiScopesOf(profile, catalog), otherAudience: options.otherAudience }),
    );
  const knownScopes = allScopesOf(profile, catalog);
  const specById = new Map(specs.map((spec) => [spec.clientId, spec]));
  if (specById.size !== specs.length) throw new Error('client ids must be unique');

  const clients = specs.map((spec) =>
    SeededClient.parse({
      clientId: spec.clientId,
      clientSecret: randomBytes(32).toString('base64url'),
      scopes: spec.scopes,
      roles: spec.roles,
    }),
  );

  const signingKey = await generateSigningKey();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const sameResource = (left: string, right: string) => URL.parse(left)?.href === URL.parse(right)?.href;

  let provider: Provider;
  try {
    provider = new Provider(issuer, {
      clients: clients.map(({ clientId, clientSecret }) => ({
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        // oidc-provider accepts either secret method whichever is registered (it treats them as one):
        // under client_secret_post the Basic form is refused in front of it (refuseBasicCredentials).
        token_endpoint_auth_method: clientAuthentication,
      })),
      // Discovery advertises what is accepted: both forms by default, the body form alone under client_secret_post.
      clientAuthMethods:
        clientAuthentication === 'client_secret_post' ? ['client_secret_post'] : ['client_secret_basic', 'client_secret_post'],
      // Machine-to-machine only: no authorization endpoint flows, so discovery advertises client_credentials alone.
      responseTypes: [],
      scopes: ['openid', ...knownScopes],
      jwks: { keys: [signingKey] },
      adapter: createEphemeralAdapter(),
      // Machine-to-machine only: no browser origin may call the endpoints.
      clientBasedCORS: () => false,
      ttl: {
        ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? options.accessTokenTtlSeconds,
      },
      features: {
        // No end-user flows here, so no development login pages (and no warning about them).
        devInteractions: { enabled: false },
        userinfo: { enabled: false },
        rpInitiatedLogout: { enabled: false },
        pushedAuthorizationRequests: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          // A client that names no resource gets a token for the API.
          defaultResource: async () => options.audience,
          async getResourceServerInfo(ctx, resourceIndicator, client): Promise<ResourceServerInfo> {
            const spec = specById.get(client.clientId);
            // The configured spelling becomes `aud`, so `https://api.td448.local/` still yields the audience the gateway expects.
            const audience = spec && [options.audience, ...spec.otherAudiences].find((known) => sameResource(resourceIndicator, known));
            if (!spec || !audience) throw new errors.InvalidTarget(`client may not request tokens for ${resourceIndicator}`);
            const scope = spec.scopes.join(' ');
            // RFC 6749 §3.3 lets the server default an omitted scope: everything the client is granted here.
            if (ctx.oidc.params.grant_type === 'client_credentials' && ctx.oidc.params.scope === undefined && scope) {
              ctx.oidc.params.scope = scope;
            }
            return {
              scope,
              audience,
              accessTokenFormat: 'jwt',
              accessTokenTTL: spec.accessTokenTtlSeconds ?? options.accessTokenTtlSeconds,
              jwt: { sign: { alg: accessTokenSigningAlgorithm } },
            };
          },
        },
      },
    });
  } catch (error) {
    // A configuration oidc-provider refuses must not leave the port bound.
    server.close();
    throw error;
  }
  provider.on('server_error', (_ctx, error) => {
    console.error(`authorization server error: ${error.stack ?? error.message}`);
  });
  const callback = provider.callback();
  server.on('request', (request, response) => {
    if (clientAuthentication === 'client_secret_post' && refuseBasicCredentials(request, response, issuer)) return;
    callback(request, response);
  });

  const byId = new Map(clients.map((client) => [client.clientId, client]));
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    jwksUrl: `${issuer}/jwks`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    audience: options.audience,
    otherAudience: options.otherAudience,
    signingAlgorithm: accessTokenSigningAlgorithm,
    clients,
    client(clientId) {
      const client = byId.get(clientId);
      if (!client) throw new Error(`no seeded client ${JSON.stringify(clientId)}`);
      return client;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/**
 * Under client_secret_post, a token request authenticating with HTTP Basic (RFC 6749 §2.3.1's other
 * form) is refused as RFC 6749 §5.2 says: 401 invalid_client with a Basic challenge. True when it answered.
 */
function refuseBasicCredentials(request: IncomingMessage, response: ServerResponse, issuer: string): boolean {
  const path = (request.url ?? '').split('?')[0];
  if (request.method !== 'POST' || path !== '/token' || !/^basic\b/i.test(request.headers.authorization ?? '')) return false;
  request.resume();
  response.writeHead(401, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'www-authenticate': `Basic realm="${issuer}", error="invalid_client"`,
  });
  response.end(
    JSON.stringify({
      error: 'invalid_client',
      error_description: 'this authorization server accepts client_secret_post only: send client_id and client_secret in the form body',
    }),
  );
  return true;
}

/** A fresh key per start: tokens from an earlier run can never verify. */
async function generateSigningKey() {
  const { privateKey } = await generateKeyPair(accessTokenSigningAlgorithm, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: accessTokenSigningAlgorithm, use: 'sig' };
}

/**
 * JWT access tokens are self-contained, so oidc-provider stores next to nothing; this
 * per-server map (instead of its shared development adapter) holds whatever it does
 * store until it expires, and knows no clients beyond the seeded ones.
 */
function createEphemeralAdapter(): (modelName: string) => Adapter {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  return (modelName) => {
    const key = (id: string) => `${modelName}:${id}`;
    const find = async (id: string) => {
      const entry = entries.get(key(id));
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key(id));
        return undefined;
      }
      return entry.payload;
    };
    return {
      async upsert(id, payload, expiresIn) {
        entries.set(key(id), { payload, expiresAt: expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000 });
      },
      find,
      findByUid: async () => undefined,
      findByUserCode: async () => undefined,
      async consume(id) {
        const payload = await find(id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(key(id));
      },
      async revokeByGrantId() {},
    };
  };
}
