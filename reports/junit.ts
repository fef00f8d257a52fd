import { existsSync, readFileSync } from 'node:fs';

/** The `<testsuites …>` element of a JUnit XML file, the only part CI systems and this project read. */
function testsuitesElement(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return /<testsuites\b[^>]*>/.exec(readFileSync(file, 'utf8'))?.[0];
}

const attribute = (element: string, name: string) => new RegExp(`\\b${name}="([\\d.]+)"`).exec(element)?.[1];

/** Playwright's wall time from junit.xml (`<testsuites … time="s">`), in ms; 0 when there is none. */
export function junitDurationMs(file: string): number {
  const time = attribute(testsuitesElement(file) ?? '', 'time');
  return time ? Math.round(Number(time) * 1000) : 0;
}

export interface JunitCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Tests passed, failed (failures and errors) and skipped in a JUnit XML file; undefined when it does not exist. */
export function junitCounts(file: string): JunitCounts | undefined {
  const element = testsuitesElement(file);
  if (element === undefined) return undefined;
  const count = (name: string) => Number(attribute(element, name) ?? 0);
  const failed = count('failures') + count('errors');
  const skipped = count('skipped');
  return { passed: count('tests') - failed - skipped, failed, skipped };
}
