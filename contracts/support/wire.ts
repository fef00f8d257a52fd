import { referenceProfile, type TargetProfile } from '../../fixtures/profile/profile.ts';
import { loadWire } from '../../fixtures/profile/wire.ts';
import { profileOf, resolvedTarget, resolvedTargetVariable } from '../../fixtures/target/resolve-target.ts';

/**
 * The wire conventions the contracts are written in: the profile of this run's target, so that a pact
 * describes the deployment's real wire format (its paths, action naming, header names, rate-limit
 * header generation); the reference profile when no target was resolved (the consumer suite alone).
 */
export const contractProfile: TargetProfile = process.env[resolvedTargetVariable] ? profileOf(resolvedTarget()) : referenceProfile;
export const contractWire = await loadWire(contractProfile);

/** The Kafka topics of this run's target; the reference implementation's when no target was resolved. */
export const contractTopics = process.env[resolvedTargetVariable]
  ? resolvedTarget().topics
  : { events: 'td448.events', audit: 'td448.audit' };
