import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { loadCatalog } from '/work/main/fixtures/catalog/load.ts';
import { OAuthClient } from '/work/main/fixtures/clients/oauth-client.ts';
import { buildOperationRequest } from '/work/main/fixtures/clients/operation-request.ts';
import { buildRecordFields, fakerFor } from '/work/main/fixtures/data/factories.ts';
const target = JSON.parse(readFileSync('/tmp/target.json', 'utf8'));
const catalog = loadCatalog();
const oauth = new OAuthClient(target);
const auth = await oauth.authorization('suite-8');
const which = process.argv[2] ?? 'check';
const op = catalog.operations.find((o) => (which === 'check' ? o.actionKey === 'check-status' : o.actionKey === 'create') && !o.notes.includes('rate-limit') && o.method === (which==='check'?'GET':'POST'))!;
console.log(op.id);
const faker = fakerFor(1);
const r = await autocannon({
  url: target.apiBaseUrl, connections: 20, duration: 8,
  requests: [{ setupRequest: (req: any) => { const s = buildOperationRequest(op, { authorization: auth, ...(which==='create'?{fields: buildRecordFields(op.endpoint as any, faker)}:{}) }); return { ...req, method: s.method, path: s.path, headers: s.headers, body: s.body }; } }],
});
const t0 = process.cpuUsage();
console.log(JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, codes: r.statusCodeStats }));
