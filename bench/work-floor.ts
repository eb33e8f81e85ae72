/**
 * Scenario (a2), the work floor: the verified query's unavoidable work in minimal code, so the bench
 * can tell waste from necessary work. node:cluster workers on node:http; per request: verify the
 * ES256 access token, the DPoP proof (embedded JWK, thumbprint = cnf.jkt, htm/htu/ath/iat) and the
 * consent token (bound to the same key and client); sign a request token and POST it over a
 * keep-alive agent to bench/work-floor-registry.ts; sign the released record (ES256 JWS); one
 * synchronous-commit INSERT (prepared; the proof's jti is unique in it, so it is the replay check
 * too); JSON reply. A yardstick, not a second product: no policy, limits or consent state.
 *   PORT, FLOOR_DATABASE_URL, REGISTRY_URL, KEY_STORE_DIR, IDP_ISSUER, IDP_JWKS_URL, API_AUDIENCE,
 *   CONSENT_ISSUER, CONSENT_AUDIENCE, BENCH_WORKERS
 */
import cluster from 'node:cluster';
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { calculateJwkThumbprint, createLocalJWKSet, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import pg from 'pg';
import { FileKeyStore } from '../server/keys/file-key-store.js';
import { loadProviderSigningKey } from '../server/providers/provider-key.js';
import { signRequestToken } from '../server/providers/request-token.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

if (cluster.isPrimary) {
  let stopping = false;
  for (let i = 0; i < Number(process.env.BENCH_WORKERS ?? 2); i++) {
    process.stdout.write(`worker ${cluster.fork().process.pid}\n`);
  }
  cluster.on('exit', () => {
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  });
} else {
  const port = Number(env('PORT'));
  const htu = `http://127.0.0.1:${port}/v1/queries`;
  const registry = new URL(env('REGISTRY_URL'));
  const keys = await FileKeyStore.open({ dir: env('KEY_STORE_DIR'), allowGenerate: false });
  const consentKeys = new Map(keys.verifyingKeys('consent-token').map((k) => [k.kid, k.publicKey]));
  const recordKey = keys.current('response-signature');
  const providerKey = await loadProviderSigningKey({
    keyStoreDir: env('KEY_STORE_DIR'),
    allowGenerate: false,
  });
  const jwks = createLocalJWKSet((await (await fetch(env('IDP_JWKS_URL'))).json()) as { keys: JWK[] });
  const pool = new pg.Pool({ connectionString: env('FLOOR_DATABASE_URL'), max: 10 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');
  const sha256 = (data: string) => createHash('sha256').update(data).digest('base64url');

  class Refused extends Error {
    readonly status: number;
    constructor(status: number) {
      super(String(status));
      this.status = status;
    }
  }
  const check = (ok: boolean, status = 401) => {
    if (!ok) throw new Refused(status);
  };

  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const fetchRecord = (identifier: string, requestId: string) =>
    new Promise<unknown>((resolve, reject) => {
      const body = JSON.stringify({ identifier });
      const path = '/v1/person';
      void signRequestToken(providerKey, {
        issuer: 'urn:work-floor',
        audience: 'urn:work-floor-registry',
        method: 'POST',
        path,
        body,
        requestId,
      }).then((token) => {
        const req = http.request(
          {
            agent,
            host: registry.hostname,
            port: registry.port,
            method: 'POST',
            path,
            headers: {
              authorization: `Bearer ${token}`,
              'x-request-id': requestId,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) =>
            void readBody(res).then((text) =>
              res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Refused(502)),
            ),
        );
        req.on('error', reject);
        req.end(body);
      }, reject);
    });

  async function query(req: http.IncomingMessage): Promise<unknown> {
    const q = JSON.parse(await readBody(req)) as {
      purpose: string;
      subject: { id: string };
      records: { recordType: string }[];
      consent: { token: string };
    };
    const authorization = req.headers.authorization ?? '';
    check(authorization.startsWith('DPoP '));
    const accessToken = authorization.slice(5);
    const { payload: access } = await jwtVerify(accessToken, jwks, {
      issuer: env('IDP_ISSUER'),
      audience: env('API_AUDIENCE'),
      algorithms: ['ES256', 'EdDSA'],
    });
    const { payload: proof, protectedHeader } = await jwtVerify(String(req.headers.dpop), EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
    });
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk!);
    check(proof.htm === 'POST' && proof.htu === htu && proof.ath === sha256(accessToken));
    check(Math.abs(Date.now() / 1000 - proof.iat!) <= 60 && typeof proof.jti === 'string');
    check((access.cnf as { jkt?: string } | undefined)?.jkt === jkt);
    const { payload: consent } = await jwtVerify(
      q.consent.token,
      (header) => consentKeys.get(header.kid ?? '') ?? Promise.reject(new Refused(403)),
      {
        issuer: env('CONSENT_ISSUER'),
        audience: env('CONSENT_AUDIENCE'),
        typ: 'consent+jwt',
        algorithms: ['ES256'],
      },
    );
    check((consent.cnf as { jkt?: string } | undefined)?.jkt === jkt, 403);
    check(consent.client_id === access.client_id, 403);
    const requestId = randomUUID();
    const record = await fetchRecord(q.subject.id, requestId);
    const issuedAt = new Date().toISOString();
    const released = { queryId: requestId, purpose: q.purpose, recordType: q.records[0]!.recordType, record };
    const input = `${b64(JSON.stringify({ alg: 'ES256', kid: recordKey.kid }))}.${b64(JSON.stringify({ ...released, issuedAt }))}`;
    const signedCopy = `${input}.${b64(await recordKey.sign(Buffer.from(input)))}`;
    const { rows } = await pool.query<{ id: string }>({
      name: 'work-floor-insert',
      text: 'INSERT INTO bench_work_floor (request_id, jti, body) VALUES ($1, $2, $3) RETURNING id',
      values: [requestId, proof.jti, JSON.stringify(released)],
    });
    return { ...released, outcome: 'released', entryId: rows[0]!.id, signedCopy };
  }

  let logged = 0;
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.method === 'GET' && req.url === '/readyz') return reply(200, { status: 'ready' });
    if (req.method !== 'POST' || req.url !== '/v1/queries') return reply(404, { error: 'not_found' });
    query(req).then(
      (body) => reply(200, body),
      (err: unknown) => {
        // A refusal here is a broken bench, not load: say why (a few times) in the worker's log.
        if (logged++ < 5) process.stderr.write(`work floor refused a query: ${String(err)}\n`);
        reply(err instanceof Refused ? err.status : 401, { error: String(err) });
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close(() => void pool.end().then(() => process.exit(0)));
    server.closeIdleConnections();
  });
}
