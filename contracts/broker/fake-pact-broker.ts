import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Just enough of a Pact Broker's HAL API for the official CLI to publish pacts and ask can-i-deploy,
 * recording what it receives: the broker commands are tested offline, on this machine.
 */
export async function startFakePactBroker(options: { deployable: boolean }) {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    requests.push({
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/hal+json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/')
      return send(200, { _links: { self: { href: base }, 'pb:publish-contracts': { href: `${base}/contracts/publish` } } });
    if (request.url === '/contracts/publish')
      return send(200, { logs: [{ level: 'info', message: 'published' }], notices: [], _embedded: {}, _links: {} });
    if (request.url?.startsWith('/matrix')) {
      const reason = options.deployable ? 'All required verification results are published and successful' : 'The verification failed';
      return send(200, {
        summary: {
          deployable: options.deployable,
          reason,
          success: options.deployable ? 2 : 0,
          failed: options.deployable ? 0 : 2,
          unknown: 0,
        },
        matrix: [],
        notices: [],
      });
    }
    return send(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
