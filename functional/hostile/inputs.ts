import { exportSPKI, importJWK, type JWK, SignJWT, UnsecuredJWT } from 'jose';
import { type Catalog, type Operation, operationOfRow, type Row } from '../../fixtures/catalog/model.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { fieldsInQuery, type HttpRequestSpec, type Wire } from '../../fixtures/profile/wire.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';

/**
 * The hostile inputs: what a careless or hostile client sends, one kind at a time, each turned from a
 * request the target would accept (the operation's own, in the target's wire conventions) into one it
 * must refuse. Sources: RFC 7519 / RFC 8725 (JWT best practices: `alg: none`, algorithm confusion,
 * `iss`, `nbf`, `exp`), RFC 6750 §2 (a bearer token belongs in the Authorization header), RFC 9110
 * §5.3 (Authorization is a singleton field), OWASP XXE and XML entity expansion, RFC 9110 §15.5.14
 * (413), OWASP API8 (injection, path traversal).
 */
export const hostileKinds = [
  'alg-none',
  'hs256-with-public-key',
  'wrong-issuer',
  'future-nbf',
  'no-exp',
  'token-in-query',
  'two-authorizations',
  'cr-in-header-value',
  'xml-dtd',
  'xml-external-entity',
  'xml-billion-laughs',
  'xml-large-entity',
  'body-too-large',
  'deep-json',
  'invalid-utf8',
  'wrong-types',
  'missing-fields',
  'unknown-fields',
  'unknown-query-fields',
  'sql-injection-id',
  'path-traversal-id',
  'encoded-slash-id',
  'thousand-query-parameters',
] as const;
export type HostileKind = (typeof hostileKinds)[number];

/** What each kind is, in a test title's words. */
export const describeKind: Record<HostileKind, string> = {
  'alg-none': 'an unsigned token (alg: none)',
  'hs256-with-public-key': 'a token signed HS256 with the issuer’s public key (algorithm confusion)',
  'wrong-issuer': 'a token of another issuer',
  'future-nbf': 'a token not valid before an hour from now',
  'no-exp': 'a token without exp',
  'token-in-query': 'a valid token in the query string instead of the Authorization header',
  'two-authorizations': 'two Authorization headers, a valid one first',
  'cr-in-header-value': 'a bare CR inside the Authorization header’s value (header splitting)',
  'xml-dtd': 'an XML body with a DTD',
  'xml-external-entity': 'an XML body with an external entity (XXE)',
  'xml-billion-laughs': 'an XML body with nested entity expansion (billion laughs)',
  'xml-large-entity': 'an XML body with one large internal entity referenced a thousand times',
  'body-too-large': 'a body one byte over the profile’s size limit (requests.maxBodyBytes, 1 MiB by default)',
  'deep-json': 'a JSON body nested 10 000 deep',
  'invalid-utf8': 'a JSON body that is not UTF-8',
  'wrong-types': 'fields of the wrong types',
  'missing-fields': 'a create without its required fields',
  'unknown-fields': 'fields the resource does not have',
  'unknown-query-fields': 'query fields the resource does not have',
  'sql-injection-id': 'an id built for SQL injection',
  'path-traversal-id': 'an id that climbs out of the path (../)',
  'encoded-slash-id': 'an id with an encoded slash (%2F)',
  'thousand-query-parameters': 'a thousand query parameters',
};

/** The statuses that refuse a kind correctly: 401 for tokens (RFC 6750 §3.1), 413 for size (RFC 9110 §15.5.14), a 4xx otherwise. */
export const refusals: Record<HostileKind, readonly number[]> = {
  'alg-none': [401],
  'hs256-with-public-key': [401],
  'wrong-issuer': [401],
  'future-nbf': [401],
  'no-exp': [401],
  'token-in-query': [401],
  'two-authorizations': [400, 401],
  // RFC 9112 §2.2: a bare CR makes the field invalid (400, often the HTTP parser's own answer) or is replaced by SP,
  // which leaves a token followed by junk: 401.
  'cr-in-header-value': [400, 401],
  'xml-dtd': [400],
  'xml-external-entity': [400],
  'xml-billion-laughs': [400],
  'xml-large-entity': [400],
  'body-too-large': [413],
  'deep-json': [400, 422],
  'invalid-utf8': [400, 415, 422],
  'wrong-types': [400, 422],
  'missing-fields': [400, 422],
  'unknown-fields': [400, 422],
  'unknown-query-fields': [400, 422],
  'sql-injection-id': [400, 404],
  'path-traversal-id': [400, 404],
  'encoded-slash-id': [400, 404],
  'thousand-query-parameters': [400, 414],
};

const bodyActions = new Set(['create', 'update-config']);
type Requests = Pick<TargetProfile['requests'], 'bodylessFields'>;

/**
 * The campaign's plan: one hostile input per catalog row, the kinds spread evenly over the rows they apply to
 * (each row takes the applicable kind used least so far), applicability judged under the profile's
 * `bodylessFields` (GET and DELETE carry their fields in the query by default).
 */
