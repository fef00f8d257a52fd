import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { expect, test } from '@playwright/test';
import type { RawRequest } from './inputs.ts';
import { sendRaw } from './send-raw.ts';

/** A local server whose handler answers each request; its base URL. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer({ insecureHTTPParser: true }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const request = (overrides: Partial<RawRequest>): RawRequest => ({
  method: 'POST',
  path: '/v2/x',
  query: [],
  headers: [],
  body: undefined,
  ...overrides,
});

test('a header value with a bare CR goes out byte for byte over the socket, and a chunked answer with repeated fields is read whole', async () => {
  // A TCP server, not node:http: its parser would refuse the CR before any handler saw the bytes.
  const received: Buffer[] = [];
  const server = createNetServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (!Buffer.concat(received).includes('\r\n\r\n')) return;
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nset-cookie: a=1\r\nset-cookie: b=2\r\ntransfer-encoding: chunked\r\n\r\n' +
          '9\r\n{"title":\r\na\r\n"refused"}\r\n0\r\n\r\n',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answer = await sendRaw(baseUrl, request({ headers: [['authorization', 'Bearer t\rX-Injected: 1']] }));
    expect(Buffer.concat(received).toString('latin1')).toContain('authorization: Bearer t\rX-Injected: 1\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(answer.body).toBe('{"title":"refused"}');
  } finally {
    server.close();
  }
});

test('a body over 256 KiB: a server that answers 413 on the headers and closes is heard, not lost to EPIPE; one that waits gets the body', async () => {
  const body = Buffer.alloc(600 * 1024, 'x');
  const early = await serve((_incoming, answer) => {
    answer.writeHead(413, { connection: 'close', 'content-type': 'application/problem+json' });
    answer.end('{"status":413}');
    answer.socket?.destroySoon();
  });
  const patient = await serve((incoming, answer) => {
    let length = 0;
    incoming.on('data', (chunk: Buffer) => {
      length += chunk.length;
    });
    incoming.on('end', () => answer.end(String(length)));
  });
  try {
    const refused = await sendRaw(early.baseUrl, request({ body }));
    expect(refused.status).toBe(413);
    expect(refused.body).toBe('{"status":413}');
    const read = await sendRaw(patient.baseUrl, request({ body }));
    expect(read.status).toBe(200);
    expect(Number(read.body), 'the whole body reached the server').toBe(body.length);
  } finally {
    early.server.close();
    patient.server.close();
  }
});
