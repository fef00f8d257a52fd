import { MatchersV3, XmlBuilder, type XmlElement } from '@pact-foundation/pact';
import type { z } from 'zod';
import type { Operation } from '../../fixtures/catalog/model.ts';
import { promised } from '../../fixtures/catalog/vocabulary.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import type { Wire } from '../../fixtures/profile/wire.ts';
import { placeholderBearerToken } from '../../fixtures/secrets/detect.ts';

const { rateLimitPerMinute } = promised;

/**
 * Every Pact matcher of the contracts, in one module. Body matchers are derived from the suite's
 * zod schemas, so a contract states exactly what the schemas state: types, patterns, enums, formats.
 */

const { regex, integer, number, boolean, string, equal, like, eachLike, datetime, date, uuid } = MatchersV3;

/** The subset of zod's definition objects this module reads. */
type Check = { _zod: { def: { check: string; format?: string; pattern?: RegExp } } };
type Def = {
  type: string;
  format?: string;
  pattern?: RegExp;
  checks?: Check[];
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
};
const defOf = (schema: z.ZodType) => schema._zod.def as unknown as Def;

/** JSON keeps each scalar's type; XML text and query strings carry every scalar as a string. */
export type Flavour = 'json' | 'text';

const isoDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSX";
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (values: readonly unknown[]) => `^(${values.map((value) => escapeRegex(String(value))).join('|')})$`;

/** The string values a schema allows, when it is an enum, a literal or a union of them. */
function closedValues(schema: z.ZodType): unknown[] | undefined {
  const def = defOf(schema);
  if (def.type === 'enum') return Object.values(def.entries ?? {});
  if (def.type === 'literal') return def.values;
  if (def.type === 'union') {
    const parts = (def.options ?? []).map(closedValues);
    return parts.every((part) => part !== undefined) ? parts.flat() : undefined;
  }
  return undefined;
}

const isInteger = (def: Def) => def.format?.includes('int') || def.checks?.some((check) => check._zod.def.format?.includes('int'));

function stringMatcher(def: Def, example: string) {
  const format = def.format ?? def.checks?.find((check) => check._zod.def.check === 'string_format')?._zod.def.format;
  if (format === 'datetime') return datetime(isoDateTimeFormat, example);
  if (format === 'date') return date('yyyy-MM-dd', example);
  if (format === 'uuid') return uuid(example);
  const pattern = def.pattern ?? def.checks?.find((check) => check._zod.def.pattern)?._zod.def.pattern;
  return pattern ? regex(pattern.source, example) : string(example);
}

function scalarMatcher(schema: z.ZodType, example: unknown, flavour: Flavour): unknown {
  const def = defOf(schema);
  const values = closedValues(schema);
  if (values) return values.length === 1 && flavour === 'json' ? equal(example) : regex(anyOf(values), String(example));
  switch (def.type) {
    case 'string':
      return stringMatcher(def, String(example));
    case 'number':
      if (flavour === 'text') return regex(isInteger(def) ? '^-?\\d+$' : '^-?\\d+(\\.\\d+)?$', String(example));
      return isInteger(def) ? integer(Number(example)) : number(Number(example));
    case 'boolean':
      return flavour === 'text' ? regex('^(true|false)$', String(example)) : boolean(Boolean(example));
    default:
      return textLike(example, flavour);
  }
}

/** A value of a schema that names no type (unknown, a union of types): matched by the example's own type. */
function textLike(example: unknown, flavour: Flavour): unknown {
  if (flavour === 'json') return like(example);
  if (typeof example === 'number') return regex(Number.isInteger(example) ? '^-?\\d+$' : '^-?\\d+(\\.\\d+)?$', String(example));
  if (typeof example === 'boolean') return regex('^(true|false)$', String(example));
  return string(String(example));
}

