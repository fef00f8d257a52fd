import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1 and of AsyncAPI 3 payloads. */
export function jsonSchemaOf(schema: z.ZodType, description?: string): JsonSchema {
  const { $schema: _dialect, ...body } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
    io: 'output',
  }) as JsonSchema;
  withoutEmailFormat(body);
  return description ? { description, ...body } : body;
}

/**
 * zod's email check is its pattern, which the schema carries; `format: email` would promise RFC 5321 more
 * (a local part of at most 64 octets) than the pattern or the target checks, so tools validating answers by
 * format refuse what the target rightly accepted. The pattern stays the rule.
 */
function withoutEmailFormat(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  if (node.format === 'email' && typeof node.pattern === 'string') delete node.format;
  for (const value of Object.values(node)) withoutEmailFormat(value);
}

/** `/security/firewall/config` → `SecurityFirewallConfig`: a name for components and operation ids. */
export const pascalName = (endpoint: string) =>
  endpoint
    .split(/[/-]/)
    .filter((part) => part !== '')
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');

export const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers' | 'messages', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

/** Several schemas as one: the single one itself, or `oneOf`. */
export const oneOf = (schemas: JsonSchema[]): JsonSchema => (schemas.length === 1 ? (schemas[0] as JsonSchema) : { oneOf: schemas });
