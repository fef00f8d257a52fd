import type { Catalog, Operation } from '../../fixtures/catalog/model.ts';
import { promised } from '../../fixtures/catalog/vocabulary.ts';
import type { OAuthClient } from '../../fixtures/clients/oauth-client.ts';
import { urlOf } from '../../fixtures/profile/wire.ts';

const { rateLimitPerMinute } = promised;

import type { TargetDescription } from '../../fixtures/schemas/target.ts';
import { contractWire } from '../support/wire.ts';

/** The cheapest rate-limited operation to spend a bucket on: a read of the collection that emits no event. */
function cheapestRateLimited(catalog: Catalog): Operation {
  const limited = catalog.operations.filter((op) => op.notes.includes('rate-limit'));
  const rank = (op: Operation) =>
    (op.actionKey === 'check-status' ? 0 : op.actionKey === 'export' ? 1 : 2) + (op.results.includes('kafka') ? 3 : 0);
  const [pick] = limited.sort((a, b) => rank(a) - rank(b));
  if (!pick) throw new Error('the catalog has no rate-limited operation: no interaction can be over the limit');
  return pick;
}

/**
 * Spends `clientId`'s rate-limit bucket until the target answers 429, so the next request of that
 * client is beyond the limit. Returns how many requests it took (1 when the bucket was already empty).
 */
export async function useUpRateLimit(
  target: TargetDescription,
  oauth: OAuthClient,
  catalog: Catalog,
  clientId: string,
  batch = 25,
): Promise<number> {
  const operation = cheapestRateLimited(catalog);
  const url = urlOf(target.apiBaseUrl, contractWire.request(operation));
  /** A fresh token per batch: the bucket's client may be one whose tokens live only seconds. */
  const sendBatch = async (size: number) => {
    const spec = contractWire.request(operation, { authorization: `Bearer ${(await oauth.requestToken(clientId)).token}` });
    return Promise.all(
      Array.from({ length: size }, async () => {
        const response = await fetch(url, { method: spec.method, headers: spec.headers });
        await response.arrayBuffer();
        return response.status;
      }),
    );
  };
  if ((await sendBatch(1)).includes(429)) return 1;
  let sent = 1;
  while (sent < 3 * rateLimitPerMinute) {
    const statuses = await sendBatch(batch);
    sent += batch;
    if (statuses.includes(429)) return sent;
    const unexpected = statuses.find((status) => status >= 300);
    if (unexpected) throw new Error(`spending ${clientId}'s rate limit on ${operation.id}: the target answered ${unexpected}`);
  }
  throw new Error(
    `${sent} requests of ${clientId} to ${operation.id} within a minute were all accepted: the target enforces no limit of ${rateLimitPerMinute}/min`,
  );
}