const unwrap = (schema: z.ZodType): z.ZodType => {
  const def = defOf(schema);
  return (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType ? unwrap(def.innerType) : schema;
};

/** The fields of an object or record schema, each with its own schema, for the keys the example has. */
function fieldsOf(schema: z.ZodType | undefined, example: Record<string, unknown>): [string, z.ZodType | undefined, unknown][] {
  const def = schema && defOf(schema);
  return Object.entries(example).map(([key, value]) => [key, def?.type === 'record' ? def.valueType : def?.shape?.[key], value]);
}

/**
 * A JSON template for `example` with a matcher on every leaf, taken from `schema`:
 * regexes for patterns and enums, integer/number/boolean types, date-time and uuid formats.
 */
export function bodyMatchers(schema: z.ZodType | undefined, example: unknown, flavour: Flavour = 'json'): unknown {
  const inner = schema && unwrap(schema);
  const def = inner && defOf(inner);
  if (Array.isArray(example)) {
    const element = def?.type === 'array' ? def.element : undefined;
    return eachLike(bodyMatchers(element, example[0], flavour), 1);
  }
  if (example !== null && typeof example === 'object') {
    return Object.fromEntries(
      fieldsOf(inner, example as Record<string, unknown>).map(([key, field, value]) => [key, bodyMatchers(field, value, flavour)]),
    );
  }
  return inner ? scalarMatcher(inner, example, flavour) : textLike(example, flavour);
}

/** Array style in XML: the request repeats the element (`<steps>a</steps><steps>b</steps>`), the response wraps items (`<steps><item>a</item></steps>`). */
export type XmlArrays = 'repeated' | 'wrapped';

const noAttributes = new Map<string, string>();

function appendXml(parent: XmlElement, name: string, schema: z.ZodType | undefined, example: unknown, arrays: XmlArrays) {
  const inner = schema && unwrap(schema);
  const def = inner && defOf(inner);
  if (Array.isArray(example)) {
    const element = def?.type === 'array' ? def.element : undefined;
    const item = (el: XmlElement) => fillXml(el, element, example[0], arrays);
    if (arrays === 'repeated') parent.eachLike(name, noAttributes, item, { examples: example.length });
    else parent.appendElement(name, noAttributes, (list) => list.eachLike('item', noAttributes, item, { examples: example.length }));
    return;
  }
  parent.appendElement(name, noAttributes, (el) => fillXml(el, inner, example, arrays));
}

function fillXml(element: XmlElement, schema: z.ZodType | undefined, example: unknown, arrays: XmlArrays) {
  if (example !== null && typeof example === 'object' && !Array.isArray(example)) {
    for (const [key, field, value] of fieldsOf(schema, example as Record<string, unknown>)) appendXml(element, key, field, value, arrays);
    return;
  }
  element.appendText(bodyMatchers(schema, example, 'text') as ReturnType<typeof string>);
}

/** An XML body with matchers: the root element holds the example's fields, as `schema` types them. */
export function xmlBodyMatchers(root: string, schema: z.ZodType | undefined, example: Record<string, unknown>, arrays: XmlArrays): string {
  return new XmlBuilder('1.0', 'UTF-8', root).build((element) => fillXml(element, schema, example, arrays));
}

/** Query parameters as the gateway reads them: every value a string, a repeated key for an array. */
export function queryMatchers(schema: z.ZodType | undefined, pairs: readonly [string, string][], example: Record<string, unknown>) {
  const query: Record<string, unknown[]> = {};
  const fields = Object.fromEntries(fieldsOf(schema, example).map(([key, field]) => [key, field]));
  for (const [key, value] of pairs) {
    const field = fields[key];
    const fieldDef = field && defOf(unwrap(field));
    const element = fieldDef?.type === 'array' ? fieldDef.element : field;
    const typed = typeof example[key] === 'number' || typeof example[key] === 'boolean' ? example[key] : value;
    query[key] = [...(query[key] ?? []), bodyMatchers(element, typed, 'text')];
  }
  return query as Record<string, ReturnType<typeof string>[]>;
}

/** The path of an item under the profile's item template (`/v2/customer/update/{id}`): any id; the example's by default. */
export function itemPathPattern(wire: Wire, operation: Pick<Operation, 'endpoint' | 'actionKey'>, version: string): string {
  const marker = 'td448-any-id';
  return `^${escapeRegex(wire.path(operation, version, marker)).replace(marker, '[^/?]+')}$`;
}
export const itemPathMatcher = (pattern: string, examplePath: string) => regex(pattern, examplePath);

const httpDate = '[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT';

/** The rate-limit headers of the profile's generation on an answer of a limited operation; `exhausted` on a 429. */
export function rateLimitMatchers(wire: Wire, exhausted: boolean): Record<string, unknown> {
  switch (wire.profile.rateLimit.headers) {
    case 'ietf-structured':
      return {
        'ratelimit-policy': headerMatchers.rateLimitPolicy,
        ratelimit: exhausted ? headerMatchers.rateLimitExhausted : headerMatchers.rateLimit,
      };
    case 'ietf-legacy':
    case 'x-ratelimit': {
      const prefix = wire.profile.rateLimit.headers === 'x-ratelimit' ? 'x-ratelimit' : 'ratelimit';
      return {
        [`${prefix}-limit`]: regex(`^${rateLimitPerMinute}(\\s*[,;].*)?$`, String(rateLimitPerMinute)),
        [`${prefix}-remaining`]: exhausted ? equal('0') : regex('^\\d+$', String(rateLimitPerMinute - 1)),
        [`${prefix}-reset`]: regex('^\\d+$', '42'),
      };
    }
  }
}

/** Retry-After (RFC 9110 §10.2.3) in the profile's form: delay-seconds, an HTTP-date, or either. */
export function retryAfterMatcher(wire: Wire) {
  switch (wire.profile.rateLimit.retryAfter) {
    case 'seconds':
      return headerMatchers.retryAfter;
    case 'http-date':
      return regex(`^${httpDate}$`, 'Wed, 30 Jun 2027 00:00:42 GMT');
    case 'either':
      return regex(`^(\\d+|${httpDate})$`, '42');
  }
}

/**
 * What the pact shows as the token; the verifier sends a real one of the contracts' client instead. A placeholder
 * no secret scanner takes for a credential (a JWT-shaped example would be flagged wherever the pact is published).
 */
export const exampleAuthorization = `Bearer ${placeholderBearerToken}`;

/**
 * Header matchers: what the consumer relies on in each header, never a literal that changes per request.
 * Pact's regex matcher must match the whole value.
 */
export const headerMatchers = {
  bearerToken: regex('^Bearer [A-Za-z0-9\\-._~+/]+=*$', exampleAuthorization),
  requestId: (example: string) => regex('^[A-Za-z0-9._:-]{1,128}$', example),
  /**
   * The gateway propagates the caller's request id. A verifier makes each id unique with a `.suffix`
   * (the target's downstream counts induced failures per request id), so the suffix may follow.
   */
  sameRequestId: (sent: string) => regex(`^${escapeRegex(sent)}(\\.[0-9a-z]+)?$`, sent),
  traceparent: (example: string) => regex('^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$', example),
  /** The gateway continues the caller's trace: same trace id, a span of its own. */
  sameTrace: (traceId: string, example: string) => regex(`^00-${traceId}-[0-9a-f]{16}-[0-9a-f]{2}$`, example),
  mediaType: (type: string) => regex(`^${escapeRegex(type)}(\\s*;.*)?$`, `${type}; charset=utf-8`),
  location: (pattern: string, example: string) => regex(pattern, example),
  rateLimitPolicy: regex(`^"[^"]+";q=${rateLimitPerMinute};w=60$`, `"per-client";q=${rateLimitPerMinute};w=60`),
  rateLimit: regex('^"[^"]+";r=\\d+;t=\\d+$', `"per-client";r=${rateLimitPerMinute - 1};t=60`),
  rateLimitExhausted: regex('^"[^"]+";r=0;t=\\d+$', '"per-client";r=0;t=42'),
  retryAfter: regex('^\\d+$', '42'),
  attempts: (allowed: string, example: string) => regex(`^(${allowed})$`, example),
  bearerChallenge: (error?: string) =>
    regex(
      error ? `^Bearer .*error="${error}".*$` : '^Bearer( .*)?$',
      error ? `Bearer realm="td448", error="${error}"` : 'Bearer realm="td448"',
    ),
  /** RFC 9745: `@<epoch seconds>`. */
  deprecation: regex('^@\\d+$', '@1767225600'),
  /** RFC 8594: an IMF-fixdate. */
  sunset: regex('^[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$', 'Wed, 30 Jun 2027 00:00:00 GMT'),
  successorVersion: (v2Path: string) =>
    regex(`^<${escapeRegex(v2Path)}(\\?[^>]*)?>;\\s*rel="successor-version"$`, `<${v2Path}>; rel="successor-version"`),
  literal: (value: string) => equal(value),
};

/**
 * The metadata of a CloudEvent in binary content mode (CloudEvents Kafka protocol binding §3.2): each
 * attribute a `ce_` header (the correlation attribute under the profile's name), the data's content type,
 * the request id and trace headers.
 */
export function binaryEventMetadataMatchers(
  topic: string,
  example: { id: string; source: string; type: string; subject: string; time: string; requestid: string; traceparent: string },
  profile: Pick<TargetProfile, 'events' | 'headers'>,
): Record<string, unknown> {
  return {
    topic: equal(topic),
    'content-type': equal('application/json'),
    ce_specversion: equal('1.0'),
    ce_id: regex('^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', example.id),
    ce_source: equal(example.source),
    ce_type: equal(example.type),
    ce_subject: regex('^.+$', example.subject),
    ce_time: regex('^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$', example.time),
    [`ce_${profile.events.correlation}`]: headerMatchers.requestId(example.requestid),
    ce_traceparent: headerMatchers.traceparent(example.traceparent),
    [profile.headers.requestId.toLowerCase()]: headerMatchers.requestId(example.requestid),
    traceparent: headerMatchers.traceparent(example.traceparent),
  };
}

/** Problem details (RFC 9457): the consumer relies on the problem type that names the failure, the status and a title. */
export function problemMatchers(slugPattern: string, status: number, exampleSlug: string) {
  return {
    type: regex(`^\\S+/(${slugPattern})$`, `https://td448.example/problems/${exampleSlug}`),
    title: string('Problem title'),
    status: equal(status),
    detail: string('what went wrong'),
  };
}

/**
 * The event's Kafka topic and headers, as message metadata: the content type of a structured CloudEvent (a
 * binary-mode event is stated in its structured form), the request id under the profile's header name, the trace.
 */
export const eventMetadataMatchers = (topic: string, requestId: string, traceparent: string, requestIdHeader = 'x-request-id') => ({
  topic: equal(topic),
  'content-type': equal('application/cloudevents+json'),
  [requestIdHeader.toLowerCase()]: headerMatchers.requestId(requestId),
  traceparent: headerMatchers.traceparent(traceparent),
});
