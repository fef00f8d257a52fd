import type { ActionKey } from '../../fixtures/catalog/vocabulary.ts';
import type { Wire } from '../../fixtures/profile/wire.ts';
import type { RouteMatch } from './profile-routes.ts';

/** When the deprecated versions were deprecated (RFC 9745 `@epoch`) and when they sunset (RFC 8594). */
const deprecatedSince = `@${Date.UTC(2026, 0, 1) / 1000}`;
const sunset = new Date(Date.UTC(2027, 5, 30)).toUTCString();

/**
 * The headers of an answer of a deprecated version (`deprecation.deprecatedVersions` of the profile;
 * v1 under the reference profile): Deprecation, Sunset, and a `successor-version` link (RFC 8288) to
 * the same resource under the newest version that is not deprecated, built from the profile's path
 * template, with the request's query string. None for a version that is not deprecated.
 */
export function deprecationHeaders(
  wire: Wire,
  version: string,
  route: RouteMatch,
  action: ActionKey | undefined,
  url: string,
  options: { omitSunset?: boolean } = {},
): Record<string, string> {
  const { versions, deprecation } = wire.profile;
  if (!deprecation.deprecatedVersions.includes(version)) return {};
  const headers: Record<string, string> = { deprecation: deprecatedSince, ...(options.omitSunset ? {} : { sunset }) };
  const successor = versions.toReversed().find((candidate) => !deprecation.deprecatedVersions.includes(candidate));
  if (successor) {
    const pathAction = wire.profile.requests.action.in === 'path' ? (action ?? route.pathAction ?? null) : null;
    const path = wire.path({ endpoint: route.endpoint, actionKey: action ?? 'check-status' }, successor, route.id, pathAction);
    const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
    headers.link = `<${path}${query}>; rel="successor-version"`;
  }
  return headers;
}
