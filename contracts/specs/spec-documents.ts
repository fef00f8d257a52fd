import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser as AsyncApiParser } from '@asyncapi/parser';
import { compileErrors, validate as validateOpenApiDocument } from '@readme/openapi-parser';
import type { Catalog } from '../../fixtures/catalog/model.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { Wire } from '../../fixtures/profile/wire.ts';
import { asyncApiDocument, type EventChannel, referenceChannel } from './asyncapi.ts';
import { openApiDocuments } from './openapi.ts';

/** Where the committed documents are: those of the reference profile, which users import into their own tools. */
export const specsDir = fileURLToPath(new URL('.', import.meta.url));

export type SpecKind = 'openapi' | 'asyncapi';

/** One generated document: its file name, format and text. */
export interface SpecDocument {
  name: string;
  kind: SpecKind;
  text: string;
}

export const serialize = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

/**
 * Every document of a profile (the reference profile's by default): its OpenAPI documents (one, or one
 * per catalog action: contracts/specs/openapi.ts says when) and its AsyncAPI document on `channel` (the
 * target description's events topic and bootstrap servers; the embedded stack's by default).
 */
export function generateSpecs(
  catalog: Catalog,
  wire: Wire = new Wire(referenceProfile),
  channel: EventChannel = referenceChannel,
): SpecDocument[] {
  return [
    ...openApiDocuments(catalog, wire).map(({ name, document }) => ({ name, kind: 'openapi' as const, text: serialize(document) })),
    { name: 'td448.asyncapi.json', kind: 'asyncapi', text: serialize(asyncApiDocument(catalog, wire, channel)) },
  ];
}

/** Writes the documents into `dir` (the committed specs by default); returns their paths. */
export function writeSpecs(documents: SpecDocument[], dir = specsDir): string[] {
  mkdirSync(dir, { recursive: true });
  return documents.map((document) => {
    const file = join(dir, document.name);
    writeFileSync(file, document.text);
    return file;
  });
}

/** The committed text of a document, undefined when it is not there. */
export const readSpec = (name: string, dir = specsDir) => {
  const file = join(dir, name);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};

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

/** The validator of a document's format. */
export const validateSpec = (document: Pick<SpecDocument, 'kind' | 'text'>) =>
  document.kind === 'openapi' ? validateOpenApi(document.text) : validateAsyncApi(document.text);
