import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { z } from 'zod';
import { mediaTypes } from '../../fixtures/schemas/media-types.ts';

export class UnsafeXmlError extends Error {}
export class MalformedBodyError extends Error {}

/** The deepest nesting a JSON body may have: a record is two levels deep; V8's recursive parser overflows its stack near 10 000. */
export const maxJsonDepth = 32;

/** Parses a JSON body, refusing one nested deeper than maxJsonDepth before the parser sees it (MalformedBodyError). */
export function parseJson(text: string): unknown {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (++depth > maxJsonDepth) throw new MalformedBodyError(`the JSON body is nested deeper than ${maxJsonDepth} levels`);
    } else if (char === '}' || char === ']') depth--;
  }
  return JSON.parse(text);
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  ignoreDeclaration: true,
  // Element text is kept as sent (XML keeps whitespace in content); whitespace between child elements is dropped below.
  trimValues: false,
});

const predefined: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's predefined entities and character references in one pass (`&amp;#233;` stays `&#233;`). */
const decodeEntities = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]{1,6}|#[0-9]{1,7});/g, (whole, name: string) => {
    if (!name.startsWith('#')) return predefined[name] ?? whole;
    const codePoint = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
  });

/** Element values as sent: entities decoded, the indentation between child elements (`#text` of whitespace) left out. */
function textValues(value: unknown): unknown {
  if (typeof value === 'string') return decodeEntities(value);
  if (Array.isArray(value)) return value.map(textValues);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).filter(([key, text]) => !(key === '#text' && typeof text === 'string' && text.trim() === ''));
  return Object.fromEntries(entries.map(([key, text]) => [key, textValues(text)]));
}
const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false, arrayNodeName: 'item' });

/** Parses an XML body; a DTD or entity declaration is refused outright (no XXE, no billion laughs). */
export function parseXml(text: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new UnsafeXmlError('XML bodies may not contain a DTD or entity declarations');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new MalformedBodyError(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  const document = textValues(parser.parse(text)) as Record<string, unknown>;
  // An empty root element (<record/>) holds no fields, as `{}` in JSON.
  const roots = Object.values(document).map((root) => (root === '' ? {} : root));
  if (roots.length !== 1 || typeof roots[0] !== 'object' || roots[0] === null) {
    throw new MalformedBodyError('an XML body needs exactly one root element holding the fields');
  }
  return roots[0] as Record<string, unknown>;
}

/**
 * XML carries only text: bring each field to the type its zod schema expects
 * (numbers, booleans, repeated elements as arrays) before validation.
 */
export function coerceXmlFields(fields: Record<string, unknown>, schema: z.ZodObject): Record<string, unknown> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const coerced: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const type = shape[key]?.def.type;
    if (type === 'number' && typeof value === 'string' && value.trim() !== '') coerced[key] = Number(value);
    else if (type === 'boolean' && (value === 'true' || value === 'false')) coerced[key] = value === 'true';
    else if (type === 'array') coerced[key] = Array.isArray(value) ? value : value === '' ? [] : [value];
    else if (type === 'record' && typeof value === 'object' && value !== null)
      coerced[key] = coerceScalars(value as Record<string, unknown>);
    else coerced[key] = value;
  }
  return coerced;
}

export const coerceScalars = (fields: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      value === 'true'
        ? true
        : value === 'false'
          ? false
          : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
            ? Number(value)
            : value,
    ]),
  );

/** Arrays become repeated <item> elements under their field. */
const toXmlTree = (value: unknown): unknown => {
  if (Array.isArray(value)) return { item: value.map(toXmlTree) };
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toXmlTree(v)]));
  return value;
};

export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ [root]: toXmlTree(value) })}`;
}

export type Format = 'json' | 'xml';

/** Picks the response format from Accept; undefined means 406. */
export function negotiate(accept: string | undefined, supported: readonly Format[]): Format | undefined {
  if (!accept || accept.trim() === '') return 'json';
  const ranges = accept
    .split(',')
    .map((part) => {
      const [range = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { range: range.trim(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((item) => item.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { range } of ranges) {
    if (range === '*/*' || range === 'application/*') return supported[0];
    if ((range === mediaTypes.json || range === mediaTypes.problemJson || range.endsWith('+json')) && supported.includes('json'))
      return 'json';
    if ((range === mediaTypes.xml || range === 'text/xml' || range === mediaTypes.problemXml) && supported.includes('xml')) return 'xml';
  }
  return undefined;
}

export function requestFormat(contentType: string | undefined): Format | 'other' {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === mediaTypes.json || type.endsWith('+json')) return 'json';
  if (type === mediaTypes.xml || type === 'text/xml') return 'xml';
  return 'other';
}
