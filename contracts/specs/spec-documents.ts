import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Parser as AsyncApiParser } from '@asyncapi/parser';
import { compileErrors, validate as validateOpenApiDocument } from '@readme/openapi-parser';
import type { Catalog } from '../../fixtures/catalog/model.ts';
import { asyncApiDocument } from './asyncapi.ts';
import { openApiDocument } from './openapi.ts';

/** The committed documents users import into their own tools; `node scripts/contracts.ts specs` regenerates them. */
export const specFiles = {
  openapi: fileURLToPath(new URL('./td448.openapi.json', import.meta.url)),
  asyncapi: fileURLToPath(new URL('./td448.asyncapi.json', import.meta.url)),
} as const;

export type SpecKind = keyof typeof specFiles;

export const serialize = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

export function generateSpecs(catalog: Catalog): Record<SpecKind, string> {
  return { openapi: serialize(openApiDocument(catalog)), asyncapi: serialize(asyncApiDocument(catalog)) };
}

export function writeSpecs(catalog: Catalog): Record<SpecKind, string> {
  const texts = generateSpecs(catalog);
  for (const kind of Object.keys(specFiles) as SpecKind[]) writeFileSync(specFiles[kind], texts[kind]);
  return specFiles;
}

export const readSpec = (kind: SpecKind) => readFileSync(specFiles[kind], 'utf8');

/** What the official parser of each format says; `errors` empty means the document is valid. */
export interface SpecValidation {
  errors: string[];
  warnings: string[];
}

export async function validateOpenApi(text: string): Promise<SpecValidation> {
  const result = await validateOpenApiDocument(JSON.parse(text));
  return { errors: result.valid ? [] : [compileErrors(result)], warnings: result.warnings.map((warning) => warning.message) };
}

/** Spectral severities: 0 error, 1 warning, 2 information, 3 hint. */
export async function validateAsyncApi(text: string): Promise<SpecValidation> {
  const diagnostics = await new AsyncApiParser().validate(text);
  const describe = (diagnostic: (typeof diagnostics)[number]) =>
    `${diagnostic.code}: ${diagnostic.message} at ${diagnostic.path.join('.')}`;
  return {
    errors: diagnostics.filter((diagnostic) => diagnostic.severity === 0).map(describe),
    warnings: diagnostics.filter((diagnostic) => diagnostic.severity === 1).map(describe),
  };
}
