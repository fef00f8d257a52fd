import { type PassThroughProxy, startPassThroughProxy } from './pass-through-proxy.ts';

/** A change of response shape on one endpoint: a field renamed, in JSON and in XML alike. */
export interface ShapeChange {
  endpoint: string;
  field: string;
  renamedTo: string;
}

export interface RewritingProxy extends PassThroughProxy {
  /** Responses whose shape the proxy changed. */
  rewritten(): number;
}

const renameKeys = (value: unknown, change: ShapeChange): unknown => {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, change));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key === change.field ? change.renamedTo : key, renameKeys(inner, change)]),
  );
};

const renameElements = (xml: string, change: ShapeChange) =>
  xml.replace(
    new RegExp(`<(/?)${change.field}(\\s*/?)>`, 'g'),
    (_match, close: string, rest: string) => `<${close}${change.renamedTo}${rest}>`,
  );

/**
 * A proxy in front of a target that changes the shape of one endpoint's successful answers and
 * passes everything else through untouched: what a provider's breaking change looks like from outside,
 * with no change to the provider.
 */
export async function startRewritingProxy(upstream: string, change: ShapeChange): Promise<RewritingProxy> {
  // Wherever the profile's path templates put the endpoint (`/v2/customer/update/…`, `/api/v2/customer/update?…`).
  const endpointPath = new RegExp(`${change.endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/|\\?|$)`);
  let rewritten = 0;
  const proxy = await startPassThroughProxy(upstream, ({ url, status, headers, text }) => {
    if (!endpointPath.test(url) || status < 200 || status >= 300 || text === '') return undefined;
    const type = headers['content-type'] ?? '';
    rewritten++;
    if (/[/+]json/.test(type)) return JSON.stringify(renameKeys(JSON.parse(text), change));
    if (/[/+]xml/.test(type)) return renameElements(text, change);
    return undefined;
  });
  return { ...proxy, rewritten: () => rewritten };
}
