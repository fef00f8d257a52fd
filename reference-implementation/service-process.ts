/**
 * node reference-implementation/service-process.ts <service.json>
 * The service (gateway, SQLite, outbox relay) in a process of its own, so that it can be killed with
 * SIGKILL and restarted on the same database and port (the crash fault, `target.crash`). Reads its
 * configuration (ServiceConfig) from the file, prints `SERVICE READY <url>` once it listens, and stops
 * cleanly on SIGTERM. Relay errors go to stderr.
 */
import { readFileSync } from 'node:fs';
import { ServiceConfig, serviceReadyPrefix, startService } from './service.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: node reference-implementation/service-process.ts <service.json>');
  process.exit(2);
}
const config = ServiceConfig.parse(JSON.parse(readFileSync(file, 'utf8')));
const service = await startService(config, {
  onRelayError: (error) => console.error(`outbox relay: ${(error as Error).message} (events wait in the outbox)`),
});
console.log(`${serviceReadyPrefix}${service.url}`);
let stopping = false;
process.on('SIGTERM', async () => {
  if (stopping) return;
  stopping = true;
  await service.stop();
  process.exit(0);
});
