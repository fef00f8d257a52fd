/**
 * oidc-provider ships no type declarations (and @types/oidc-provider is not installed):
 * this declares only the part of its API the reference authorization server uses.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcClient {
    readonly clientId: string;
  }

  /** The koa context oidc-provider passes to configuration helpers. */
  export interface OidcContext {
    readonly oidc: {
      readonly route?: string;
      readonly client?: OidcClient;
      /** Request parameters after parsing; helpers may fill in defaults before grant handlers read them. */
      readonly params: Record<string, string | string[] | undefined>;
    };
  }

  export interface ResourceServerInfo {
    /** Space-delimited scopes that may be issued for this resource server. */
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    grant_types?: string[];
    response_types?: string[];
    redirect_uris?: string[];
    token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'none';
    client_name?: string;
  }

  export type AdapterPayload = Record<string, unknown>;

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface JsonWebKeySet {
    keys: Array<Record<string, unknown>>;
  }

  export interface Configuration {
    adapter?: (modelName: string) => Adapter;
    clients?: ClientMetadata[];
    jwks?: JsonWebKeySet;
    clientAuthMethods?: string[];
    responseTypes?: string[];
    /** Scopes advertised in discovery (and treated as known at the token endpoint). */
    scopes?: string[];
    ttl?: {
      ClientCredentials?: (ctx: OidcContext, token: { resourceServer?: { accessTokenTTL?: number } }, client: OidcClient) => number;
    };
    clientBasedCORS?: (ctx: OidcContext, origin: string, client: OidcClient) => boolean;
    features?: {
      devInteractions?: { enabled: boolean };
      clientCredentials?: { enabled: boolean };
      userinfo?: { enabled: boolean };
      rpInitiatedLogout?: { enabled: boolean };
      pushedAuthorizationRequests?: { enabled: boolean };
      resourceIndicators?: {
        enabled: boolean;
        defaultResource?: (ctx: OidcContext, client: OidcClient, oneOf?: string[]) => Promise<string | string[] | undefined>;
        useGrantedResource?: (ctx: OidcContext, model: unknown) => Promise<boolean>;
        getResourceServerInfo?: (ctx: OidcContext, resourceIndicator: string, client: OidcClient) => Promise<ResourceServerInfo>;
      };
    };
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    /** A node:http request listener. */
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
    on(event: 'server_error', listener: (ctx: OidcContext, error: Error) => void): this;
  }

  export const errors: {
    InvalidTarget: new (detail?: string) => Error;
  };

  export default Provider;
}
