import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { rateLimitPerMinute } from '../../fixtures/schemas/protocol.ts';
import { expectProblem } from '../support/expectations.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';

const limitedRows = rowsPromising('rate-limit');
const policyPattern = new RegExp(`q=${rateLimitPerMinute};\\s*w=60`);

test.describe('rate-limit headers', () => {
  test.use({ clientId: 'suite-5' });
  for (const row of limitedRows) {
    const operation = operationOf(row);
    test(
      rowTitle(row, `announces its limit of ${rateLimitPerMinute} requests per minute in RateLimit headers`),
      rowDetails(row, 'rate-limit'),
      async ({ api }) => {
        await labelRow(row, 'rate-limit');
        const sent = await api.send(operation, await arrangeCall(api, operation, seedOf(row, 18)));
        expect(sent.status, await sent.response.text()).toBeLessThan(300);
        expect(sent.response.headers()['ratelimit-policy']).toMatch(policyPattern);
        const remaining = Number(/r=(\d+)/.exec(sent.response.headers().ratelimit ?? '')?.[1]);
        expect(remaining).toBeGreaterThanOrEqual(0);
        expect(remaining).toBeLessThan(rateLimitPerMinute);
      },
    );
  }
});

/**
 * One client of its own (suite-8) spends its whole minute, then every limited row must refuse it.
 * Serial: the refusals only mean something after the 1000 allowed requests, inside the same minute.
 */
test.describe('the request after the limit', () => {
  test.describe.configure({ mode: 'serial' });
  test.use({ clientId: 'suite-8' });

  test(`TD448 rate limit · allows ${rateLimitPerMinute} requests in a minute to one client`, { tag: ['@rate-limit'] }, async ({ api }) => {
    const [first] = limitedRows;
    if (!first) return;
    const operations = [...new Set(limitedRows.map(operationOf))].filter(
      (op) => op.actionKey === 'check-status' || op.actionKey === 'export',
    );
    const statuses = new Map<number, number>();
    const concurrency = 16;
    let sent = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < rateLimitPerMinute) {
          const operation = operations[sent++ % operations.length] ?? operationOf(first);
          const { status } = await api.send(operation, {});
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: rateLimitPerMinute });
  });

  for (const row of limitedRows) {
    const operation = operationOf(row);
    test(
      rowTitle(row, `refuses the request after the ${rateLimitPerMinute}th in a minute with 429 and Retry-After, before the upstream`),
      rowDetails(row, 'rate-limit'),
      async ({ api, logs }) => {
        await labelRow(row, 'rate-limit');
        const sent = await api.send(operation, await arrangeCall(api, operation, seedOf(row, 19)));
        await expectProblem(sent, 429);
        const retryAfter = Number(sent.response.headers()['retry-after']);
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(sent.response.headers().ratelimit).toMatch(/r=0\b/);
        expect(await logs.entryFor(sent.requestId), 'a refused request never reaches the upstream').toMatchObject({
          status: 429,
          outcome: 'rate-limited',
          attempts: 0,
        });
      },
    );
  }
});
