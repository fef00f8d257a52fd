import type { TargetDescription, ClientRole as TargetRole } from '../../fixtures/schemas/target.ts';
import { clientForBucket } from '../../fixtures/target/buckets.ts';
import type { ClientRole } from '../interactions/provider-states.ts';

export type TokenRole = Exclude<ClientRole, 'anonymous'>;

/**
 * The OAuth2 clients provider verification acts as, found by role, each with a rate-limit bucket no other
 * suite uses: `authorized` is the functional client of the contracts' bucket; `unscoped` the client with the
 * role unscoped; `throttled` is spent to its limit for the 429 interactions, so it must be a client of its own:
 * the role throttled, or else short-lived (whose bucket no suite spends; its tokens are taken fresh per request).
 * TD448_CONTRACT_CLIENTS maps the roles onto other clients: `authorized=ci-a,throttled=ci-b`.
 */
export function contractClients(
  target: Pick<TargetDescription, 'clients'>,
  env: NodeJS.ProcessEnv = process.env,
): Record<TokenRole, string> {
  const byRole = (role: TargetRole) => target.clients.find((client) => client.roles.includes(role))?.clientId;
  const authorized = clientForBucket(target, 'contracts');
  const defaults: Record<TokenRole, string> = {
    authorized: 'clientId' in authorized ? authorized.clientId : '(no functional client)',
    unscoped: byRole('unscoped') ?? '(no unscoped client)',
    throttled: byRole('throttled') ?? byRole('short-lived') ?? '(no throttled client)',
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
