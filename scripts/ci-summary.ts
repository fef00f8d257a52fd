/**
 * Prints the closing line CI systems read ("N passed, N failed, N skipped") from the JUnit XML
 * of the last Playwright run: one line, whatever the runner printed before it.
 */
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/output/junit.xml';
if (!existsSync(file)) {
  console.log(`ci: no JUnit report at ${file}: the tests did not run`);
  process.exit(0);
}
const suites = readFileSync(file, 'utf8').match(/<testsuites\b[^>]*>/)?.[0] ?? '';
const attribute = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suites)?.[1] ?? 0);
const tests = attribute('tests');
const failed = attribute('failures') + attribute('errors');
const skipped = attribute('skipped');
console.log(`ci: ${tests - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
