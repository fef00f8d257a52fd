import type { ActionKey } from '../../fixtures/catalog/vocabulary.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import type { Wire } from '../../fixtures/profile/wire.ts';
import { resourceOf } from '../../fixtures/schemas/scopes.ts';

/**
 * Profile-aware routing: which catalog endpoint, version, record id and action a request names,
 * read from the profile's path templates (`requests.collectionPath`, `requests.itemPath`) and its
 * action convention (`requests.action`, `requests.actionNames`). The reference profile routes
 * `/{version}{endpoint}` and `/{version}{endpoint}/{id}` with the action in the `td448-action`
 * header; acme routes `/api/{version}{endpoint}/{id}` with `?action=status`.
 */

/** What a request path names. The version is as sent: the caller checks it against the profile's versions. */
export interface RouteMatch {
  endpoint: string;
  version: string;
  /** The record id, percent-decoded once; undefined on the collection path. */
  id: string | undefined;
  /** The action word in the path, when the profile names actions there. */
  pathAction: string | undefined;
}

/** Matches request paths against the profile's templates, for the catalog's endpoints. */
export interface ProfileRouter {
  /** The route of a raw (still percent-encoded) request path, without its query; undefined when it names no catalog endpoint. */
  match(rawPath: string): RouteMatch | undefined;
}

/** A profile whose templates cannot tell the catalog's endpoints apart: refused at start, not at the first request. */
export class UnservableProfileError extends Error {
  override name = 'UnservableProfileError';
}

type Placeholder = 'version' | 'endpoint' | 'resource' | 'action' | 'id';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A compiled template: its regex and the placeholder each capture group holds, in order. */
interface CompiledTemplate {
  regex: RegExp;
  groups: Placeholder[];
}

function compile(template: string, endpoints: readonly string[]): CompiledTemplate {
  // Longest first: an alternation takes its first alternative that lets the whole path match.
  const byLength = [...endpoints].sort((a, b) => b.length - a.length);
  const resources = [...new Set(byLength.map(resourceOf))];
  const hasEndpoint = template.includes('{endpoint}');
  const groups: Placeholder[] = [];
  let source = '';
  let last = 0;
  // Wire.path collapses doubled slashes and drops a trailing one: the template's literal parts may carry them.
  const literal = (text: string) => escapeRegex(text.replace(/\/{2,}/g, '/'));
  for (const found of template.matchAll(/\{(version|endpoint|resource|action|id)\}/g)) {
    source += literal(template.slice(last, found.index));
    last = found.index + found[0].length;
    const name = found[1] as Placeholder;
    groups.push(name);
    if (name === 'endpoint') {
      // An endpoint starts with a slash: `/{version}/{endpoint}` is sent as /v2/customer/update.
      if (source.endsWith('/')) source = source.slice(0, -1);
      source += `(${byLength.map(escapeRegex).join('|')})`;
    } else if (name === 'resource' && !hasEndpoint) source += `(${resources.map(escapeRegex).join('|')})`;
    else source += '([^/]+)';
  }
  source += literal(template.slice(last));
  if (source.endsWith('/')) source = source.slice(0, -1);
  return { regex: new RegExp(`^${source}$`), groups };
}

/**
 * Builds the router of a profile for the catalog's endpoints. Throws UnservableProfileError when the
 * templates name only `{resource}` and the catalog has several endpoints under one resource.
 */
export function buildProfileRouter(profile: TargetProfile, endpoints: readonly string[]): ProfileRouter {
  const { collectionPath, itemPath } = profile.requests;
  for (const template of [collectionPath, itemPath]) {
    if (template.includes('{endpoint}')) continue;
    const clash = endpoints.find((endpoint) => endpoints.some((other) => other !== endpoint && resourceOf(other) === resourceOf(endpoint)));
    if (clash) {
      throw new UnservableProfileError(
        `the profile "${profile.name}" addresses operations by {resource} alone ("${template}"), but the catalog has several endpoints under "${resourceOf(clash)}": name {endpoint} in the template`,
      );
    }
  }
  const byResource = new Map(endpoints.map((endpoint) => [resourceOf(endpoint), endpoint]));
  const collection = compile(collectionPath, endpoints);
  const item = compile(itemPath, endpoints);

  const read = (compiled: CompiledTemplate, path: string, isItem: boolean): RouteMatch | undefined => {
    const found = compiled.regex.exec(path);
    if (!found) return undefined;
    const values: Partial<Record<Placeholder, string>> = {};
    for (const [index, name] of compiled.groups.entries()) {
      const value = found[index + 1] as string;
      if (values[name] !== undefined && values[name] !== value) return undefined; // a placeholder named twice must agree
      values[name] = value;
    }
    const endpoint = values.endpoint ?? (values.resource === undefined ? undefined : byResource.get(values.resource));
    if (endpoint === undefined || (values.resource !== undefined && resourceOf(endpoint) !== values.resource)) return undefined;
    let id: string | undefined;
    if (isItem) {
      try {
        id = decodeURIComponent(values.id ?? '');
      } catch {
        return undefined; // not percent-encoded properly: no such item
      }
      if (id === '') return undefined;
    }
    return { endpoint, version: values.version ?? '', id, pathAction: values.action };
  };

  return {
    // The collection first: `/v2/crm/lead/import` is the collection of /crm/lead/import, not the record "import" of /crm/lead.
    match: (rawPath) => read(collection, rawPath, false) ?? read(item, rawPath, true),
  };
}

/** The request as routing reads it: headers (lower-case names, as Node has them) and the parsed query. */
export interface ActionSource {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
}

const single = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Array.isArray(value) ? value.map(String).join(', ') : undefined;

/** The word naming the action, where the profile says it is (header, query parameter or path); undefined when absent. */
export function actionWordOf(profile: TargetProfile, request: ActionSource, match: RouteMatch): string | undefined {
  const naming = profile.requests.action;
  if (naming.in === 'header') return single(request.headers[naming.name.toLowerCase()]);
  if (naming.in === 'query') return single(request.query[naming.name]);
  return match.pathAction;
}

/** The catalog action a word names under the profile (`status` → check-status under acme); undefined if none. */
export function actionKeyOf(wire: Wire, word: string | undefined): ActionKey | undefined {
  return word === undefined ? undefined : wire.actionOf(word);
}

/** Where the profile tells a client to name the action, for the problem of a request that did not. */
export function actionNamingHint(profile: TargetProfile): string {
  const naming = profile.requests.action;
  if (naming.in === 'header') return `the ${naming.name} header`;
  if (naming.in === 'query') return `the ${naming.name} query parameter`;
  return 'the path';
}

/** The query fields of a GET or DELETE: its query string without the parameter naming the action. */
export function queryFields(profile: TargetProfile, query: Record<string, unknown>): Record<string, unknown> {
  const naming = profile.requests.action;
  if (naming.in !== 'query') return query;
  const { [naming.name]: _action, ...fields } = query;
  return fields;
}
