import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import type { ClientRole } from '../interactions/provider-states.ts';

export type TokenRole = Exclude<ClientRole, 'anonymous'>;

/** The client the 429 interactions drive over its limit; a target without it lends `short-lived` (see below). */
export const throttledClient = 'contracts-throttled';

/**
 * The OAuth2 clients provider verification acts as, each with a rate-limit bucket no other suite uses.
 * `throttled` is spent to its limit for the 429 interactions, so it must be a client of its own: the
 * target's `contracts-throttled`, or else `short-lived`, whose bucket no suite spends (its tokens only
 * ever get refused as expired) and whose tokens the session takes fresh for each request.
 * TD448_CONTRACT_CLIENTS maps the roles onto a deployment's clients: `authorized=ci-a,throttled=ci-b`.
 */
export function contractClients(
  target: Pick<TargetDescription, 'clients'>,
  env: NodeJS.ProcessEnv = process.env,
): Record<TokenRole, string> {
  const has = (clientId: string) => target.clients.some((client) => client.clientId === clientId);
  const defaults: Record<TokenRole, string> = {
    authorized: 'suite-7',
    unscoped: 'no-scopes',
    throttled: has(throttledClient) ? throttledClient : 'short-lived',
  };
  const overrides = Object.fromEntries(
    (env.TD448_CONTRACT_CLIENTS ?? '')
      .split(',')
      .map((pair) => pair.split('=').map((part) => part.trim()))
      .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== '' && pair[1] !== ''),
  );
  const unknown = Object.keys(overrides).filter((role) => !(role in defaults));
  if (unknown.length > 0)
    throw new Error(`TD448_CONTRACT_CLIENTS names unknown roles ${unknown.join(', ')}; the roles are ${Object.keys(defaults).join(', ')}`);
  return { ...defaults, ...overrides };
}
