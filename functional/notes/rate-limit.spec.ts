import { join } from 'node:path';
import { promised } from '../../fixtures/catalog/vocabulary.ts';
import { answered } from '../../fixtures/playwright/answered.ts';
import { oncePerRun } from '../../fixtures/playwright/once-per-run.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import { expect, test } from '../../fixtures/playwright/test.ts';
import { expectProblemAnswer } from '../support/expectations.ts';
import { labelRow, operationOf, rowDetails, rowsPromising, rowTitle, seedOf } from '../support/row-tests.ts';
import { SpentMinute, spendTheMinute } from '../support/spent-minute.ts';

const limitedRows = rowsPromising('rate-limit');
const { rateLimitPerMinute, rateLimitWindowSeconds } = promised;

test.describe('rate-limit headers', () => {
  test.use({ bucket: 'rate-limit-headers' });
  for (const row of limitedRows) {
    const operation = operationOf(row);
    test(
      rowTitle(row, `announces its limit of ${rateLimitPerMinute} requests per minute in RateLimit headers`),
      rowDetails(row, 'rate-limit'),
      async ({ api }) => {
        await labelRow(row, 'rate-limit');
        const sent = await api.send(operation, await arrangeCall(api, operation, seedOf(row, 18)));
        expect(sent.status, await answered(sent.response)).toBeLessThan(300);
        const state = api.wire.rateLimit(sent.response.headers());
        const generation = api.wire.profile.rateLimit.headers;
        expect(state.limit, `the limit in the ${generation} rate-limit headers`).toBe(rateLimitPerMinute);
        if (state.windowSeconds !== undefined) expect(state.windowSeconds, 'the policy’s window in seconds').toBe(rateLimitWindowSeconds);
        expect(state.remaining, `the remaining quota in the ${generation} rate-limit headers`).toBeGreaterThanOrEqual(0);
        expect(state.remaining).toBeLessThan(rateLimitPerMinute);
      },
    );
  }
});

/**
 * One functional client of its own (the bucket rate-limit-spent) spends its whole minute once per run, then sends
 * every limited row's request in the same window (functional/support/spent-minute.ts). Each row's check judges its
 * own recorded answer: a broken promise turns every row that carries it red, none is skipped behind another's failure.
 */
const limitTest = test.extend<{ spentMinute: SpentMinute }>({
  spentMinute: async ({ api }, use, testInfo) => {
    testInfo.setTimeout(testInfo.timeout + 240_000);
    const minute = await oncePerRun(join(testInfo.project.outputDir, 'rate-limit-spent-minute.json'), SpentMinute, () =>
      spendTheMinute(api, limitedRows),
    );
    if (minute.waitedSeconds > 0)
      testInfo.annotations.push({
        type: 'waited',
        description: `the client's window was in use: waited ${minute.waitedSeconds} s for a fresh one`,
      });
    await use(minute);
  },
});

limitTest.describe('the request after the limit', () => {
  limitTest.use({ bucket: 'rate-limit-spent' });
  for (const row of limitedRows) {
    limitTest(
      rowTitle(row, `refuses the request after the ${rateLimitPerMinute}th in a minute with 429 and Retry-After, before the upstream`),
      rowDetails(row, 'rate-limit'),
      async ({ api, logs, spentMinute }) => {
        await labelRow(row, 'rate-limit');
        limitTest.skip(spentMinute.notRun !== undefined, spentMinute.notRun);
        const answer = spentMinute.refusals[row.number];
        if (!answer || 'notRun' in answer) return limitTest.skip(true, answer?.notRun ?? 'not run: the row was not tried after the limit');
        expect(
          spentMinute.allowed,
          `the ${rateLimitPerMinute} requests before it, in the same minute, were all allowed (statuses counted)`,
        ).toEqual({ [spentMinute.successStatus]: rateLimitPerMinute });
        expectProblemAnswer(answer, 429);
        const header = answer.headers['retry-after'];
        expect(header, 'a 429 says when to retry in Retry-After (RFC 6585 §4, RFC 9110 §10.2.3)').toBeDefined();
        const retryAfter = api.wire.retryAfterSeconds(header);
        expect(retryAfter, `Retry-After "${header}" as ${api.wire.profile.rateLimit.retryAfter} (profile: rateLimit.retryAfter)`).toEqual(
          expect.any(Number),
        );
        expect(retryAfter).toBeGreaterThanOrEqual(0);
        expect(retryAfter).toBeLessThanOrEqual(rateLimitWindowSeconds);
        expect(api.wire.rateLimit(answer.headers).remaining, 'no quota left').toBe(0);
        expect(await logs.entryFor(answer.requestId), 'a refused request never reaches the upstream').toMatchObject({
          status: 429,
          outcome: 'rate-limited',
          attempts: 0,
        });
      },
    );
  }
});
