import type { ClientRole } from '../interactions/provider-states.ts';

/**
 * The OAuth2 clients provider verification acts as, each with a rate-limit bucket of its own that no
 * other suite uses: `throttled` is driven over its limit for the 429 interactions. A deployment's
 * target description names its own clients; TD448_CONTRACT_CLIENTS maps the roles onto them
 * (`authorized=ci-contracts,throttled=ci-contracts-2`).
 */
const defaults: Record<Exclude<ClientRole, 'anonymous'>, string> = {
  authorized: 'suite-7',
  unscoped: 'no-scopes',
  throttled: 'suite-8',
};

export type TokenRole = keyof typeof defaults;

export function contractClients(env: NodeJS.ProcessEnv = process.env): Record<TokenRole, string> {
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
