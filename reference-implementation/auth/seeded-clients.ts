import { z } from 'zod';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { ClientRole } from '../../fixtures/schemas/target.ts';

/**
 * The clients the authorization server seeds at each start, and the roles the target description
 * gives them (fixtures/schemas/target.ts, ClientRole): the suites pick clients by role, never by name.
 * Under the reference profile they keep their historical names (suite-1…8, load-1…20, no-scopes,
 * log-admin, short-lived, contracts-throttled); under any other profile they are named after it
 * (acme-qa-1…8, acme-perf-1…20, acme-noscope, acme-auditor, acme-expiring, acme-throttle), so that a
 * suite finding a client by name instead of by role fails against it.
 */

/** A scope as the profile's template spells it: `customer:write`, `api://td448/customer.write`, …; no spaces (RFC 6749 §3.3). */
export const ScopeName = z
  .string()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope token (RFC 6749 §3.3): printable ASCII, no space, " or \\');

/** A client to seed: who it is, what it is granted and what the suites use it for; its secret is generated at start. */
export const ClientSpec = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a client id safe in URLs and Basic credentials'),
  scopes: z.array(ScopeName),
  /** Overrides the server's access-token lifetime for this client. */
  accessTokenTtlSeconds: z.number().int().positive().optional(),
  /** Resource indicators besides the API's that this client may ask tokens for. */
  otherAudiences: z.array(z.url()).default([]),
  roles: z.array(ClientRole).default([]),
});
export type ClientSpec = z.input<typeof ClientSpec>;

/** The id of each seeded client of a role (numbered for the roles with several clients). */
export interface ClientNames {
  functional: (n: number) => string;
  load: (n: number) => string;
  unscoped: string;
  logReader: string;
  shortLived: string;
  throttled: string;
}

/** The reference profile's client ids, as they have always been. */
const referenceNames: ClientNames = {
  functional: (n) => `suite-${n}`,
  load: (n) => `load-${n}`,
  unscoped: 'no-scopes',
  logReader: 'log-admin',
  shortLived: 'short-lived',
  throttled: 'contracts-throttled',
};

/** The client ids under a profile: the reference names for the reference profile, names after the profile otherwise. */
export function clientNamesFor(profile: Pick<TargetProfile, 'name'>): ClientNames {
  if (profile.name === 'reference') return referenceNames;
  const prefix =
    profile.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'profile';
  return {
    functional: (n) => `${prefix}-qa-${n}`,
    load: (n) => `${prefix}-perf-${n}`,
    unscoped: `${prefix}-noscope`,
    logReader: `${prefix}-auditor`,
    shortLived: `${prefix}-expiring`,
    throttled: `${prefix}-throttle`,
  };
}

/** Seconds a short-lived client's tokens live: within every profile's oauth.expiredTokenWaitSeconds worth having. */
export const shortLivedTtlSeconds = 2;

const numbered = (count: number, name: (n: number) => string) => Array.from({ length: count }, (_, index) => name(index + 1));

/**
 * Eight functional clients give the suites separate rate-limit buckets (the first may also ask for
 * the other audience), twenty load clients are the load campaigns' virtual clients; the rest exist
 * to provoke one failure each.
 */
export function defaultClientSpecs(options: {
  profile: Pick<TargetProfile, 'name' | 'oauth'>;
  apiScopes: string[];
  otherAudience: string;
}): ClientSpec[] {
  const names = clientNamesFor(options.profile);
  const scopes = options.apiScopes;
  return [
    ...numbered(8, names.functional).map(
      (clientId, index): ClientSpec => ({
        clientId,
        scopes,
        otherAudiences: index === 0 ? [options.otherAudience] : [],
        roles: index === 0 ? ['functional', 'other-audience'] : ['functional'],
      }),
    ),
    ...numbered(20, names.load).map((clientId): ClientSpec => ({ clientId, scopes, roles: ['load'] })),
    { clientId: names.unscoped, scopes: [], roles: ['unscoped'] },
    { clientId: names.logReader, scopes: [options.profile.oauth.logScope], roles: ['log-reader'] },
    { clientId: names.shortLived, scopes, accessTokenTtlSeconds: shortLivedTtlSeconds, roles: ['short-lived'] },
    // Contracts spend this client's rate-limit bucket to verify the 429 interactions.
    { clientId: names.throttled, scopes, roles: ['throttled'] },
  ];
}
