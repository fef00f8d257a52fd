import type { Catalog, Operation } from '../../fixtures/catalog/model.ts';
import type { ActionKey, HttpMethod } from '../../fixtures/catalog/vocabulary.ts';

/** endpoint → method → action → operation, derived from the catalog: the gateway serves exactly what it declares. */
export type RouteTable = Map<string, Map<HttpMethod, Map<ActionKey, Operation>>>;

export function buildRouteTable(catalog: Catalog): RouteTable {
  const table: RouteTable = new Map();
  for (const operation of catalog.operations) {
    const methods = table.get(operation.endpoint) ?? new Map();
    const actions = methods.get(operation.method) ?? new Map();
    actions.set(operation.actionKey, operation);
    methods.set(operation.method, actions);
    table.set(operation.endpoint, methods);
  }
  return table;
}

/** Splits `/customer/update/abc` into the endpoint and an item id, longest endpoint first. */
export function matchEndpoint(table: RouteTable, path: string): { endpoint: string; id: string | undefined } | undefined {
  const endpoints = [...table.keys()].sort((a, b) => b.length - a.length);
  for (const endpoint of endpoints) {
    if (path === endpoint) return { endpoint, id: undefined };
    if (path.startsWith(`${endpoint}/`)) {
      const rest = path.slice(endpoint.length + 1);
      if (rest !== '' && !rest.includes('/')) {
        try {
          return { endpoint, id: decodeURIComponent(rest) };
        } catch {
          return undefined; // not percent-encoded properly: no such item
        }
      }
    }
  }
  return undefined;
}
