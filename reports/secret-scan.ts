/**
 * The scan of everything a run wrote for credentials (issue: data safety): Allure results and attachments, the
 * Allure report, Artillery reports and verdicts, pact files and verifier logs, the ledgers and cleanup reports,
 * JUnit, traceability, summary, the captured console. The detector is fixtures/secrets/detect.ts (the same
 * one the transaction-log checks use); a finding names the file and the line, never the secret.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findSecrets, type KnownSecret, type SecretFinding } from '../fixtures/secrets/detect.ts';
import { projectRoot, type ReportPaths } from './paths.ts';

/** A credential in a file of the run's outputs: the file (relative to the project), its line (1-based), the finding. */
export interface OutputFinding extends Omit<SecretFinding, 'index' | 'length'> {
  file: string;
  line: number;
}

export interface SecretScan {
  files: number;
  bytes: number;
  /** Files not read, each with why (binary: images, archives). */
  skipped: { file: string; reason: string }[];
  findings: OutputFinding[];
}

/** The subdirectories of the output directory that a main-job run writes (others are other jobs' runs: defects/, as-deployment-*). */
const ownDirectories = ['allure-results', 'allure-extras', 'allure-report', 'load', 'created-records', 'created-records-load'];

/**
 * What a main-job run writes, as roots for `scanForSecrets`: every file at the top of the output directory
 * (summary, JUnit, traceability, target.json, cleanup reports, console.log), its own subdirectories, the pacts
 * and verifier logs (reports/output/pacts), Playwright's test-results/ and the Allure history.
 */
export function runOutputRoots(paths: ReportPaths): string[] {
  const top = existsSync(paths.output)
    ? readdirSync(paths.output, { withFileTypes: true })
        .filter((entry) => entry.isFile() || (entry.isDirectory() && ownDirectories.includes(entry.name)))
        .map((entry) => join(paths.output, entry.name))
    : [];
  return [...top, join(projectRoot, 'reports', 'output', 'pacts'), join(projectRoot, 'test-results'), paths.history].filter(
    (path, index, all) => existsSync(path) && all.indexOf(path) === index,
  );
}

function* filesUnder(path: string): Generator<string> {
  if (statSync(path).isFile()) {
    yield path;
    return;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const inner = join(path, entry.name);
    if (entry.isDirectory()) yield* filesUnder(inner);
    else if (entry.isFile()) yield inner;
  }
}

/** A file is text when its first 8 KiB hold no NUL byte (images and archives do). */
function isText(file: string): boolean {
  const head = Buffer.alloc(8192);
  const fd = openSync(file, 'r');
  try {
    const read = readSync(fd, head, 0, head.length, 0);
    return !head.subarray(0, read).includes(0);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads every text file under `roots` (written at or after `since`, ms since the epoch, when given: what one run
 * wrote, not what older runs left beside it) and returns each credential `findSecrets` finds in it (the `known`
 * secrets by value, JWTs, bearer and basic credentials, PEM private keys), with its file and line.
 */
export function scanForSecrets(roots: readonly string[], known: readonly KnownSecret[], since = 0): SecretScan {
  const scan: SecretScan = { files: 0, bytes: 0, skipped: [], findings: [] };
  for (const root of roots) {
    for (const file of filesUnder(root)) {
      const shown = file.startsWith(projectRoot) ? relative(projectRoot, file) : file;
      if (statSync(file).mtimeMs < since) continue;
      if (!isText(file)) {
        scan.skipped.push({ file: shown, reason: 'binary' });
        continue;
      }
      const text = readFileSync(file, 'utf8');
      scan.files++;
      scan.bytes += Buffer.byteLength(text);
      const findings = findSecrets(text, known);
      if (findings.length === 0) continue;
      const lineStarts = [0];
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
      const lineOf = (index: number) => {
        let low = 0;
        let high = lineStarts.length - 1;
        while (low < high) {
          const middle = (low + high + 1) >> 1;
          if ((lineStarts[middle] as number) <= index) low = middle;
          else high = middle - 1;
        }
        return low + 1;
      };
      for (const { index, length: _length, ...finding } of findings) scan.findings.push({ ...finding, file: shown, line: lineOf(index) });
    }
  }
  return scan;
}

/** The scan as the main job prints it: the counts, then one line per finding (file:line kind: excerpt, redacted). */
export function formatSecretScan(scan: SecretScan, limit = 20): string[] {
  const lines = [
    `secrets: ${scan.files} files (${(scan.bytes / 1e6).toFixed(1)} MB) scanned, ${scan.skipped.length} binary skipped; ${scan.findings.length} credential(s) found`,
  ];
  for (const finding of scan.findings.slice(0, limit))
    lines.push(`  ${finding.file}:${finding.line} ${finding.kind} (${finding.what}): …${finding.excerpt}…`);
  if (scan.findings.length > limit) lines.push(`  … and ${scan.findings.length - limit} more`);
  return lines;
}
