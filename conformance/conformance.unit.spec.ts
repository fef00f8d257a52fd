import { expect, test } from '@playwright/test';
import { loadCatalog } from '../fixtures/catalog/load.ts';
import { referenceProfile } from '../fixtures/profile/profile.ts';
import { Wire } from '../fixtures/profile/wire.ts';
import { hostileKinds, hostilePlan, kindsFor } from '../functional/hostile/inputs.ts';
import { conformanceDepths, depthFromEnvironment } from './depth.ts';
import { parseJunit } from './results.ts';

const catalog = loadCatalog();

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

test('the hostile-input plan: one input per row, at least 300, on every catalog operation, every kind used, each where it applies', () => {
  const plan = hostilePlan(catalog);
  expect(plan.length).toBe(catalog.rows.length);
  expect(plan.length).toBeGreaterThanOrEqual(300);
  expect(new Set(plan.map((entry) => entry.operation.id)).size).toBe(catalog.operations.length);
  expect(new Set(plan.map((entry) => entry.kind))).toEqual(new Set(hostileKinds));
  const wire = new Wire(referenceProfile);
  for (const { operation, kind } of plan) expect(kindsFor(operation, wire), `${operation.id} ${kind}`).toContain(kind);
  for (const { operation } of plan.filter((entry) => entry.kind.startsWith('xml-')))
    expect(operation.notes, `${operation.id}: XML only where the row promises it`).toContain('formats');
});
