/**
 * node scripts/bench-relay.ts [--transactions N]
 * Times the outbox relay's Kafka sinks side by side on the embedded broker: N batches of one event each, sent back
 * to back, through the transactional sink (one transaction per batch, reference-implementation/kafka/transactional-sink.ts)
 * and through plain idempotent sends (the at-least-once relay). Prints ms per batch (median, p95) for each, and
 * the ratio. A batch's time is what an event waits before a read_committed consumer can see it.
 */
import { createProducer, createTopics } from '../fixtures/kafka/client.ts';
import { startKafkaBroker } from '../reference-implementation/kafka/broker.ts';
import { createTransactionalSink } from '../reference-implementation/kafka/transactional-sink.ts';
import { cliCommand, wholeNumber } from './cli.ts';

const options = cliCommand(
  'node scripts/bench-relay.ts',
  'Times the outbox relay’s Kafka sinks side by side: transactional against plain sends.',
  ['node scripts/bench-relay.ts --transactions 100'],
)
  .option('--transactions <n>', 'batches to send through each sink', wholeNumber(5, 10_000), 60)
  .parse()
  .opts<{ transactions: number }>();

const broker = await startKafkaBroker();
try {
  const topic = 'bench.events';
  await createTopics(broker.bootstrap, [topic]);
  const message = (n: number) => ({ topic, key: `k${n % 7}`, value: { n }, headers: { 'content-type': 'application/json' } });
  const times = async (send: (n: number) => Promise<void>) => {
    const durations: number[] = [];
    for (let n = 0; n < options.transactions; n += 1) {
      const started = performance.now();
      await send(n);
      durations.push(performance.now() - started);
    }
    const sorted = durations.slice(1).sort((a, b) => a - b); // the first one pays for connections
    return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0 };
  };
  const sink = createTransactionalSink(broker.bootstrap, { transactionalId: 'bench-relay', offsetsTopic: 'bench.positions' });
  await sink.committedSeq();
  const transactional = await times((n) => sink.send([message(n)], n + 1));
  await sink.close();
  const producer = createProducer(broker.bootstrap, 'bench-plain');
  const plain = await times(async (n) => {
    const m = message(n);
    await producer.send(m.topic, m.key, m.value, m.headers);
  });
  await producer.close();
  console.log(`batches of one event, ${options.transactions} each, back to back:`);
  console.log(`  transactional sink: median ${transactional.median.toFixed(1)} ms, p95 ${transactional.p95.toFixed(1)} ms`);
  console.log(`  plain sends:        median ${plain.median.toFixed(1)} ms, p95 ${plain.p95.toFixed(1)} ms`);
  console.log(`  ratio (median): ${(transactional.median / Math.max(plain.median, 0.001)).toFixed(1)} ×`);
} finally {
  await broker.stop();
}
