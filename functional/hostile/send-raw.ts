import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readCaFile } from '../../fixtures/clients/tls.ts';
import type { RawRequest } from './inputs.ts';

/** A raw answer: status, headers (lower-case names), body text and the time it took (ms). */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  durationMs: number;
}

/** The request target (RFC 9112 §3.2 origin-form): the base URL's path, the request's path as it is, its query pairs encoded. */
function targetOf(base: URL, raw: Pick<RawRequest, 'path' | 'query'>): string {
  const query = raw.query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  return `${base.pathname.replace(/\/$/, '')}${raw.path}${query ? `?${query}` : ''}`;
}

/** How a raw request is sent: the deployment's CA (PEM file), a timeout (ms, 10 s by default), and a callback once it is all written. */
export interface SendOptions {
  caFile?: string | undefined;
  timeoutMs?: number;
  /** Called once the whole request (headers and body) is handed to the connection: a request sent beside it comes after. */
  onSent?: () => void;
}

/**
 * Sends a request as it is, through node:http(s): a header may repeat (two Authorization headers), the
 * body is bytes (invalid UTF-8), the path is not normalised (`..%2F`). Playwright's and fetch's clients
 * refuse or rewrite each of these. Times out after `timeoutMs` (ms).
 */
export function sendRaw(baseUrl: string, raw: RawRequest, options: SendOptions = {}): Promise<RawAnswer> {
  // node:http refuses CR, LF and NUL in a header value (ERR_INVALID_CHAR), and writes a large body whole while the
  // server may answer 413 and close after the headers (EPIPE then loses the answer): both go over the socket itself.
  if (raw.headers.some(([, value]) => /[\r\n\0]/.test(value)) || (raw.body?.length ?? 0) > largeBody)
    return sendBytes(baseUrl, raw, options);
  const base = new URL(baseUrl);
  const path = targetOf(base, raw);
  // A list of headers is sent as it is: Node then adds no Host (RFC 9112 §3.2 requires it) and no Content-Length.
  const headers = [
    ...(raw.headers.some(([name]) => name.toLowerCase() === 'host') ? [] : ['host', base.host]),
    ...raw.headers.flat(),
    ...(raw.body ? ['content-length', String(raw.body.length)] : []),
  ];
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = send(
      {
        host: base.hostname,
        port: base.port,
        method: raw.method,
        path,
        headers,
        ...(options.caFile ? { ca: readCaFile(options.caFile) } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            durationMs: performance.now() - started,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    // A server may answer (413) and close before reading the whole body: the answer counts, not the write error.
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.onSent) request.on('finish', options.onSent);
    request.end(raw.body);
  });
}

/** A body above this many bytes is held back until the server had its chance to refuse it on its headers alone. */
const largeBody = 256 * 1024;
/** How long (ms) the headers of a large body wait for an early answer (a 413 on Content-Length) before the body follows. */
const earlyAnswerMs = 1000;

/**
 * Writes the request as HTTP/1.1 bytes on a socket of its own (TLS for https), header values byte for byte,
 * with `connection: close`, and reads the answer to the end: the status line, the header fields, the body
 * (de-chunked when `transfer-encoding: chunked`). For requests node:http will not send, and for large bodies:
 * their headers go first, and the body only if no answer came within `earlyAnswerMs` (a server refusing the
 * size on Content-Length answers 413 and may close at once, RFC 9110 §15.5.14; a body written meanwhile would
 * meet a reset and lose the answer). Times out after `timeoutMs` (ms).
 */
function sendBytes(baseUrl: string, raw: RawRequest, options: SendOptions): Promise<RawAnswer> {
  const base = new URL(baseUrl);
  const tls = base.protocol === 'https:';
  const port = Number(base.port || (tls ? 443 : 80));
  const path = targetOf(base, raw);
  const lines = [
    `${raw.method} ${path} HTTP/1.1`,
    `host: ${base.host}`,
    ...raw.headers
      .filter(([name]) => !['host', 'connection', 'content-length'].includes(name.toLowerCase()))
      .map(([name, value]) => `${name}: ${value}`),
    ...(raw.body ? [`content-length: ${raw.body.length}`] : []),
    'connection: close',
  ];
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? tlsConnect({ host: base.hostname, port, servername: base.hostname, ...(options.caFile ? { ca: readCaFile(options.caFile) } : {}) })
      : netConnect({ host: base.hostname, port });
    const chunks: Buffer[] = [];
    socket.setTimeout(options.timeoutMs ?? 10_000, () => socket.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    // Written, not ended: a half-close right after the request reads to some proxies as the client giving up (499).
    const body = raw.body;
    socket.on(tls ? 'secureConnect' : 'connect', () => {
      if (!body || body.length <= largeBody) {
        socket.write(body ? Buffer.concat([head, body]) : head, () => options.onSent?.());
        return;
      }
      socket.write(head);
      setTimeout(() => {
        if (chunks.length === 0 && !socket.destroyed) socket.write(body, () => options.onSent?.());
        else options.onSent?.();
      }, earlyAnswerMs);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const settle = (error?: Error) => {
      socket.destroy();
      try {
        resolve({ ...parseAnswer(Buffer.concat(chunks)), durationMs: performance.now() - started });
      } catch (parseError) {
        // A reset after a whole answer still counts as the answer; one before any is the error.
        reject(error ?? parseError);
      }
    };
    socket.on('error', settle);
    socket.on('end', () => settle());
  });
}

/** An HTTP/1.1 answer read to its end → status, headers (lower-case names; repeated ones as a list), body text. */
function parseAnswer(bytes: Buffer): Omit<RawAnswer, 'durationMs'> {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP answer: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  const [statusLine = '', ...fields] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`no HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string | string[]> = {};
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1).trim();
    const seen = headers[name];
    headers[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  let body = bytes.subarray(end + 4);
  // Chunked is the last transfer coding when present (RFC 9112 §6.1): `gzip, chunked` is chunked framing too.
  if (/(^|,)\s*chunked\s*$/i.test(String(headers['transfer-encoding'] ?? ''))) {
    const parts: Buffer[] = [];
    for (let at = 0; at < body.length; ) {
      const lineEnd = body.indexOf('\r\n', at);
      const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
      if (!size) break;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return { status, headers, body: body.toString('utf8') };
}
