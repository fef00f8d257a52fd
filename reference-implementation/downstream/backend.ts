import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The downstream backend every operation calls: a separate HTTP service, so "attempts" and
 * "nothing reached the upstream" are facts it can count, not claims of the gateway.
 * Transient failures are induced per request: the first N calls carrying a request id fail with 503.
 */
export interface DownstreamBackend {
  url: string;
  /** Calls received, per request id (every attempt counts). */
  callsFor(requestId: string): number;
  totalCalls(): number;
  stop(): Promise<void>;
}

export const failuresHeader = 'x-induced-failures';

export async function startDownstreamBackend(): Promise<DownstreamBackend> {
  const calls = new Map<string, number>();
  let total = 0;
  const server: Server = createServer((request, response) => {
    const requestId = String(request.headers['x-request-id'] ?? '');
    const seen = (calls.get(requestId) ?? 0) + 1;
    calls.set(requestId, seen);
    total++;
    if (calls.size > 100_000) calls.clear();
    const induced = Number(request.headers[failuresHeader] ?? 0);
    request.resume();
    request.on('end', () => {
      const failing = seen <= induced;
      response.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(failing ? { error: 'induced transient failure', attempt: seen } : { ok: true, attempt: seen }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/process`,
    callsFor: (requestId) => calls.get(requestId) ?? 0,
    totalCalls: () => total,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
