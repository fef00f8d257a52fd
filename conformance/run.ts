import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Catalog } from '../fixtures/catalog/model.ts';
import type { OAuthClient } from '../fixtures/clients/oauth-client.ts';
import type { Wire } from '../fixtures/profile/wire.ts';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import { openApiDocuments, splitsByAction } from '../fixtures/specs/openapi.ts';
import { serialize } from '../fixtures/specs/spec-documents.ts';
import type { CreatedRecords } from '../fixtures/target/created-records.ts';
import type { ConformanceDepth } from './depth.ts';
import { readJunit } from './results.ts';
import { ensureSchemathesis } from './schemathesis.ts';

const hooksFile = new URL('./hooks.py', import.meta.url).pathname;

/**
 * Schemathesis checks left out when the profile's documents are split by action (fixtures/specs/openapi.ts):
 * each then lists only some of a path's methods, the others serving other actions, so "a method the document
 * does not list must get 405" and "Allow lists exactly the documented methods" cannot be judged from one
 * document. The functional suite's RESTful checks judge 405 and Allow against the catalog.
 */
export const splitDocumentExclusions = {
  unsupported_method: 'each document lists only its action’s methods of a path; the other methods serve other actions',
  allow_header_conformance: 'Allow lists the methods of every action on a path, each document those of one action',
} as const;

/** One catalog operation as the conformance run judged it. Source: the OpenAPI documents' `x-td448-operation`. */
export const OperationVerdict = z.strictObject({
  /** The catalog operation (`POST /customer/update create`). */
  id: z.string(),
  /** Its OpenAPI operations (collection and item path) as `document: METHOD /path`. */
  tested: z.array(z.string()),
  outcome: z.enum(['passed', 'failed', 'not-run']),
  /** Schemathesis' failures on its OpenAPI operations: the check code and its report. */
  failures: z.array(z.strictObject({ operation: z.string(), code: z.string(), report: z.string() })),
  /** Why it was not run, when it was not. */
  reason: z.string().optional(),
});
export type OperationVerdict = z.infer<typeof OperationVerdict>;

/** One `st run` over one document. */
export const DocumentRun = z.strictObject({
  document: z.string(),
  client: z.string(),
  exitCode: z.number().nullable(),
  seconds: z.number(),
  /** Cases Schemathesis generated, from its summary ("N generated"); undefined when it printed none. */
  cases: z.number().optional(),
  log: z.string(),
  junit: z.string(),
});
export type DocumentRun = z.infer<typeof DocumentRun>;

export const ConformanceRun = z.strictObject({
  depth: z.string(),
  seed: z.number(),
  excludedChecks: z.record(z.string(), z.string()),
  documents: z.array(DocumentRun),
  operations: z.array(OperationVerdict),
});
export type ConformanceRun = z.infer<typeof ConformanceRun>;

/** What a document says of the catalog operation behind an OpenAPI operation (`x-td448-operation`). */
interface ListedOperation {
  id: string;
  endpoint: string;
  actionKey: string;
}

export interface ConformanceOptions {
  target: TargetDescription;
  wire: Wire;
  catalog: Catalog;
  oauth: OAuthClient;
  depth: ConformanceDepth;
  /** Where the documents, logs and JUnit reports go. */
  outputDir: string;
  /** The run's ledger: each record Schemathesis creates is noted there for the cleanup (none kept when undefined). */
  ledger?: CreatedRecords | undefined;
  /** Called with each finished document's summary line. */
  onProgress?: (line: string) => void;
}

/** Runs a command, its output into `logFile`; resolves with the exit code (null when killed by the timeout). */
function runLogged(file: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs: number) {
  return new Promise<number | null>((resolve, reject) => {
    const log = createWriteStream(logFile);
    // Schemathesis keeps its cache (.schemathesis/) in its working directory: the run's output directory, not the project.
    const child = spawn(file, args, { env, cwd: dirname(logFile), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      log.end(() => resolve(code));
    });
  });
}

