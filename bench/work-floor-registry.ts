/**
 * The work floor's registry (scenario a2): one node:http process that verifies the gateway's
 * request token (bound to method, path, body hash and request id; replay cache) and answers with
 * one prepared SELECT by key over registry_person (the bench seeds ≥ 100,000 rows).
 *   PORT, DATABASE_URL, KEY_STORE_DIR
 */
import http from 'node:http';
import pg from 'pg';
import { readProviderPublicKeys } from '../server/providers/provider-key.js';
import { ReplayCache, verifyRequestToken } from '../server/providers/request-token.js';

const keys = readProviderPublicKeys(process.env.KEY_STORE_DIR!);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: 10 });
const replay = new ReplayCache();

const readBody = (req: http.IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

async function person(req: http.IncomingMessage): Promise<[number, unknown]> {
  const body = await readBody(req);
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  try {
    await verifyRequestToken(token, {
      keys,
      issuer: 'urn:work-floor',
      audience: 'urn:work-floor-registry',
      replay,
      method: 'POST',
      path: '/v1/person',
      body,
      requestId: String(req.headers['x-request-id']),
    });
  } catch {
    return [401, { error: 'unauthorized' }];
  }
  const { identifier } = JSON.parse(body) as { identifier: string };
  const { rows } = await pool.query({
    name: 'person-by-rrn',
    text: 'SELECT idx, seed, name, birth_date, sex, household FROM registry_person WHERE rrn = $1',
    values: [identifier],
  });
  return rows[0] ? [200, rows[0]] : [404, { error: 'not_found' }];
}

const server = http.createServer((req, res) => {
  const reply = ([status, body]: [number, unknown]) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  if (req.method === 'GET' && req.url === '/health') return reply([200, { status: 'ok' }]);
  if (req.method !== 'POST' || req.url !== '/v1/person') return reply([404, { error: 'not_found' }]);
  person(req).then(reply, (err: unknown) => reply([500, { error: String(err) }]));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
  server.closeIdleConnections();
});
