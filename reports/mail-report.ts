import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateReport } from './allure-report.ts';
import type { ReportPaths } from './paths.ts';

/**
 * The report to mail: one HTML file, without the history of earlier runs, in which passed tests keep
 * their names, labels, parameters and attachments but not their steps; failed, broken and skipped tests
 * keep everything. The full report of a main job is about 94 MB as one file, far beyond what mail takes.
 */
export async function buildMailReport(paths: ReportPaths): Promise<{ file: string; bytes: number }> {
  rmSync(paths.mailResults, { recursive: true, force: true });
  mkdirSync(paths.mailResults, { recursive: true });
  for (const name of readdirSync(paths.allureResults)) {
    const from = join(paths.allureResults, name);
    if (!name.endsWith('-result.json')) {
      copyFileSync(from, join(paths.mailResults, name));
      continue;
    }
    const result = JSON.parse(readFileSync(from, 'utf8')) as { status?: string; steps?: unknown[] };
    if (result.status === 'passed') result.steps = [];
    writeFileSync(join(paths.mailResults, name), JSON.stringify(result));
  }
  const context = JSON.parse(readFileSync(paths.reportContext, 'utf8')) as Record<string, unknown>;
  const mailContext = join(paths.output, 'report-context-mail.json');
  writeFileSync(
    mailContext,
    JSON.stringify({ ...context, output: paths.allureReportMail, resultsDir: [paths.mailResults, paths.allureExtras], historyPath: null }),
  );
  rmSync(paths.allureReportMail, { recursive: true, force: true });
  await generateReport({ contextFile: mailContext, singleFile: true });
  const file = join(paths.allureReportMail, 'index.html');
  return { file, bytes: statSync(file).size };
}