/**
 * Notes in the run's ledger every record Schemathesis created (conformance/hooks.py writes each answer with the
 * create's success status to `file`): the id where the profile says (Location, or a pointer into the body), the
 * endpoint from the operation's `x-td448-operation`. The run's cleanup then removes them like its own.
 */
function noteCreated(
  file: string,
  paths: Record<string, Record<string, { 'x-td448-operation': ListedOperation }>>,
  wire: Wire,
  ledger: CreatedRecords | undefined,
): number {
  if (!ledger || !existsSync(file)) return 0;
  let noted = 0;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const answer = JSON.parse(line) as { method: string; path: string; headers: Record<string, string[]>; body: string };
    const listed = paths[answer.path]?.[answer.method.toLowerCase()]?.['x-td448-operation'];
    if (listed?.actionKey !== 'create') continue;
    const headers = Object.fromEntries(Object.entries(answer.headers).map(([name, values]) => [name, values[0]]));
    let id: string | undefined;
    try {
      id = wire.createdId(headers, () => JSON.parse(answer.body));
    } catch {
      id = undefined;
    }
    if (id) {
      ledger.add({ endpoint: listed.endpoint, id });
      noted++;
    }
  }
  return noted;
}

/** The document with its `version` path parameters narrowed to one version (a copy). */
function onlyVersion(document: Record<string, unknown>, version: string): Record<string, unknown> {
  const copy = structuredClone(document);
  for (const item of Object.values(
    copy.paths as Record<string, Record<string, { parameters?: { name: string; in: string; schema: object }[] }>>,
  ))
    for (const operation of Object.values(item))
      for (const parameter of operation.parameters ?? [])
        if (parameter.in === 'path' && parameter.name === 'version') parameter.schema = { type: 'string', enum: [version] };
  return copy;
}

const casesOf = (log: string) => {
  const found = /(\d+) generated/.exec(log);
  return found ? Number(found[1]) : undefined;
};

