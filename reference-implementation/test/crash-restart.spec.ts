import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { loadCatalog } from '../../fixtures/catalog/load.ts';
import type { Operation } from '../../fixtures/catalog/model.ts';
import { plainestOperation } from '../../fixtures/catalog/plainest.ts';
import { buildRecordFields, fakerFor } from '../../fixtures/data/factories.ts';
import { referenceProfile } from '../../fixtures/profile/profile.ts';
import { type OperationCall, Wire } from '../../fixtures/profile/wire.ts';
import { type Stack, startStack } from '../stack.ts';
import { Tokens, urlOf } from './support.ts';

/**
 * The crashable stack (`crashable: true`, `npm run stack -- --crashable`): the service runs in a process of
 * its own, the target description names the command that kills it, and the stack restarts it on the same
 * database and port, as a container runtime's restart policy would.
 */
const catalog = loadCatalog();
const wire = new Wire(referenceProfile);
let stack: Stack;
let oauth: Tokens;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = await startStack({ crashable: true });
  oauth = new Tokens(stack.target, referenceProfile);
});
test.afterAll(async () => stack?.stop());

async function send(operation: Operation, call: OperationCall) {
  const spec = wire.request(operation, {
    ...call,
    requestId: `ri-crash-${crypto.randomUUID()}`,
    authorization: await oauth.authorization(oauth.byRole('functional', 0).clientId),
  });
  const response = await fetch(urlOf(stack.target.apiBaseUrl, spec), {
    method: spec.method,
    headers: spec.headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  });
  return { status: response.status, text: await response.text() };
}

const answers = () =>
  fetch(stack.target.apiBaseUrl, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

test('the crash command kills the service with SIGKILL; it comes back on the same port and database, the records it acknowledged there', async () => {
  const crash = stack.target.crash;
  expect(crash?.command, 'the target description names the crash command').toMatch(/^kill -KILL /);
  const endpoint = '/customer/update';
  const id = `crash-restart-${crypto.randomUUID()}`;
  const created = await send(plainestOperation(catalog, endpoint, 'create'), { id, fields: buildRecordFields(endpoint, fakerFor(4242)) });
  expect(created.status, created.text).toBe(201);

  const pidFile = join(stack.dataDir, 'service.pid');
  const before = readFileSync(pidFile, 'utf8');
  await promisify(execFile)('sh', ['-c', crash?.command as string]);
  await expect.poll(answers, { message: 'the service is down after the kill', timeout: 5_000, intervals: [20] }).toBe(false);
  await expect.poll(answers, { message: 'the service answers again', timeout: 30_000 }).toBe(true);
  expect(readFileSync(pidFile, 'utf8'), 'a new process').not.toBe(before);

  const read = await send(plainestOperation(catalog, endpoint, 'export'), { id });
  expect(read.status, read.text).toBe(200);
  expect(read.text).toContain(id);
});
