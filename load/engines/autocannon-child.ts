/** node load/engines/autocannon-child.ts <job.json> <target.json> <outcome.json>: one autocannon job in a process of its own. */
import { readFileSync, writeFileSync } from 'node:fs';
import { readTargetFile } from '../../fixtures/target/resolve-target.ts';
import { type AutocannonJob, runAutocannon } from './autocannon.ts';

const [jobFile, targetFile, outFile] = process.argv.slice(2);
if (!jobFile || !targetFile || !outFile) {
  console.error('usage: node load/engines/autocannon-child.ts <job.json> <target.json> <outcome.json>');
  process.exit(2);
}
const job = JSON.parse(readFileSync(jobFile, 'utf8')) as AutocannonJob;
const outcome = await runAutocannon(job, readTargetFile(targetFile));
writeFileSync(outFile, JSON.stringify(outcome));
