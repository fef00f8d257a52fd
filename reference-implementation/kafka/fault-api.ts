import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** A dependency the fault API can take away and give back: the Kafka broker of the embedded stack. */
export interface Cuttable {
  /** Where clients reach it (`host:port`): Toxiproxy's `listen` and `upstream` of the proxy. */
  readonly address: string;
  readonly enabled: boolean;
  /** Takes it away (the broker's JVM stopped); resolves once it is gone. */
  cut(): Promise<void>;
  /** Gives it back (the broker restarted on the same data and ports); resolves once it answers. */
  restore(): Promise<void>;
}

/** The body of Toxiproxy's `POST /proxies/{proxy}`: only `enabled` is honoured here. */
const ProxyUpdate = z.looseObject({ enabled: z.boolean() });

/**
 * A test-only fault API in the shape of Toxiproxy's HTTP API (the field's reference for network faults):
 * `GET /proxies`, `GET /proxies/{name}` and `POST /proxies/{name}` with `{"enabled": false|true}`, so that the
 * suite's @resilience checks cut the broker of the embedded stack exactly as they cut a deployment's through
 * the Toxiproxy in front of its Kafka. Toxics are not offered (`toxics: []`). Started only in test mode.
 */
export async function startFaultApi(proxies: Record<string, Cuttable>): Promise<{ url: string; close(): Promise<void> }> {
  const view = (name: string, proxy: Cuttable) => ({
    name,
    listen: proxy.address,
    upstream: proxy.address,
    enabled: proxy.enabled,
    toxics: [],
  });
  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  let queue = Promise.resolve();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fault-api');
    if (url.pathname === '/proxies' && request.method === 'GET')
      return send(response, 200, Object.fromEntries(Object.entries(proxies).map(([name, proxy]) => [name, view(name, proxy)])));
    const name = /^\/proxies\/([^/]+)$/.exec(url.pathname)?.[1];
    const proxy = name ? proxies[decodeURIComponent(name)] : undefined;
    if (!name || !proxy) return send(response, 404, { error: 'proxy not found', status: 404 });
    if (request.method === 'GET') return send(response, 200, view(name, proxy));
    if (request.method !== 'POST') return send(response, 405, { error: 'method not allowed', status: 405 });
    let body = '';
    for await (const chunk of request) body += chunk;
    const update = ProxyUpdate.safeParse(JSON.parse(body || '{}'));
    if (!update.success) return send(response, 400, { error: 'give {"enabled": true|false}', status: 400 });
    // One change at a time: a cut and a restore asked together run in the order they came.
    const change = queue.then(() => (update.data.enabled ? proxy.restore() : proxy.cut()));
    queue = change.catch(() => {});
    await change;
    return send(response, 200, view(name, proxy));
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => send(response, 500, { error: error.message, status: 500 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