/**
 * Schemathesis over every OpenAPI document of the target's profile, one `st run` per document with all
 * checks (less those a split document cannot judge), a fully scoped token of the target's own clients
 * (role `load`, then `functional`, one per document in turn), the
 * depth's phases, examples and seed. Returns each catalog operation's verdict: failed when Schemathesis
 * reported a failure on one of its OpenAPI operations, not run (with the reason) when it could not test it.
 * Errors: Schemathesis cannot be installed (the message says how to fix it).
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceRun> {
  const { target, wire, catalog, oauth, depth, outputDir } = options;
  const executable = await ensureSchemathesis();
  mkdirSync(outputDir, { recursive: true });
  const excluded: Record<string, string> = splitsByAction(wire.profile) ? { ...splitDocumentExclusions } : {};
  // The load clients (idle while the Playwright suites run), then the functional ones, one per document in turn.
  // A load client fuzzed near the end of the phase may still have requests in its rate-limit minute when the load
  // campaigns start with it: kept as verified in CI; a client role of its own is the better answer (notes of session 8).
  const clients = [...oauth.clientsFor('load'), ...oauth.clientsFor('functional')];
  const documents = openApiDocuments(catalog, wire);
  const runs: DocumentRun[] = [];
  /** OpenAPI operation (`document: METHOD /path`) → catalog operation id. */
  const owner = new Map<string, string>();
  const testedBy = new Map<string, string[]>();
  const failures = new Map<string, OperationVerdict['failures']>();
  const notRun = new Map<string, string>();

  for (const [index, { name, document }] of documents.entries()) {
    const paths = document.paths as Record<string, Record<string, { 'x-td448-operation': ListedOperation }>>;
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const key = `${name}: ${method.toUpperCase()} ${path}`;
        owner.set(key, operation['x-td448-operation'].id);
        testedBy.set(operation['x-td448-operation'].id, [...(testedBy.get(operation['x-td448-operation'].id) ?? []), key]);
      }
    }
    const file = join(outputDir, name);
    const fuzzed = depth.versions === 'current' ? onlyVersion(document, wire.currentVersion) : document;
    writeFileSync(file, serialize({ ...fuzzed, servers: [{ url: target.apiBaseUrl, description: target.name }] }));
    const client = clients[index % Math.max(clients.length, 1)];
    if (!client) {
      for (const id of new Set(owner.values())) notRun.set(id, 'the target description has no client with the role "load" or "functional"');
      continue;
    }
    const junit = join(outputDir, `${name.replace(/\.json$/, '')}.junit.xml`);
    const log = join(outputDir, `${name.replace(/\.json$/, '')}.log`);
    const token = await oauth.token(client.clientId);
    const args = [
      'run',
      file,
      '--url',
      target.apiBaseUrl,
      '--header',
      `Authorization: Bearer ${token}`,
      '--checks',
      'all',
      ...(Object.keys(excluded).length > 0 ? ['--exclude-checks', Object.keys(excluded).join(',')] : []),
      '--phases',
      depth.phases.join(','),
      '--max-examples',
      String(depth.maxExamples),
      '--seed',
      String(depth.seed),
      '--workers',
      '1',
      '--no-color',
      '--report',
      'junit',
      '--report-junit-path',
      junit,
      ...(target.caFile ? ['--tls-verify', target.caFile] : []),
    ];
    const started = performance.now();
    const createdFile = join(outputDir, `${name.replace(/\.json$/, '')}.created.jsonl`);
    const exitCode = await runLogged(
      executable,
      args,
      {
        ...process.env,
        SCHEMATHESIS_HOOKS: hooksFile,
        TD448_IDEMPOTENCY_HEADER: wire.profile.headers.idempotencyKey,
        TD448_CONFORMANCE_CREATED: createdFile,
        TD448_CREATE_STATUS: String(wire.successStatus('create')),
      },
      log,
      30 * 60_000,
    );
    const created = noteCreated(createdFile, paths, wire, options.ledger);
    const logText = readFileSync(log, 'utf8');
    const run = DocumentRun.parse({
      document: name,
      client: client.clientId,
      exitCode,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      cases: casesOf(logText),
      log,
      junit,
    });
    runs.push(run);
    options.onProgress?.(
      `${name}: ${run.cases ?? '?'} cases in ${run.seconds} s as ${client.clientId}, exit ${exitCode}; ${created} records created, noted for the cleanup`,
    );
    let findings: ReturnType<typeof readJunit> = [];
    try {
      findings = readJunit(junit);
    } catch (error) {
      const reason = `Schemathesis wrote no readable report for ${name} (exit ${exitCode}; see ${log}): ${(error as Error).message}`;
      for (const [key, id] of owner) if (key.startsWith(`${name}: `)) notRun.set(id, reason);
      continue;
    }
    for (const finding of findings) {
      const key = `${name}: ${finding.operation}`;
      const id = owner.get(key);
      if (!id) continue;
      if (finding.outcome === 'skipped') notRun.set(id, `Schemathesis skipped ${finding.operation} in ${name}`);
      if (finding.failures.length > 0)
        failures.set(id, [...(failures.get(id) ?? []), ...finding.failures.map((failure) => ({ operation: key, ...failure }))]);
    }
    const reported = new Set(findings.map((finding) => `${name}: ${finding.operation}`));
    for (const [key, id] of owner) {
      if (key.startsWith(`${name}: `) && !reported.has(key)) notRun.set(id, `Schemathesis did not test ${key} (see ${log})`);
    }
  }

  const operations = catalog.operations.map((operation) => {
    const found = failures.get(operation.id) ?? [];
    const reason = notRun.get(operation.id) ?? (testedBy.has(operation.id) ? undefined : 'in no OpenAPI document of the profile');
    return OperationVerdict.parse({
      id: operation.id,
      tested: testedBy.get(operation.id) ?? [],
      outcome: found.length > 0 ? 'failed' : reason ? 'not-run' : 'passed',
      failures: found,
      ...(reason && found.length === 0 ? { reason } : {}),
    });
  });
  return ConformanceRun.parse({ depth: depth.name, seed: depth.seed, excludedChecks: excluded, documents: runs, operations });
}
