import type { TargetProfile } from '../fixtures/profile/profile.ts';
import type { TargetDescription } from '../fixtures/schemas/target.ts';
import type { DeliveredEvent } from './write-chains.ts';

/**
 * The events of the given requests, read from the events topic by a fresh reader from its beginning (events
 * published before this call are what the resilience checks account for): polled every 500 ms until
 * `complete(events)` says nothing more is owed, or nothing new came for 20 s, at most 90 s; then 2 s more for
 * late redeliveries. Each event carries its request id, CloudEvents `id`, key, partition and offset.
 * @throws Error when the topic cannot be read (KafkaProbe.start).
 */
export async function readEventsOf(
  target: TargetDescription,
  profile: TargetProfile,
  requestIds: readonly string[],
  complete: (events: DeliveredEvent[]) => boolean,
): Promise<DeliveredEvent[]> {
  const { KafkaProbe } = await import('../fixtures/probes/kafka-probe.ts');
  const reader = await KafkaProbe.start(target, profile, { fromBeginning: true });
  try {
    const collect = (): DeliveredEvent[] =>
      requestIds.flatMap((requestId) =>
        reader.eventsFor(requestId).map((probed) => ({
          requestId,
          eventId: String(probed.event?.id ?? ''),
          key: probed.key,
          partition: probed.partition,
          offset: probed.offset,
        })),
      );
    const started = Date.now();
    let events: DeliveredEvent[] = [];
    let lastChange = Date.now();
    while (Date.now() - started < 90_000 && Date.now() - lastChange < 20_000) {
      const count = events.length;
      events = collect();
      if (events.length !== count) lastChange = Date.now();
      if (complete(events)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return collect();
  } finally {
    await reader.close();
  }
}
