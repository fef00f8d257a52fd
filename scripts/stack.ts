/**
 * npm run stack [-- --no-faults] [-- --data-dir DIR]
 * Starts the embedded reference implementation and prints `STACK READY {json}` when it answers.
 * Ctrl-C or SIGTERM stops everything, the Kafka JVM included.
 */
import { parseArgs } from 'node:util';
import { stackReadyPrefix } from '../fixtures/schemas/target.ts';
import { parseDefects } from '../reference-implementation/defects.ts';
import { startStack } from '../reference-implementation/stack.ts';
import { onInterrupt } from './on-interrupt.ts';

const { values } = parseArgs({
  options: {
    'no-faults': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'rate-limit': { type: 'string' },
    defect: { type: 'string', multiple: true },
  },
});

const started = performance.now();
const stack = await startStack({
  faultInjection: !values['no-faults'],
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  ...(values['rate-limit'] ? { rateLimitPerMinute: Number(values['rate-limit']) } : {}),
  defects: parseDefects((values.defect ?? []).join(',')),
  onRelayError: (error) => console.error(`outbox relay: ${(error as Error).message} (events wait in the outbox)`),
});
console.error(`stack started in ${((performance.now() - started) / 1000).toFixed(1)} s; transaction log: ${stack.transactionLogFile}`);
console.log(`${stackReadyPrefix}${JSON.stringify(stack.target)}`);

onInterrupt(() => stack.stop(), 0);
