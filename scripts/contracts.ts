/**
 * node scripts/contracts.ts <command>
 *   specs [--target <file>] [--out <dir>]
 *                          regenerate contracts/specs/td448.*.json (the reference profile's) from the catalog, and validate
 *                          them; with --target, the documents of that deployment's profile, topic and brokers, into --out
 *   assemble               join the per-row pacts the consumer tests wrote into one pact per provider
 *   count                  interactions per row and messages per Kafka row in the assembled pacts
 *   verify [--broker]      verify the pacts against TD448_TARGET (or the embedded stack); with --broker, the broker's
 *                          pacts, publishing the results when PACT_PUBLISH_VERIFICATION_RESULTS=true
 *   shape-change [--endpoint /customer/update] [--field resource]
 *                          verify through a proxy that renames a field in one endpoint's answers: only that endpoint breaks
 * Pacts are the generated output of the contracts-consumer project (reports/output/pacts/).
 */
import { join, resolve } from 'node:path';
import { Argument } from 'commander';
import { brokerFromEnvironment, brokerVerificationOptions, versionFromGit } from '../contracts/broker/pact-broker.ts';
import { rowsWithEvents } from '../contracts/interactions/event-messages.ts';
import { pactToVerify } from '../contracts/provider/pacts-to-verify.ts';
import { verifyShapeChange } from '../contracts/provider/shape-change.ts';
import { describeFailures, failedRows } from '../contracts/provider/verification-outcome.ts';
import { providerVerifier, type VerificationRequest } from '../contracts/provider/verify-provider.ts';
import { specsDir } from '../contracts/specs/committed.ts';
import { assemblePact, interactionsPerRow, readPact } from '../contracts/support/pact-files.ts';
import { type PactKind, pactDir, pactFile, providerOf } from '../contracts/support/participants.ts';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { loadWire } from '../fixtures/profile/wire.ts';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import { generateSpecs, validateSpec, writeSpecs } from '../fixtures/specs/spec-documents.ts';
import { provideTarget } from '../fixtures/target/provide-target.ts';
import { profileOf, readTargetFile, resolvedTarget, TargetConfigError } from '../fixtures/target/resolve-target.ts';
import { cliCommand } from './cli.ts';

const subcommands = ['specs', 'assemble', 'count', 'verify', 'shape-change'];
const cli = cliCommand(
  'node scripts/contracts.ts',
  'The contract documents and pacts: specs regenerates and validates the OpenAPI and AsyncAPI documents; assemble joins the per-row pacts; count counts interactions per row; verify verifies the pacts against TD448_TARGET (or the embedded stack); shape-change verifies through a proxy that renames one field of one endpoint.',
  [
    'npm run contracts:specs',
    'npm run contracts:specs -- --target targets/my-deployment.json --out my-specs   # your deployment’s documents',
    'npm run contracts:verify',
    'npm run contracts:verify -- --broker             # the broker’s pacts (PACT_BROKER_BASE_URL)',
    'node scripts/contracts.ts shape-change --endpoint /invoice/export --field status',
  ],
)
  .addArgument(new Argument('<command>', 'what to do').choices(subcommands))
  .option('--broker', 'verify: the broker’s pacts, publishing results when PACT_PUBLISH_VERIFICATION_RESULTS=true')
  .option('--endpoint <endpoint>', 'shape-change: the endpoint whose answers are changed', '/customer/update')
  .option('--field <field>', 'shape-change: the field renamed', 'resource')
  .option('--target <file>', 'specs: the documents of this target description’s profile, events topic and brokers')
  .option('--out <dir>', 'specs: where the documents of --target go', 'reports/output/specs')
  .parse();
const values = cli.opts<{ broker?: boolean; endpoint: string; field: string; target?: string; out: string }>();
const catalog = loadCatalog();
const kinds: PactKind[] = ['http', 'events'];
const rowsOf = (kind: PactKind) => (kind === 'http' ? catalog.rows : rowsWithEvents(catalog)).map((row) => row.number);

async function withTarget<T>(run: (target: ReturnType<typeof resolvedTarget>) => Promise<T>): Promise<T> {
  const stop = await provideTarget(join(pactDir, 'target.json'), (line) => console.error(line));
  try {
    return await run(resolvedTarget());
  } finally {
    await stop();
  }
}

