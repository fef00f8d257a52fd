import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { TestCounts } from './summary.ts';

const ResultFile = z.object({
  uuid: z.string(),
  historyId: z.string().optional(),
  status: z.enum(['passed', 'failed', 'broken', 'skipped', 'unknown']).default('unknown'),
  stop: z.number().optional(),
});
type ResultFile = z.infer<typeof ResultFile>;

export function readResultFiles(dirs: readonly string[]): ResultFile[] {
  return dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.endsWith('-result.json'))
        .map((name) => ResultFile.parse(JSON.parse(readFileSync(join(dir, name), 'utf8')))),
    );
}

/** The tests as Allure counts them: results sharing a history id are attempts of one test, the last one counts. */
export function countTests(results: readonly ResultFile[]): TestCounts {
  const last = new Map<string, ResultFile>();
  for (const result of results) {
    const key = result.historyId ?? result.uuid;
    const seen = last.get(key);
    if (!seen || (result.stop ?? 0) >= (seen.stop ?? 0)) last.set(key, result);
  }
  const tests = [...last.values()];
  const of = (status: ResultFile['status']) => tests.filter((test) => test.status === status).length;
  return { total: tests.length, passed: of('passed'), failed: of('failed'), broken: of('broken'), skipped: of('skipped') };
}
