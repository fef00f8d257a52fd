import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readCaFile } from '../../fixtures/clients/tls.ts';
import type { RawRequest } from './inputs.ts';

/** A raw answer: status, headers (lower-case names), body text and the time it took (ms). */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  durationMs: number;
}

/**
 * Sends a request as it is, through node:http(s): a header may repeat (two Authorization headers), the
 * body is bytes (invalid UTF-8), the path is not normalised (`..%2F`). Playwright's and fetch's clients
 * refuse or rewrite each of these. Times out after `timeoutMs` (ms).
 */
export function sendRaw(
  baseUrl: string,
  raw: RawRequest,
  options: { caFile?: string | undefined; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const base = new URL(baseUrl);
  const query = raw.query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  const path = `${base.pathname.replace(/\/$/, '')}${raw.path}${query ? `?${query}` : ''}`;
  // A list of headers is sent as it is: Node then adds no Host (RFC 9112 §3.2 requires it) and no Content-Length.
  const headers = [
    ...(raw.headers.some(([name]) => name.toLowerCase() === 'host') ? [] : ['host', base.host]),
    ...raw.headers.flat(),
    ...(raw.body ? ['content-length', String(raw.body.length)] : []),
  ];
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  const started = performance.now();
  return new Promise((resolve, reject) => {
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
    request.on('error', reject);
    request.end(raw.body);
  });
}
