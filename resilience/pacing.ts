/**
 * Arrival pacing for the resilience checks' write loads: each call of the returned function resolves at the
 * next free start slot, `1000 / startsPerSecond` ms after the previous one, whoever asks (one schedule shared
 * by every chain). Slots missed while callers were busy are not caught up in a burst.
 */
export function pacer(startsPerSecond: number): () => Promise<void> {
  let nextStart = Date.now();
  return async () => {
    const at = Math.max(nextStart, Date.now());
    nextStart = at + 1000 / startsPerSecond;
    await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
  };
}
