import { isDeepStrictEqual } from 'node:util';
import type { Catalog } from '../fixtures/catalog/model.ts';
import { builtInProfiles, resolveProfile } from '../fixtures/profile/load-profile.ts';
import { TargetProfile } from '../fixtures/profile/profile.ts';
import { Wire } from '../fixtures/profile/wire.ts';

/**
 * What the reference implementation keeps whatever profile it serves: the catalog's promises and its
 * own topic names. Every wire convention (header names, paths, action words, log and event shapes)
 * comes from the profile it is started with (fixtures/profile/profile.ts); nothing here is one.
 */

/** The catalog's "1000 req/phút": requests per minute per client on the rate-limited operations. */
export const rateLimitPerMinute = 1000;
/** The catalog's "Retry tối đa 3 lần": retries after the first attempt, on the operations that promise them. */
export const maxRetries = 3;
/** The Kafka topics of the embedded stack: domain events, and the transaction log's audit copy. */
export const topics = { events: 'td448.events', audit: 'td448.audit' } as const;
/** Where the outbox relays keep their positions (transactional-sink.ts): not the target's, so not in its description. */
export const relayPositionsTopic = 'td448.outbox-relay-positions';

/** The reference profile: every default of the profile schema, today's conventions of the reference implementation. */
export const defaultProfile: TargetProfile = TargetProfile.parse({});

/** Every scope some catalog operation requires under the profile's scope template, sorted. */
export function apiScopesOf(profile: TargetProfile, catalog: Pick<Catalog, 'operations'>): string[] {
  return new Wire(profile).apiScopes(catalog);
}

/** Every scope the authorization server knows: the API's and the transaction-log query's (`oauth.logScope`). */
export function allScopesOf(profile: TargetProfile, catalog: Pick<Catalog, 'operations'>): string[] {
  return [...new Set([...apiScopesOf(profile, catalog), profile.oauth.logScope])];
}

/**
 * How the target description names the profile served: the name of a built-in profile when the
 * profile is exactly that one (`'reference'`, `'acme'`), the profile object itself otherwise.
 */
export function profileReference(profile: TargetProfile): string | Record<string, unknown> {
  if (builtInProfiles().includes(profile.name)) {
    try {
      if (isDeepStrictEqual(resolveProfile(profile.name, process.cwd()), profile)) return profile.name;
    } catch {
      // a built-in name that does not resolve: describe the profile by itself
    }
  }
  return { ...profile } as Record<string, unknown>;
}

/** The profile a caller named: a profile object as it is, a name or path resolved against the working directory. */
export function servedProfile(profile: TargetProfile | string | undefined): TargetProfile {
  if (profile === undefined) return defaultProfile;
  return typeof profile === 'string' ? resolveProfile(profile, process.cwd()) : profile;
}
