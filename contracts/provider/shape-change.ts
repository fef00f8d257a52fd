import type { Catalog } from '../../fixtures/catalog/model.ts';
import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { type HttpInteraction, httpInteractions } from '../interactions/http-interactions.ts';
import { rowPactToVerify } from './pacts-to-verify.ts';
import { type ShapeChange, startRewritingProxy } from './response-rewriting-proxy.ts';
import type { VerificationOutcome } from './verification-outcome.ts';
import type { VerificationRequest } from './verify-provider.ts';

/** Whether the field is in the interaction's expected answer: a JSON key, or an XML element (matchers are looked through). */
function answerNames(interaction: HttpInteraction, field: string): boolean {
  const body = interaction.response.body;
  if (!body) return false;
  const names = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(names);
    if (node === null || typeof node !== 'object') return false;
    const record = node as Record<string, unknown>;
    if ('pact:matcher:type' in record) return names(record.value);
    if ('json' in body) return Object.entries(record).some(([key, value]) => key === field || names(value));
    return record.name === field || names(record.children) || names(record.root);
  };
  return names('json' in body ? body.json : JSON.parse(body.xml));
}

export interface ShapeChangeReport {
  change: ShapeChange;
  outcome: VerificationOutcome;
  /** The interactions that must break: every successful answer of the changed endpoint that has the field. */
  expected: string[];
  /** Failed, though the change does not touch them. */
  brokeElsewhere: string[];
  /** Passed, though the change touches them. */
  survived: string[];
  rewrittenResponses: number;
}

/**
 * Verifies every row's HTTP pact against the target seen through a proxy that changes the response
 * shape of one endpoint, and compares what broke with what had to: exactly that endpoint's answers.
 */
export async function verifyShapeChange(
  verify: (request: VerificationRequest) => Promise<VerificationOutcome>,
  target: TargetDescription,
  catalog: Catalog,
  change: ShapeChange,
): Promise<ShapeChangeReport> {
  const expected = httpInteractions(catalog)
    .filter(
      (interaction) =>
        interaction.operation.endpoint === change.endpoint && interaction.response.status < 400 && answerNames(interaction, change.field),
    )
    .map((interaction) => interaction.description);
  const proxy = await startRewritingProxy(target.apiBaseUrl, change);
  try {
    const pactUrls = catalog.rows.map((row) => rowPactToVerify('http', row.number, target).file);
    const outcome = await verify({ kind: 'http', pactUrls, providerBaseUrl: proxy.url });
    const failed = new Set(outcome.interactions.filter((verdict) => !verdict.passed).map((verdict) => verdict.description));
    const mustFail = new Set(expected);
    return {
      change,
      outcome,
      expected,
      brokeElsewhere: [...failed].filter((description) => !mustFail.has(description)),
      survived: expected.filter((description) => !failed.has(description)),
      rewrittenResponses: proxy.rewritten(),
    };
  } finally {
    await proxy.close();
  }
}