export function hostilePlan(
  catalog: Catalog,
  bodylessFields: 'query' | 'body' = 'query',
): { row: Row; operation: Operation; kind: HostileKind }[] {
  const used = new Map<HostileKind, number>(hostileKinds.map((kind) => [kind, 0]));
  const onOperation = new Map<string, Set<HostileKind>>();
  return catalog.rows.map((row) => {
    const operation = operationOfRow(catalog, row);
    const tried = onOperation.get(operation.id) ?? new Set<HostileKind>();
    const kinds = kindsFor(operation, { bodylessFields });
    // A kind the operation has not had yet first (its several rows try different inputs), then the kind used least.
    const rank = (kind: HostileKind) => (tried.has(kind) ? 1000 : 0) + (used.get(kind) ?? 0);
    const kind = [...kinds].sort((a, b) => rank(a) - rank(b))[0] as HostileKind;
    used.set(kind, (used.get(kind) ?? 0) + 1);
    onOperation.set(operation.id, tried.add(kind));
    return { row, operation, kind };
  });
}

/** Whether a request of the operation carries a body under the profile's `requests.bodylessFields`. */
const carriesBody = (operation: Operation, requests: Requests) =>
  bodyActions.has(operation.actionKey) && !fieldsInQuery(operation, requests);

/** The kinds that apply to an operation: tokens and query parameters to all, bodies to those with a body, XML where the row promises it, ids where a record is named. */
export function kindsFor(operation: Operation, requests: Requests): HostileKind[] {
  const body = carriesBody(operation, requests);
  const xml = body && operation.notes.includes('formats');
  const namesRecord = operation.actionKey !== 'create' && operation.actionKey !== 'export';
  return hostileKinds.filter((kind) => {
    if (kind.startsWith('xml-')) return xml;
    if (['body-too-large', 'deep-json', 'invalid-utf8', 'wrong-types', 'unknown-fields'].includes(kind)) return body;
    // GET and DELETE under a query profile carry their fields in the query string: unknown ones there, on creates
    // only (a record's fields are a closed set; an update-config's query parameters are its settings, any name).
    if (kind === 'unknown-query-fields') return operation.actionKey === 'create' && fieldsInQuery(operation, requests);
    if (kind === 'missing-fields') return body && operation.actionKey === 'create';
    if (kind.endsWith('-id')) return namesRecord;
    return true;
  });
}

/** A request to send as it is: headers as a list (a name may repeat), the body as bytes. */
export interface RawRequest {
  method: string;
  path: string;
  query: [string, string][];
  headers: [string, string][];
  body: Buffer | undefined;
}

/** What a hostile request is made from: the accepted request, the client's valid token, and the target (issuer, JWKS). */
export interface HostileContext {
  operation: Operation;
  wire: Wire;
  target: TargetDescription;
  /** The request the target accepts, in its wire conventions, with the valid Authorization header. */
  valid: HttpRequestSpec;
  /** The client's valid bearer token. */
  token: string;
  /** The API version of the accepted request. */
  version: string;
  /** The issuer's JSON Web Key Set. */
  jwks: () => Promise<{ keys: JWK[] }>;
  clientId: string;
}

const withoutAuthorization = (headers: Record<string, string>) =>
  Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization') as [string, string][];

/** Claims of a token that looks like the issuer's for this client, every scope included. */
function claims(context: HostileContext) {
  const client = context.target.clients.find((candidate) => candidate.clientId === context.clientId);
  return { client_id: context.clientId, scope: client?.scopes.join(' ') ?? '', jti: crypto.randomUUID() };
}

async function forgedToken(kind: HostileKind, context: HostileContext): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { target } = context;
  if (kind === 'alg-none')
    return new UnsecuredJWT(claims(context))
      .setIssuer(target.issuer)
      .setAudience(target.audience)
      .setSubject(context.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .encode();
  const secretOrKey =
    kind === 'hs256-with-public-key' ? new TextEncoder().encode(await publicKeyPem(context)) : crypto.getRandomValues(new Uint8Array(32));
  let jwt = new SignJWT(claims(context))
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setAudience(target.audience)
    .setSubject(context.clientId)
    .setIssuedAt(now)
    .setIssuer(kind === 'wrong-issuer' ? 'https://issuer.attacker.example' : target.issuer);
  if (kind !== 'no-exp') jwt = jwt.setExpirationTime(now + 600);
  if (kind === 'future-nbf') jwt = jwt.setNotBefore(now + 3600);
  return jwt.sign(secretOrKey);
}

/** The issuer's first signing key as PEM (SPKI): the bytes an algorithm-confusion attack uses as an HMAC secret. */
async function publicKeyPem(context: HostileContext): Promise<string> {
  const { keys } = await context.jwks();
  const jwk = keys.find((key) => key.kty === 'RSA' || key.kty === 'EC');
  if (!jwk) return 'no-public-key-published';
  const key = await importJWK({ ...jwk, ext: true }, jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : 'ES256'));
  return exportSPKI(key as Parameters<typeof exportSPKI>[0]);
}

