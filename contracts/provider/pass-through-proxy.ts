import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer of the upstream as the proxy saw it: status, lower-case headers and the body as text. */
export interface ProxiedAnswer {
  method: string;
  /** The request's path and query, as the client sent them. */
  url: string;
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * What the proxy does with each answer before passing it on: nothing (undefined), or a body to send instead.
 * A hook that throws turns the answer into a 502 naming the error.
 */
export type AnswerHook = (answer: ProxiedAnswer) => string | undefined;

export interface PassThroughProxy {
  /** The proxy's base URL (http://127.0.0.1:<port>): use it in place of the upstream's. */
  url: string;
  close(): Promise<void>;
}

/** RFC 9110 §7.6.1 connection-specific fields, and those that no longer hold once the body is re-sent. */
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An HTTP proxy on a free local port in front of `upstream` (a base URL): every request is passed on as it
 * came (minus hop-by-hop fields and Host), every answer is shown to `hook` and passed back, its body replaced
 * when the hook returns one. No redirect is followed. Used by the provider verification to see what the
 * target answered (the records it created) and to change answers (a provider's breaking change, from outside).
 */
export async function startPassThroughProxy(upstream: string, hook: AnswerHook): Promise<PassThroughProxy> {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !hopByHop.has(name) && name !== 'host'),
    ) as Record<string, string>;
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const answer = await fetch(`${upstream}${url}`, { method, headers, ...(body.length > 0 ? { body } : {}), redirect: 'manual' });
    const outgoing = new Headers(answer.headers);
    for (const name of hopByHop) outgoing.delete(name);
    const text = Buffer.from(await answer.arrayBuffer()).toString('utf8');
    const replaced = hook({ method, url, status: answer.status, headers: Object.fromEntries(outgoing), text });
    response.writeHead(answer.status, Object.fromEntries(outgoing));
    response.end(replaced ?? text);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`pass-through proxy: ${error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
