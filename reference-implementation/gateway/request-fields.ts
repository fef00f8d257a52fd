import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Operation } from '../../fixtures/catalog/model.ts';
import type { TargetProfile } from '../../fixtures/profile/profile.ts';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';
import { isResourceEndpoint, resourceBodies } from '../../fixtures/schemas/resources.ts';
import {
  coerceScalars,
  coerceXmlFields,
  type Format,
  MalformedBodyError,
  negotiate,
  parseJson,
  parseXml,
  requestFormat,
  UnsafeXmlError,
} from './formats.ts';
import { ProblemError } from './problem.ts';
import { queryFields } from './profile-routes.ts';

/** The formats an operation speaks: JSON and XML where its row says "Hỗ trợ JSON và XML", JSON only elsewhere. */
const formatsOf = (operation: Operation): Format[] => (operation.notes.includes('formats') ? ['json', 'xml'] : ['json']);

/** The answer's format from Accept (406 when the operation cannot serve it); remembered for the problem of a later refusal. */
export function negotiateFor(request: FastifyRequest, operation: Operation): Format {
  const supported = formatsOf(operation);
  const format = negotiate(request.headers.accept, supported);
  if (!format) {
    throw new ProblemError(
      406,
      'not-acceptable',
      'Not acceptable',
      `this operation answers in ${supported.map((f) => mediaTypes[f]).join(' or ')}`,
      { extensions: { supportedMediaTypes: supported.map((f) => mediaTypes[f]) } },
    );
  }
  request.td448Format = format;
  return format;
}

/**
 * The fields of a request, from its body (JSON or XML, whatever the XML root element) or, without a
 * body, from its query string less the parameter naming the action (the catalog has GETs that
 * create). Update-config's configuration arrives as `{config}` whatever member the profile names it
 * by (`requests.configField`), or as the fields themselves when they are not wrapped.
 */
export function readFields(request: FastifyRequest, operation: Operation, profile: TargetProfile): Record<string, unknown> | undefined {
  const configField = profile.requests.configField;
  const schema = isResourceEndpoint(operation.endpoint) ? (resourceBodies[operation.endpoint] as z.ZodObject) : undefined;
  const updatesConfig = operation.actionKey === 'update-config';
  const body = typeof request.body === 'string' ? request.body : '';
  if (body.trim() === '') {
    const query = queryFields(profile, request.query as Record<string, unknown>) as Record<string, string>;
    if (Object.keys(query).length === 0) return updatesConfig ? { config: undefined } : undefined;
    if (updatesConfig) return { config: coerceScalars(query) };
    return schema && operation.actionKey === 'create' ? coerceXmlFields(query, schema) : coerceScalars(query);
  }
  const kind = requestFormat(request.headers['content-type']);
  const supported = formatsOf(operation);
  if (kind === 'other' || !supported.includes(kind)) {
    throw new ProblemError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `send ${supported.map((f) => mediaTypes[f]).join(' or ')}`,
      {
        headers: { 'accept-post': supported.map((f) => mediaTypes[f]).join(', ') },
      },
    );
  }
  try {
    if (kind === 'json') {
      const parsed: unknown = parseJson(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new MalformedBodyError('a JSON body must be an object');
      const fields = parsed as Record<string, unknown>;
      if (!updatesConfig) return fields;
      if (!(configField in fields)) return { config: fields };
      refuseBeside(fields, configField);
      return { config: fields[configField] };
    }
    const fields = parseXml(body);
    const config = fields[configField];
    if (updatesConfig && typeof config === 'object' && config) {
      refuseBeside(fields, configField);
      return { config: coerceScalars(config as Record<string, unknown>) };
    }
    const coerced = schema ? coerceXmlFields(fields, schema) : fields;
    return updatesConfig ? { config: coerced } : coerced;
  } catch (error) {
    if (error instanceof UnsafeXmlError) throw new ProblemError(400, 'unsafe-xml', 'Unsafe XML refused', error.message);
    if (error instanceof MalformedBodyError) throw new ProblemError(400, 'malformed-body', 'Malformed body', error.message);
    if (error instanceof SyntaxError) throw new ProblemError(400, 'malformed-body', 'Malformed body', `malformed JSON: ${error.message}`);
    throw error;
  }
}

/** A wrapped configuration comes alone: a member beside it is refused (422), never dropped silently. */
function refuseBeside(fields: Record<string, unknown>, configField: string) {
  const beside = Object.keys(fields).filter((key) => key !== configField);
  if (beside.length > 0)
    throw new ProblemError(
      422,
      'invalid-body',
      'Invalid request body',
      `a configuration comes alone in "${configField}"; unknown members beside it: ${beside.join(', ')}`,
    );
}

/**
 * Fastify reads no body of a GET; under a profile whose GETs carry their fields in a body
 * (`requests.bodylessFields: body`) the gateway reads it itself, as text, up to `limit` bytes (413 beyond).
 */
export function registerGetBodies(app: FastifyInstance, limit: number) {
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'GET' || request.body !== undefined) return;
    if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) return;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request.raw) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new ProblemError(413, 'body-too-large', 'Request body too large', `the body exceeds ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    request.body = Buffer.concat(chunks).toString('utf8');
  });
}