/** Entity-expansion bodies (OWASP XML External Entity Prevention): each must be refused before any expansion. */
function hostileXml(kind: HostileKind, root: string): string {
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>';
  switch (kind) {
    case 'xml-dtd':
      return `${declaration}<!DOCTYPE ${root} [<!ELEMENT ${root} ANY>]><${root}><name>dtd</name></${root}>`;
    case 'xml-external-entity':
      return `${declaration}<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><${root}><name>&xxe;</name></${root}>`;
    case 'xml-billion-laughs': {
      const levels = Array.from({ length: 9 }, (_, level) =>
        level === 0 ? '<!ENTITY lol0 "lol">' : `<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`,
      );
      return `${declaration}<!DOCTYPE ${root} [${levels.join('')}]><${root}><name>&lol8;</name></${root}>`;
    }
    default: {
      const large = 'x'.repeat(100_000);
      return `${declaration}<!DOCTYPE ${root} [<!ENTITY big "${large}">]><${root}><name>${'&big;'.repeat(1000)}</name></${root}>`;
    }
  }
}

/** The field values of the wrong type for every field of the valid body: strings become objects, numbers strings. */
function wrongTypes(body: string | undefined): string {
  const fields = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const wrong = (value: unknown): unknown =>
    typeof value === 'string' ? { not: 'a string' } : typeof value === 'number' ? 'not a number' : typeof value === 'object' ? 42 : [value];
  return JSON.stringify(Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, wrong(value)])));
}

/**
 * The hostile request of one kind, made from the operation's accepted request. The request id header
 * of the accepted request is kept, so that the check finds its log entry and its events.
 */
export async function hostileRequest(kind: HostileKind, context: HostileContext): Promise<RawRequest> {
  const { valid, wire } = context;
  const headers = Object.entries(valid.headers) as [string, string][];
  const base: RawRequest = {
    method: valid.method,
    path: valid.path,
    query: [...valid.query],
    headers,
    body: valid.body === undefined ? undefined : Buffer.from(valid.body),
  };
  const json = (text: string): RawRequest => ({
    ...base,
    headers: [...headers.filter(([name]) => name.toLowerCase() !== 'content-type'), ['content-type', mediaTypes.json]],
    body: Buffer.from(text),
  });
  switch (kind) {
    case 'alg-none':
    case 'hs256-with-public-key':
    case 'wrong-issuer':
    case 'future-nbf':
    case 'no-exp':
      return {
        ...base,
        headers: [...withoutAuthorization(valid.headers), ['authorization', `Bearer ${await forgedToken(kind, context)}`]],
      };
    case 'token-in-query':
      return { ...base, headers: withoutAuthorization(valid.headers), query: [...base.query, ['access_token', context.token]] };
    case 'cr-in-header-value':
      return {
        ...base,
        headers: [...withoutAuthorization(valid.headers), ['authorization', `Bearer ${context.token}\rX-Injected-By: td448-suite`]],
      };
    case 'two-authorizations':
      return { ...base, headers: [...headers, ['authorization', `Bearer ${await forgedToken('alg-none', context)}`]] };
    case 'xml-dtd':
    case 'xml-external-entity':
    case 'xml-billion-laughs':
    case 'xml-large-entity':
      return {
        ...base,
        headers: [
          ...headers.filter(([name]) => !['content-type', 'accept'].includes(name.toLowerCase())),
          ['content-type', mediaTypes.xml],
          ['accept', mediaTypes.json],
        ],
        body: Buffer.from(hostileXml(kind, wire.profile.requests.xmlRoot)),
      };
    case 'body-too-large':
      // The smallest JSON body over the profile's limit (`{"padding":"…"}` is 14 bytes around the padding: one byte over).
      return json(`{"padding":"${'x'.repeat(wire.profile.requests.maxBodyBytes - 13)}"}`);
    case 'deep-json':
      return json(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    case 'invalid-utf8':
      return {
        ...json(''),
        body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]), Buffer.from('"}')]),
      };
    case 'wrong-types':
      return json(wrongTypes(valid.body));
    case 'missing-fields':
      return json('{}');
    case 'unknown-fields': {
      const fields = valid.body ? (JSON.parse(valid.body) as Record<string, unknown>) : {};
      return json(JSON.stringify({ ...fields, isAdmin: true, __proto__extra: 'x', owner: 'attacker' }));
    }
    case 'unknown-query-fields':
      return { ...base, query: [...base.query, ['isAdmin', 'true'], ['owner', 'attacker']] };
    case 'sql-injection-id':
    case 'path-traversal-id':
    case 'encoded-slash-id': {
      const id =
        kind === 'sql-injection-id'
          ? "1' OR '1'='1'; DROP TABLE records; --"
          : kind === 'path-traversal-id'
            ? '../../admin/transactions'
            : 'a/../../b';
      // The profile's own item path with the hostile id (percent-encoded once, as a client would), wherever the id sits.
      return { ...base, path: wire.path(context.operation, context.version, id) };
    }
    case 'thousand-query-parameters':
      return { ...base, query: [...base.query, ...Array.from({ length: 1000 }, (_, index): [string, string] => [`p${index}`, 'x'])] };
  }
}
