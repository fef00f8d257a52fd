import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import { placeholderBearerToken, redactedTarget } from '../fixtures/secrets/detect.ts';
import { reportPaths } from './paths.ts';
import { formatSecretScan, runOutputRoots, scanForSecrets } from './secret-scan.ts';

const jwt = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"client_id":"suite-1","exp":1}').toString('base64url')}.c2lnbmF0dXJlLWJ5dGVz`;
const secret = 'client-secret-of-suite-1-9f8e7d';
const known = [{ label: "client suite-1's secret", value: secret }];

let output: string;
test.beforeEach(() => {
  output = mkdtempSync(join(tmpdir(), 'td448-scan-'));
});
test.afterEach(() => rmSync(output, { recursive: true, force: true }));

test('names the file and line of each credential a run wrote, never the credential itself', () => {
  const results = join(output, 'allure-results');
  mkdirSync(results);
  writeFileSync(join(results, 'a-result.json'), `{"name":"log check"}\n{"message":"presented Authorization: Bearer ${jwt}"}\n`);
  writeFileSync(join(results, 'b-attachment.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  writeFileSync(join(output, 'console.log'), `line one\nPOST /token client_secret=${secret}\n`);
  writeFileSync(
    join(output, 'summary.json'),
    `{"authorization":"Bearer ${placeholderBearerToken}","status":"401 with a Bearer challenge"}`,
  );

  const scan = scanForSecrets([output], known);
  expect(
    scan.findings.map(({ file, line, kind }) => ({
      file: file.replace(`${output}/`, ''),
      line,
      kind,
    })),
  ).toEqual([
    { file: 'allure-results/a-result.json', line: 2, kind: 'bearer credential' },
    { file: 'console.log', line: 2, kind: 'known secret' },
  ]);
  expect(scan.skipped).toHaveLength(1);
  const printed = formatSecretScan(scan).join('\n');
  expect(printed).toContain('2 credential(s) found');
  expect(printed).not.toContain(jwt);
  expect(printed).not.toContain(secret);
});

test('the target a run keeps in its outputs is redacted; the roots are this run’s outputs, not other jobs’ beside them', () => {
  const target = {
    clients: [{ clientId: 'suite-1', clientSecret: secret, roles: ['functional'], scopes: [] }],
    kafka: { sasl: { mechanism: 'PLAIN', username: 'u', password: 'sasl-password-1234' } },
    expiredToken: jwt,
  } as unknown as TargetDescription;
  writeFileSync(join(output, 'target.json'), JSON.stringify(redactedTarget(target)));
  mkdirSync(join(output, 'defects'));
  writeFileSync(join(output, 'defects', 'target.json'), JSON.stringify(target));
  mkdirSync(join(output, 'load'));
  writeFileSync(join(output, 'load', 'verdict.json'), '{}');

  const roots = runOutputRoots(reportPaths(output, join(output, 'history')));
  expect(roots).toContain(join(output, 'target.json'));
  expect(roots).toContain(join(output, 'load'));
  expect(roots).not.toContain(join(output, 'defects'));
  const mine = roots.filter((root) => root.startsWith(output));
  expect(scanForSecrets(mine, [...known, { label: 'sasl', value: 'sasl-password-1234' }]).findings).toEqual([]);
  expect(
    scanForSecrets([join(output, 'defects')], known)
      .findings.map((finding) => finding.kind)
      .sort(),
  ).toEqual(['JWT', 'known secret']);
});

test('reads what one run wrote: files older than the run are left to the run that wrote them', () => {
  writeFileSync(join(output, 'old.json'), `{"authorization":"Bearer ${jwt}"}`);
  const old = new Date(Date.now() - 3_600_000);
  utimesSync(join(output, 'old.json'), old, old);
  writeFileSync(join(output, 'new.json'), `{"authorization":"Bearer ${jwt}"}`);
  const scan = scanForSecrets([output], known, Date.now() - 60_000);
  expect(scan.files).toBe(1);
  expect(scan.findings.map((finding) => finding.file)).toEqual([join(output, 'new.json')]);
});
