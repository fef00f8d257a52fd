import { z } from 'zod';
import type { Operation, Row } from '../../fixtures/catalog/model.ts';
import { promised } from '../../fixtures/catalog/vocabulary.ts';
import { eachLimited } from '../../fixtures/clients/each-limited.ts';
import type { ApiDriver } from '../../fixtures/playwright/api-driver.ts';
import { arrangeCall } from '../../fixtures/playwright/row-calls.ts';
import type { OperationCall } from '../../fixtures/profile/wire.ts';
import { operationOf, seedOf } from './row-tests.ts';

/** An answer as recorded for a later check: status, headers (lower-case names), body text, and the request id. */
export const RecordedAnswer = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  requestId: z.string(),
});
export type RecordedAnswer = z.infer<typeof RecordedAnswer>;

/**
 * One client's spent minute (catalog note "rate limit 1000 req/min"), shared by every rate-limited row's check:
 * `allowed` counts the statuses of the first 1000 requests of a fresh window; `refusals` holds, per row number,
 * the answer to that row's request sent right after them in the same window, or why it could not be sent
 * there (`notRun`). `notRun` at the top says why the minute could not be spent at all.
 */
export const SpentMinute = z.object({
  notRun: z.string().optional(),
  /** The success status of the reads that spent the minute (the profile's, for check-status and export). */
  successStatus: z.number().int(),
  /** Seconds waited for the client's earlier window to reset before this one opened. */
  waitedSeconds: z.number(),
  /** Seconds from the window's first request to its 1000th answer. */
  spentInSeconds: z.number(),
  allowed: z.record(z.string(), z.number()),
  refusals: z.record(z.string(), z.union([RecordedAnswer, z.object({ notRun: z.string() })])),
});
export type SpentMinute = z.infer<typeof SpentMinute>;

const { rateLimitPerMinute } = promised;

/**
 * Spends the client's whole minute, then sends every row's request in the same window and records the answers.
 * The rows' calls are arranged first (records to check or delete), so nothing but the refusals follows the spend.
 * A window already in use (an earlier run on the same target) is waited out, at most one window.
 */
export async function spendTheMinute(api: ApiDriver, rows: readonly Row[]): Promise<SpentMinute> {
  const operations = [...new Set(rows.map(operationOf))].filter((op) => op.actionKey === 'check-status' || op.actionKey === 'export');
  const [probe] = operations;
  const empty = { successStatus: 200, waitedSeconds: 0, spentInSeconds: 0, allowed: {}, refusals: {} };
  if (!probe) return { ...empty, notRun: 'not run: no rate-limited read operation in the catalog to spend the limit with' };
  const success = api.wire.successStatus(probe.actionKey);
  empty.successStatus = success;
  if (!operations.every((op) => api.wire.successStatus(op.actionKey) === success))
    return {
      ...empty,
      notRun: 'not run: the reads that spend the minute do not share one success status in the profile (responses.successStatus)',
    };

  const calls = new Map<number, OperationCall | { notRun: string }>();
  await eachLimited(rows, 8, async (row) => {
    try {
      calls.set(row.number, await arrangeCall(api, operationOf(row), seedOf(row, 19)));
    } catch (error) {
      calls.set(row.number, { notRun: `not run: arranging the row's call failed: ${(error as Error).message.split('\n')[0]}` });
    }
  });

  let waitedSeconds = 0;
  let opening = await api.send(probe, {});
  let { remaining, resetSeconds } = api.wire.rateLimit(opening.response.headers());
  if (remaining !== rateLimitPerMinute - 1) {
    waitedSeconds = Math.min(Number(resetSeconds) || 60, 60) + 1;
    await new Promise((resolve) => setTimeout(resolve, waitedSeconds * 1000));
    opening = await api.send(probe, {});
    ({ remaining, resetSeconds } = api.wire.rateLimit(opening.response.headers()));
  }
  const openedAt = performance.now() - opening.durationMs;
  if (remaining !== rateLimitPerMinute - 1) {
    return {
      ...empty,
      waitedSeconds,
      notRun: `not run: no fresh window for the spending client after waiting ${waitedSeconds} s (its first request left ${remaining} of ${rateLimitPerMinute}, reset in ${resetSeconds} s)`,
    };
  }
  // The window closes `resetSeconds` after the opening request, by the target's own word.
  const closesAt = openedAt + (Number(resetSeconds) || 60) * 1000;

  const allowed = new Map<number, number>([[opening.status, 1]]);
  let sent = 1;
  await eachLimited(
    Array.from({ length: rateLimitPerMinute - 1 }, (_, index) => operations[(index + 1) % operations.length] ?? probe),
    16,
    async (operation: Operation) => {
      const { status } = await api.send(operation, {});
      allowed.set(status, (allowed.get(status) ?? 0) + 1);
      sent++;
    },
  );
  const spentInSeconds = (performance.now() - openedAt) / 1000;

  const refusals: SpentMinute['refusals'] = {};
  await eachLimited(rows, 16, async (row) => {
    const call = calls.get(row.number) ?? { notRun: 'not run: no call arranged' };
    if ('notRun' in call) {
      refusals[row.number] = call;
      return;
    }
    const sentAt = performance.now();
    const answer = await api.send(operationOf(row), call);
    // Reset is announced in whole seconds, rounded up: a request within 1.5 s of it may already be in the next window.
    const closed = sentAt > closesAt - 1500;
    refusals[row.number] = closed
      ? {
          notRun: `not run: the window closed before this request (the target took ${spentInSeconds.toFixed(1)} s to answer ${sent} requests; its window was ${resetSeconds} s)`,
        }
      : { status: answer.status, headers: answer.response.headers(), body: await answer.response.text(), requestId: answer.requestId };
  });
  return { successStatus: success, waitedSeconds, spentInSeconds, allowed: Object.fromEntries(allowed), refusals };
}