const commands: Record<string, () => Promise<number>> = {
  async specs() {
    let documents = generateSpecs(catalog);
    let files: string[];
    if (values.target) {
      let target: TargetDescription;
      try {
        target = readTargetFile(values.target);
      } catch (error) {
        if (!(error instanceof TargetConfigError)) throw error;
        console.error(error.message);
        return 2;
      }
      const wire = await loadWire(profileOf(target));
      documents = generateSpecs(catalog, wire, { topic: target.topics.events, bootstrap: target.kafkaBootstrap, security: target.kafka });
      files = writeSpecs(documents, resolve(values.out));
    } else files = writeSpecs(documents, specsDir);
    let invalid = 0;
    for (const [index, document] of documents.entries()) {
      const result = await validateSpec(document);
      invalid += result.errors.length;
      console.log(
        `${files[index]}: ${result.errors.length === 0 ? 'valid' : 'INVALID'}${result.warnings.length > 0 ? `, ${result.warnings.length} warnings` : ''}`,
      );
      for (const line of [...result.errors, ...result.warnings]) console.log(`  ${line}`);
    }
    return invalid === 0 ? 0 : 1;
  },

  async assemble() {
    for (const kind of kinds) {
      const { file, pact } = assemblePact(kind, rowsOf(kind));
      console.log(
        `${file}: ${pact.interactions.length} ${kind === 'http' ? 'interactions' : 'messages'} for ${interactionsPerRow(pact).size} rows`,
      );
    }
    return 0;
  },

  async count() {
    for (const kind of kinds) {
      const pact = readPact(pactFile(kind));
      const perRow = interactionsPerRow(pact);
      const expected = rowsOf(kind);
      const missing = expected.filter((row) => !perRow.has(row));
      const histogram = new Map<number, number>();
      for (const count of perRow.values()) histogram.set(count, (histogram.get(count) ?? 0) + 1);
      console.log(
        `${providerOf(kind)}: ${pact.interactions.length} ${pact.interactions[0]?.type ?? ''} interactions; rows with at least one: ${perRow.size} of ${expected.length}`,
      );
      console.log(
        `  per row: ${[...histogram.entries()]
          .sort(([a], [b]) => a - b)
          .map(([count, rows]) => `${rows} rows × ${count}`)
          .join(', ')}`,
      );
      if (missing.length > 0) console.log(`  MISSING rows: ${missing.join(', ')}`);
    }
    return 0;
  },

  async verify() {
    const broker = values.broker ? brokerFromEnvironment() : undefined;
    if (values.broker && !broker) throw new Error('--broker needs PACT_BROKER_BASE_URL and a token');
    return withTarget(async (target) => {
      const verifier = providerVerifier(target, catalog);
      let failed = 0;
      try {
        for (const kind of kinds) {
          const request: VerificationRequest = broker
            ? { kind, pactUrls: [], broker: brokerVerificationOptions(broker, versionFromGit()) }
            : { kind, pactUrls: [pactToVerify(kind, target).file] };
          const outcome = await verifier.verify(request);
          const passed = outcome.interactions.filter((verdict) => verdict.passed).length;
          console.log(
            `${providerOf(kind)}: ${passed}/${outcome.interactions.length} interactions verified in ${(outcome.durationMs / 1000).toFixed(1)} s`,
          );
          if (!outcome.passed) {
            failed++;
            console.log(`failed rows: ${failedRows(outcome).join(', ')}\n${describeFailures(outcome)}`);
          }
        }
      } finally {
        await verifier.close();
      }
      return failed === 0 ? 0 : 1;
    });
  },

  async 'shape-change'() {
    return withTarget(async (target) => {
      const verifier = providerVerifier(target, catalog);
      try {
        const change = { endpoint: values.endpoint, field: values.field, renamedTo: `${values.field}Renamed` };
        const report = await verifyShapeChange((request) => verifier.verify(request), target, catalog, change);
        const failed = report.outcome.interactions.filter((verdict) => !verdict.passed);
        console.log(`renamed "${change.field}" in ${report.rewrittenResponses} answers of ${change.endpoint}`);
        console.log(
          `${failed.length} of ${report.outcome.interactions.length} interactions failed, in rows ${failedRows(report.outcome).join(', ')}`,
        );
        console.log(
          `expected to fail: ${report.expected.length}; failed elsewhere: ${report.brokeElsewhere.length}; survived: ${report.survived.length}`,
        );
        for (const description of [...report.brokeElsewhere, ...report.survived]) console.log(`  ${description}`);
        return report.brokeElsewhere.length === 0 && report.survived.length === 0 ? 0 : 1;
      } finally {
        await verifier.close();
      }
    });
  },
};

const command = commands[cli.args[0] as string] as () => Promise<number>;
process.exitCode = await command();
