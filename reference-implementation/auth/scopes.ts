import { z } from 'zod';
import type { Catalog } from '../../fixtures/catalog/model.ts';
import type { ActionKey } from '../../fixtures/catalog/vocabulary.ts';

/**
 * The scope policy of the API, derived from the catalog rather than hand-listed:
 * a scope is `<resource>:<kind>`, the resource being the endpoint's first path
 * segment and the kind what the action does to it.
 */

export const ScopeKind = z.enum(['read', 'write', 'delete']);
export type ScopeKind = z.infer<typeof ScopeKind>;

export const Scope = z.string().regex(/^[a-z0-9-]+:[a-z0-9-]+$/, 'a scope such as customer:write');
export type Scope = z.infer<typeof Scope>;

/** Reading status or exporting data changes nothing; creating and reconfiguring do; deleting is kept apart. */
export const scopeKindByAction = {
  'check-status': 'read',
  export: 'read',
  create: 'write',
  'update-config': 'write',
  delete: 'delete',
} as const satisfies Record<ActionKey, ScopeKind>;

/** The transaction-log query is not a catalog operation, so its scope is named here. */
export const logsReadScope = 'logs:read';

/** A leading version segment (/v1, /v2: the catalog promises versioning) names no resource. */
const versionSegment = /^v\d+$/;

/** `/customer/update` → `customer`. */
export function resourceOf(endpoint: string): string {
  const segments = endpoint.split('/').filter((segment) => segment !== '');
  const resource = segments.find((segment) => !versionSegment.test(segment));
  if (!resource) throw new Error(`endpoint ${JSON.stringify(endpoint)} has no resource segment`);
  return resource;
}

/** `requiredScope('/customer/update', 'update-config')` → `customer:write`. */
export function requiredScope(endpoint: string, actionKey: ActionKey): Scope {
  return `${resourceOf(endpoint)}:${scopeKindByAction[actionKey]}`;
}

/** Every scope some catalog operation requires, sorted. */
export function apiScopes(catalog: Pick<Catalog, 'operations'>): Scope[] {
  const scopes = new Set(catalog.operations.map((operation) => requiredScope(operation.endpoint, operation.actionKey)));
  return [...scopes].sort();
}

/** Every scope the authorization server knows: the API's plus the log query's. */
export function allScopes(catalog: Pick<Catalog, 'operations'>): Scope[] {
  return [...apiScopes(catalog), logsReadScope];
}
