import { expect, test } from '@playwright/test';
import { conformanceDepths, depthFromEnvironment } from './depth.ts';
import { parseJunit } from './results.ts';

test('Schemathesis’ JUnit report becomes one finding per OpenAPI operation: failed with each check code, passed, skipped', () => {
  const findings = parseJunit(`<?xml version="1.0" encoding="utf-8"?>
<testsuites errors="0" failures="2" skipped="1" tests="3"><testsuite name="schemathesis" failures="2" tests="3">
  <testcase name="POST /{version}/ivr/callflow"><failure type="failure" message="ST201">1. Test Case ID: a
- ST201 Schema-violating request accepted</failure><failure type="failure" message="ST108">- ST108 Response violates schema</failure></testcase>
  <testcase name="GET /{version}/ivr/callflow"/>
  <testcase name="PUT /{version}/ivr/callflow/{id}"><skipped message="no examples"/></testcase>
</testsuite></testsuites>`);
  expect(findings.map((finding) => [finding.operation, finding.outcome, finding.failures.map((failure) => failure.code)])).toEqual([
    ['POST /{version}/ivr/callflow', 'failed', ['ST201', 'ST108']],
    ['GET /{version}/ivr/callflow', 'passed', []],
    ['PUT /{version}/ivr/callflow/{id}', 'skipped', []],
  ]);
  expect(findings[0]?.failures[0]?.report).toContain('Schema-violating request accepted');
  expect(() => parseJunit('<html></html>')).toThrow('not a JUnit report');
});

test('the conformance depth comes from TD448_CONFORMANCE_DEPTH: quick by default, an unknown name refused with the known ones', () => {
  expect(depthFromEnvironment(undefined)).toEqual(conformanceDepths.quick);
  expect(depthFromEnvironment('nightly').maxExamples).toBeGreaterThanOrEqual(50);
  expect(() => depthFromEnvironment('deep')).toThrow('use quick or nightly');
});
