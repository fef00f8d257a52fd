import { Agent, createServer, request, type Server } from 'node:http';
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

export interface DownstreamClient {
  /** POSTs `body` and resolves with the status; rejects on a network failure or after `timeoutMs`. */
  post(headers: Record<string, string>, body: string): Promise<number>;
  close(): void;
}

/**
 * The gateway's client for the downstream: node:http over a keep-alive pool, several times cheaper
 * per call than fetch. Idle sockets close after 5 s, well before the backend's 30 s keep-alive, so a
 * request never goes out on a socket the backend is closing.
 */
export function createDownstreamClient(url: string, options: { timeoutMs?: number; maxSockets?: number } = {}): DownstreamClient {
  const timeoutMs = options.timeoutMs ?? 2000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256, timeout: 5000 });
  return {
    post: (headers, body) =>
      new Promise<number>((resolve, reject) => {
        const outgoing = request(
          url,
          { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
          (response) => {
            response.resume();
            response.on('end', () => {
              clearTimeout(timer);
              resolve(response.statusCode ?? 0);
            });
            response.on('error', reject);
          },
        );
        const timer = setTimeout(() => outgoing.destroy(new Error(`the downstream did not answer within ${timeoutMs} ms`)), timeoutMs);
        outgoing.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        outgoing.end(body);
      }),
    close: () => agent.destroy(),
  };
}
