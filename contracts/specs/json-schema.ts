import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1 and of AsyncAPI 3 payloads. */
export function jsonSchemaOf(schema: z.ZodType, description?: string): JsonSchema {
  const { $schema: _dialect, ...body } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
    io: 'output',
  }) as JsonSchema;
  return description ? { description, ...body } : body;
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
