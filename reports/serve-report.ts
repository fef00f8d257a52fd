import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Serves a generated report over HTTP on 127.0.0.1 (Chromium refuses its JSON files over file://).
 * Read-only, inside the report directory only; port 0 picks a free port.
 */
export async function serveReport(dir: string, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const root = resolve(dir);
  const server = createServer((request, response) => {
    let path: string;
    try {
      // The path as sent ("//" included: a protocol-relative reference to URL, not a path).
      path = decodeURIComponent((request.url ?? '/').split(/[?#]/)[0] || '/');
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('malformed path');
      return;
    }
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if ((file !== root && !file.startsWith(`${root}${sep}`)) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((ready) => server.listen(port, '127.0.0.1', ready));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/`,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}
