import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A change of response shape on one endpoint: a field renamed, in JSON and in XML alike. */
export interface ShapeChange {
  endpoint: string;
  field: string;
  renamedTo: string;
}

export interface RewritingProxy {
  url: string;
  /** Responses whose shape the proxy changed. */
  rewritten(): number;
  close(): Promise<void>;
}

const renameKeys = (value: unknown, change: ShapeChange): unknown => {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, change));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key === change.field ? change.renamedTo : key, renameKeys(inner, change)]),
  );
};

const renameElements = (xml: string, change: ShapeChange) =>
  xml.replace(
    new RegExp(`<(/?)${change.field}(\\s*/?)>`, 'g'),
    (_match, close: string, rest: string) => `<${close}${change.renamedTo}${rest}>`,
  );

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A proxy in front of a target that changes the shape of one endpoint's successful answers and
 * passes everything else through untouched: what a provider's breaking change looks like from outside,
 * with no change to the provider.
 */
export async function startRewritingProxy(upstream: string, change: ShapeChange): Promise<RewritingProxy> {
  // Wherever the profile's path templates put the endpoint (`/v2/customer/update/…`, `/api/v2/customer/update?…`).
  const endpointPath = new RegExp(`${change.endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/|\\?|$)`);
  let rewritten = 0;
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !hopByHop.has(name) && name !== 'host'),
    ) as Record<string, string>;
    const answer = await fetch(`${upstream}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
      redirect: 'manual',
    });
    let text = Buffer.from(await answer.arrayBuffer()).toString('utf8');
    const type = answer.headers.get('content-type') ?? '';
    if (endpointPath.test(request.url ?? '') && answer.ok && text !== '') {
      if (/[/+]json/.test(type)) text = JSON.stringify(renameKeys(JSON.parse(text), change));
      else if (/[/+]xml/.test(type)) text = renameElements(text, change);
      rewritten++;
    }
    const outgoing = new Headers(answer.headers);
    for (const name of hopByHop) outgoing.delete(name);
    response.writeHead(answer.status, Object.fromEntries(outgoing));
    response.end(text);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`rewriting proxy: ${error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rewritten: () => rewritten,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
