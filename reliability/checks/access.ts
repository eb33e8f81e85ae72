/**
 * A1–A10 (reliability.md §5.4): the authorization matrix from the contract's x-access rules,
 * consent mutations, field-level output, mass assignment, a JWT negative battery, DPoP replay and
 * substitution, revocation races, the deny-by-default sweep, outbound allowlists and throttling.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, SignJWT, exportJWK } from 'jose';
import { parse } from 'yaml';
import {
  call,
  consentedQuery,
  consentRequest,
  countBy,
  median,
  query,
  releasedRecords,
  round,
  sleep,
} from '../http.js';
import { skipped, verdict, type Caller, type Check } from '../types.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const ROLE: Record<Caller, string> = {
  anonymous: '',
  citizen: 'citizen',
  clerk: 'clerk',
  'client-dpop': 'client',
  'client-bearer': 'client',
  'client-read-only': 'client',
  auditor: 'auditor',
  admin: 'admin',
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  method: string;
  path: string;
  access: 'public' | string[];
  clientScopes: string[];
}

export function contractOperations(): Operation[] {
  const doc = parse(readFileSync(join(root, 'openapi/gateway.yaml'), 'utf8')) as {
    paths: Record<
      string,
      Record<string, { 'x-access'?: 'public' | string[]; security?: Record<string, string[]>[] }>
    >;
  };
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const scopes = (op.security ?? []).flatMap((s) => [...(s.dpop ?? []), ...(s.bearer ?? [])]);
      out.push({
        method: method.toUpperCase(),
        path,
        access: op['x-access'] ?? [],
        clientScopes: [...new Set(scopes)],
      });
    }
  }
  return out;
}

const SAMPLE: Record<string, string> = {
  orgId: 'org-bank-hanbit',
  clientId: 'bank-hanbit-app',
  code: 'loan.mortgage-screening',
  recordTypeId: 'resident.registration-abstract',
  scheme: 'rrn',
  level: '0',
  n0: '000',
  x1: 'x001',
  x2: 'x001',
  width: '1',
  entryId: '1',
};
const concrete = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? randomUUID());

/** What a caller must get for an operation it may not call: anonymous 401, others 403. */
function deniedStatuses(caller: Caller): number[] {
  return caller === 'anonymous' ? [401] : [403];
}

export const A1: Check = {
  id: 'A1',
  title: 'authorization matrix (x-access × caller, forbidden = not found)',
  async run(target) {
    const ops = contractOperations();
    let cells = 0;
    const bad: string[] = [];
    for (const op of ops) {
      for (const caller of target.callers) {
        const role = ROLE[caller];
        const allowedRole = op.access === 'public' || (role !== '' && op.access.includes(role));
        const scopeRefused =
          caller === 'client-read-only' &&
          allowedRole &&
          op.access !== 'public' &&
          !op.clientScopes.includes('consents:read');
        if (allowedRole && !scopeRefused) continue;
        cells++;
        const a = await call(
          target,
          caller,
          op.method,
          concrete(op.path),
          op.method === 'GET' ? undefined : {},
        );
        if (!deniedStatuses(caller).includes(a.status))
          bad.push(`${caller} ${op.method} ${op.path}: ${a.status}${scopeRefused ? ' (scope)' : ''}`);
      }
    }
    // Another client's consent request and one that does not exist: same answer, same time.
    const created = await call(
      target,
      'client-dpop',
      'POST',
      '/v1/consent-requests',
      consentRequest(target.citizenId),
    );
    let same = 'not measured';
    const other: Caller | undefined = target.callers.includes('client-bearer') ? 'client-bearer' : undefined;
    if (created.status === 201 && other) {
      const id = created.body!.id as string;
      const theirs: number[] = [];
      const none: number[] = [];
      let a1 = await call(target, other, 'GET', `/v1/consent-requests/${id}`);
      let a2 = await call(target, other, 'GET', `/v1/consent-requests/${randomUUID()}`);
      // Pairs, the order alternating, and the median of the paired differences: other jobs on the
      // machine slow both members of a pair alike, so their noise cancels instead of adding up.
      const gaps: number[] = [];
      for (let i = 0; i < 40; i++) {
        const mine = () => call(target, other, 'GET', `/v1/consent-requests/${id}`);
        const nobody = () => call(target, other, 'GET', `/v1/consent-requests/${randomUUID()}`);
        if (i % 2) {
          a1 = await mine();
          a2 = await nobody();
        } else {
          a2 = await nobody();
          a1 = await mine();
        }
        theirs.push(a1.ms);
        none.push(a2.ms);
        gaps.push(a1.ms - a2.ms);
      }
      const gap = Math.abs(median(gaps));
      same = `${a1.status}/${String(a1.body?.code)} vs ${a2.status}/${String(a2.body?.code)}, medians ${round(median(theirs))} vs ${round(median(none))} ms, paired difference ${round(gap)} ms`;
      if (a1.status !== a2.status || a1.body?.code !== a2.body?.code)
        bad.push(`another client's consent request ${same}`);
      if (gap > 5)
        bad.push(`forbidden and not-found differ by ${round(gap)} ms (median of 40 paired differences)`);
    } else if (!other) bad.push('no second client to compare forbidden with not found');
    else bad.push(`consent request: ${created.status}`);
    return verdict(
      bad.length === 0,
      `${cells - bad.filter((b) => / \d{3}( \(scope\))?$/.test(b)).length}/${cells} denied cells as expected; ${same}`,
      bad.slice(0, 30),
    );
  },
};

export const A2: Check = {
  id: 'A2',
  title: 'consent-dimension mutation',
  async run(target) {
    const c = await target.consented();
    if (!c) return skipped('no registry behind this gateway: no consented query can release data');
    const other = await target.consented();
    const bad: string[] = [];
    const rows: string[] = [];
    const forged = `${c.token.slice(0, -4)}${c.token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const mutations: [string, Record<string, unknown>, Caller][] = [
      [
        'subject',
        { subject: { scheme: 'rrn', id: other && other.rrn !== c.rrn ? other.rrn : '9207212345676' } },
        'client-dpop',
      ],
      ['record type', { records: [{ recordType: 'tax.income-amount-certificate' }] }, 'client-dpop'],
      ['purpose', { purpose: 'account.opening' }, 'client-dpop'],
      ['requester (another client presents it)', {}, 'client-bearer'],
      [
        'consent id of another consent',
        other
          ? {
              consent: { token: other.token },
              subject: { scheme: 'rrn', id: c.rrn === other.rrn ? '9207212345676' : c.rrn },
            }
          : {},
        'client-dpop',
      ],
      ['signature', { consent: { token: forged } }, 'client-dpop'],
    ];
    for (const [name, change, caller] of mutations) {
      if (!target.callers.includes(caller)) continue;
      const a = await query(target, consentedQuery(c, change), caller);
      const released = releasedRecords(a).length;
      rows.push(`${name}: ${a.status} ${String(a.body?.code ?? '')}`);
      if (released || a.status < 400) bad.push(`${name} mutated: ${a.status}, ${released} released`);
    }
    const control = await query(target, consentedQuery(c));
    const records = releasedRecords(control);
    if (records.length !== 1)
      bad.push(`the unmutated query released ${records.length} records (${control.status})`);
    const keys = Object.keys(records[0]?.data ?? {});
    if (records.length === 1 && keys.length === 0)
      bad.push('the control released no field (nothing to compare)');
    const extra = keys.filter((k) => !c.granted.includes(k));
    if (extra.length) bad.push(`released fields outside the consent: ${extra.join(', ')}`);
    return verdict(
      bad.length === 0,
      `${rows.length} mutations denied: ${rows.length - bad.length}; control released [${keys.join(', ')}]`,
      [
        ...bad,
        ...rows,
        'validity window and provider dimensions are not mutated: the consent token is signed by the gateway, so its exp and records cannot be changed without breaking the signature (the "signature" row)',
      ],
    );
  },
};

function flatten(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => flatten(v, `${prefix}/*`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}/${k}`, ...flatten(v, `${prefix}/${k}`)]);
  return [];
}

export const A3: Check = {
  id: 'A3',
  title: 'field-level output (provider extras never leak)',
  async run(target) {
    const c = await target.consented();
    if (!c) return skipped('no registry behind this gateway');
    const a = await query(target, consentedQuery(c));
    const records = releasedRecords(a);
    const keys = records.flatMap((r) => flatten(r.data));
    const allowed = (k: string) => c.granted.some((g) => k === `/${g}` || k.startsWith(`/${g}/`));
    const leaked = keys.filter((k) => !allowed(k));
    const bad: string[] = [];
    if (records.length !== 1) bad.push(`released ${records.length} records (${a.status})`);
    if (leaked.length) bad.push(`keys outside the consent: ${leaked.join(', ')}`);
    if (keys.length === 0) bad.push('nothing was released: nothing to compare');
    return verdict(
      bad.length === 0,
      `${keys.length} keys released, ${leaked.length} outside {${c.granted.join(', ')}}`,
      [
        ...bad,
        'the reference registry answers every field of the record type, so the gateway is what narrows it',
      ],
    );
  },
};

export const A4: Check = {
  id: 'A4',
  title: 'mass assignment',
  async run(target) {
    const count = async () =>
      Number(((await target.db('consent').count({ n: '*' }).first()) as { n: string }).n);
    const hash = async () =>
      (
        (await target.db.raw(`SELECT md5(string_agg(c::text, ',' ORDER BY id)) AS h FROM consent c`)) as {
          rows: { h: string }[];
        }
      ).rows[0]!.h;
    const before = { n: await count(), h: await hash() };
    const base = consentRequest(target.citizenId);
    const control = await call(target, 'client-dpop', 'POST', '/v1/consent-requests', base);
    const extras: Record<string, unknown>[] = [
      { status: 'ACTIVE' },
      { approved: true },
      { role: 'admin' },
      { createdAt: '2020-01-01T00:00:00Z' },
      { subjectKey: '0'.repeat(64) },
      { requesterOrg: 'org-molit' },
    ];
    const bad: string[] = [];
    for (const extra of extras) {
      const a = await call(target, 'client-dpop', 'POST', '/v1/consent-requests', { ...base, ...extra });
      if (a.status !== 400) bad.push(`consent request with ${Object.keys(extra)[0]}: ${a.status}`);
    }
    if (target.callers.includes('admin')) {
      const a = await call(target, 'admin', 'POST', '/v1/admin/organisations/org-bank-hanbit/clients', {
        clientId: `mass-${Date.now()}`,
        status: 'active',
        role: 'admin',
        createdAt: '2020-01-01T00:00:00Z',
      });
      if (a.status !== 400) bad.push(`client registration with status/role/createdAt: ${a.status}`);
    }
    const after = { n: await count(), h: await hash() };
    // The control request (without extras) adds one row; nothing else may change.
    if (control.status !== 201)
      bad.push(`the control request answered ${control.status}: ${control.text.slice(0, 200)}`);
    if (after.n !== before.n + 1)
      bad.push(`the consent table has ${after.n - before.n} new rows (expected 1, the control)`);
    return verdict(
      bad.length === 0,
      `${extras.length + 1 - bad.length}/${extras.length + 1} refused with 400; consent rows byte-identical`,
      bad,
    );
  },
};

export const A5: Check = {
  id: 'A5',
  title: 'JWT negative battery',
  async run(target) {
    const listener = createServer((req, res) => {
      connections++;
      res.end('{}');
    });
    let connections = 0;
    listener.on('connection', () => connections++);
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as AddressInfo).port;
    try {
      const m = await target.dpop();
      const [h, p] = m.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
      const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>;
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const keys = await generateKeyPair('ES256', { extractable: true });
      const jwk = await exportJWK(keys.publicKey);
      const now = Math.floor(Date.now() / 1000);
      const sign = (hdr: Record<string, unknown>, body = claims) =>
        new SignJWT(body).setProtectedHeader({ alg: 'ES256', ...hdr }).sign(keys.privateKey);
      const tokens: [string, string][] = [
        ['alg none', `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`],
        [
          'alg HS256 (key confusion)',
          `${b64({ ...header, alg: 'HS256' })}.${p}.${Buffer.from('x').toString('base64url')}`,
        ],
        [
          'payload changed',
          `${h}.${b64({ ...claims, scope: 'records:query consents:read consents:request admin' })}.${m.accessToken.split('.')[2]}`,
        ],
        ['unknown key, issuer kid', await sign({ kid: header.kid as string })],
        ['jku to a local listener', await sign({ kid: 'k1', jku: `http://127.0.0.1:${port}/jwks` })],
        ['x5u to a local listener', await sign({ kid: 'k1', x5u: `http://127.0.0.1:${port}/cert` })],
        ['embedded jwk', await sign({ jwk })],
        ['expired (unknown key)', await sign({ kid: header.kid as string }, { ...claims, exp: now - 3600 })],
        ['empty signature', `${h}.${p}.`],
        ['DPoP-bound token as Bearer', m.accessToken],
      ];
      const bad: string[] = [];
      const url = `${target.url}/v1/queries`;
      for (const [name, token] of tokens) {
        const res = await target.send('anonymous', {
          method: 'POST',
          target: '/v1/queries',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: '{}',
        });
        await res.arrayBuffer();
        if (res.status !== 401) bad.push(`${name} as Bearer: ${res.status}`);
        if (name !== 'DPoP-bound token as Bearer') {
          const viaDpop = await target.send('anonymous', {
            method: 'POST',
            target: '/v1/queries',
            headers: {
              'content-type': 'application/json',
              authorization: `DPoP ${token}`,
              dpop: await m.proof('POST', url),
            },
            body: '{}',
          });
          await viaDpop.arrayBuffer();
          if (viaDpop.status !== 401) bad.push(`${name} as DPoP: ${viaDpop.status}`);
        }
      }
      await sleep(300);
      if (connections) bad.push(`${connections} outbound connections to the jku/x5u listener`);
      return verdict(
        bad.length === 0,
        `${tokens.length * 2 - 1 - bad.length}/${tokens.length * 2 - 1} refused with 401; outbound ${connections}`,
        [
          ...bad,
          'the Wycheproof JWS vectors run in test/unit/auth/wycheproof.test.ts (npm test) against the same verifier',
        ],
      );
    } finally {
      listener.closeAllConnections();
      await new Promise<void>((r) => listener.close(() => r()));
    }
  },
};

export const A6: Check = {
  id: 'A6',
  title: 'DPoP replay and substitution',
  async run(target) {
    const m = await target.dpop();
    const url = `${target.url}/v1/queries`;
    // Refused after authentication (a purpose the client has no consent for): anything but 401 means the proof was accepted.
    const body = JSON.stringify({
      purpose: 'account.opening',
      subject: { scheme: 'rrn', id: target.citizenId },
      mode: 'full',
      records: [{ recordType: 'resident.registration-abstract' }],
    });
    const send = async (headers: Record<string, string>) => {
      const res = await target.send('anonymous', {
        method: 'POST',
        target: '/v1/queries',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      await res.arrayBuffer();
      return res.status;
    };
    const bad: string[] = [];
    const jti = randomUUID();
    const proof = await m.proof('POST', url, jti);
    const first = await send({ authorization: `DPoP ${m.accessToken}`, dpop: proof });
    const second = await send({ authorization: `DPoP ${m.accessToken}`, dpop: proof });
    if (first === 401) bad.push('a fresh proof was refused');
    if (second !== 401) bad.push(`a replayed proof answered ${second}`);
    const burst = await m.proof('POST', url, randomUUID());
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => send({ authorization: `DPoP ${m.accessToken}`, dpop: burst })),
    );
    const accepted = statuses.filter((s) => s !== 401).length;
    if (accepted !== 1)
      bad.push(
        `20 concurrent copies of one proof: ${accepted} accepted (${JSON.stringify(countBy(statuses))})`,
      );
    const none = await send({ authorization: `DPoP ${m.accessToken}` });
    if (none !== 401) bad.push(`no proof: ${none}`);
    const foreign = await send({
      authorization: `DPoP ${m.accessToken}`,
      dpop: await m.foreignProof('POST', url),
    });
    if (foreign !== 401) bad.push(`another key's proof: ${foreign}`);
    const otherUrl = await send({
      authorization: `DPoP ${m.accessToken}`,
      dpop: await m.proof('POST', `${target.url}/v1/consent-requests`),
    });
    if (otherUrl !== 401) bad.push(`a proof for another URL: ${otherUrl}`);
    return verdict(
      bad.length === 0,
      `replay ${second}; 20× concurrent: ${accepted} accepted; no proof ${none}; foreign key ${foreign}`,
      bad,
    );
  },
};

export const A7: Check = {
  id: 'A7',
  title: 'revocation race',
  async run(target) {
    const c = await target.consented();
    if (!c) return skipped('no registry behind this gateway');
    // Two queries in flight while the citizen revokes; one sent after the revocation answered.
    const inflight = [query(target, consentedQuery(c)), query(target, consentedQuery(c))];
    const revoked = await call(target, 'citizen', 'POST', `/v1/me/consents/${c.consentId}/revoke`, {});
    const during = await Promise.all(inflight);
    const after = await query(target, consentedQuery(c));
    const bad: string[] = [];
    if (revoked.status >= 300) bad.push(`revoke answered ${revoked.status}: ${revoked.text.slice(0, 200)}`);
    if (releasedRecords(after).length) bad.push('a query sent after the revocation committed released data');
    if (after.body?.code !== 'consent_revoked')
      bad.push(`after revocation: ${after.status} ${String(after.body?.code)}`);
    return verdict(
      bad.length === 0,
      `in flight: ${during.map((d) => d.status).join('/')}; after commit: ${after.status} ${String(after.body?.code)}, 0 released`,
      [
        ...bad,
        'weakened: the exp ± tolerance boundary is not probed here (consent tokens are signed by the gateway; the boundary is unit-tested with an injected clock)',
      ],
    );
  },
};

export const A8: Check = {
  id: 'A8',
  title: 'deny-by-default route sweep',
  async run(target) {
    const ops = contractOperations();
    const bad: string[] = [];
    let publicOps = 0;
    for (const op of ops) {
      const a = await call(
        target,
        'anonymous',
        op.method,
        concrete(op.path),
        op.method === 'GET' ? undefined : {},
      );
      if (op.access === 'public') {
        publicOps++;
        if (a.status === 401 || a.status === 403) bad.push(`public ${op.method} ${op.path}: ${a.status}`);
      } else if (a.status !== 401) bad.push(`${op.method} ${op.path} anonymously: ${a.status}`);
      if (op.access !== 'public' && !Array.isArray(op.access))
        bad.push(`${op.method} ${op.path} has no x-access rule`);
    }
    for (const path of [
      '/v1/undeclared',
      '/v1/admin/secret',
      '/v1/queries/../admin/organisations',
      '/audit/v1/undeclared',
    ]) {
      const a = await call(target, 'anonymous', 'GET', path);
      if (a.status < 400) bad.push(`undeclared ${path}: ${a.status}`);
    }
    return verdict(
      bad.length === 0,
      `${ops.length} operations: ${ops.length - publicOps} refuse anonymous, ${publicOps} public (allowlist: x-access public)`,
      [
        ...bad,
        'the access layer (server/auth/access.ts) is built from x-access and refuses to start when an operation has none; browser pages outside /v1 are not swept',
      ],
    );
  },
};

export const A9: Check = {
  id: 'A9',
  title: 'outbound allowlist (SSRF)',
  async run(target) {
    let connections = 0;
    const listener = createServer((_req, res) => res.end());
    listener.on('connection', () => connections++);
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as AddressInfo).port;
    try {
      // Internal targets a bank may name for its consent webhook. Registration may refuse them (http
      // in production); what must never happen is a connection: delivery checks the resolved address.
      const urls = [
        `https://127.0.0.1:${port}/hook`,
        `http://127.0.0.1:${port}/hook`,
        `https://localhost:${port}/hook`,
        `https://[::ffff:127.0.0.1]:${port}/hook`,
        'https://169.254.169.254/latest/meta-data/',
        'https://10.0.0.1/hook',
      ];
      const bad: string[] = [];
      const rows: string[] = [];
      const accepted: string[] = [];
      for (const webhookUrl of urls) {
        const a = await call(
          target,
          'client-dpop',
          'POST',
          '/v1/consent-requests',
          consentRequest(target.citizenId, { webhookUrl }),
        );
        if (a.status === 201) {
          accepted.push(a.body!.id as string);
          await target.approve(a.body!.id as string);
        } else if (a.status !== 400) bad.push(`webhook ${webhookUrl}: ${a.status}`);
        rows.push(
          `${webhookUrl}: ${a.status === 201 ? 'accepted, delivery attempted' : `refused ${a.status}`}`,
        );
      }
      // The sender runs every 500 ms; wait for an attempt on every accepted consent.
      const deadline = Date.now() + 8000;
      let attempted: { status: string; attempts: number; last_error: string | null }[] = [];
      while (Date.now() < deadline) {
        attempted = (await target
          .db('consent_webhook_delivery')
          .whereIn('consent_id', accepted)
          .select('status', 'attempts', 'last_error')) as typeof attempted;
        if (attempted.length >= accepted.length && attempted.every((d) => d.attempts > 0)) break;
        await sleep(250);
      }
      if (accepted.length && attempted.filter((d) => d.attempts > 0).length < accepted.length)
        bad.push(
          `${accepted.length - attempted.filter((d) => d.attempts > 0).length} accepted webhooks never attempted (cannot tell)`,
        );
      if (attempted.some((d) => d.status === 'delivered'))
        bad.push('a webhook to an internal address was delivered');
      if (connections) bad.push(`${connections} connections reached the loopback listener`);
      // The provider client, whichever file of server/providers/ holds its fetch (http-attempt.ts since
      // the move to cockatiel).
      const provider = readdirSync(join(root, 'server/providers'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(join(root, 'server/providers', f), 'utf8'))
        .join('\n');
      if (!/redirects are not followed/.test(provider)) bad.push('the provider client may follow redirects');
      const errors = [...new Set(attempted.map((d) => (d.last_error ?? '').slice(0, 80)))];
      return verdict(
        bad.length === 0,
        `${urls.length} internal webhook targets: ${urls.length - accepted.length} refused at registration, ${accepted.length} refused at delivery; listener connections ${connections}`,
        [
          ...bad,
          ...rows,
          `delivery errors: ${errors.join(' | ')}`,
          'registries are operator configuration (REGISTRY_URL, HOLDERS_FILE): one URL per holder is the allowlist; provider redirects are refused (F5 sends a 302)',
        ],
      );
    } finally {
      listener.closeAllConnections();
      await new Promise<void>((r) => listener.close(() => r()));
    }
  },
};

export const A10: Check = {
  id: 'A10',
  title: 'abuse throttling and harvesting',
  async run(target) {
    const limit = target.queryRateLimitPerMinute;
    if (limit > 10_000)
      return skipped(`this gateway runs with QUERY_RATE_LIMIT_PER_MINUTE=${limit} (load checks)`);
    const denied = {
      purpose: 'account.opening',
      subject: { scheme: 'rrn', id: target.citizenId },
      mode: 'full',
      records: [{ recordType: 'resident.registration-abstract' }],
    };
    // The budget is a fixed UTC minute: a run straddling its end would start counting afresh. Ten
    // at a time keeps the run to seconds even on a busy machine, and with under 20 s of this minute
    // left the run waits for the next one.
    const left = 60 - new Date().getUTCSeconds();
    if (left < 20) await sleep(left * 1000 + 200);
    const minute = Math.floor(Date.now() / 60_000);
    let first429 = 0;
    let retryAfter: string | null = null;
    const statuses: number[] = [];
    const codes: string[] = [];
    const n = limit + 20;
    while (statuses.length < n && !(first429 && statuses.length > first429 + 5)) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => query(target, denied)));
      for (const a of batch) {
        statuses.push(a.status);
        codes.push(`${a.status} ${String(a.body?.code)}`);
        if (a.status === 429 && !first429) {
          first429 = statuses.length;
          retryAfter = a.headers.get('retry-after');
        }
      }
    }
    const sameMinute = Math.floor(Date.now() / 60_000) === minute;
    // Answered within the budget: every answer but the 429s; never more than the limit in one window.
    const admitted = statuses.filter((s) => s !== 429).length;
    const bad: string[] = [];
    if (!first429)
      bad.push(`${statuses.length} denied queries, no 429${sameMinute ? '' : ' (the run crossed a minute)'}`);
    else if (admitted > limit && sameMinute)
      bad.push(`${admitted} answered within one minute (limit ${limit}/min)`);
    if (first429 && !retryAfter) bad.push('429 without Retry-After');
    const metrics = await call(target, 'anonymous', 'GET', '/metrics');
    const flagged = /harvest\w*\{[^}]*\} [1-9]/.test(metrics.text);
    return verdict(
      bad.length === 0,
      `first 429 at ${first429 || 'never'} of limit ${limit}/min (10 at a time; ${admitted} answered), Retry-After ${retryAfter ?? '-'}`,
      [
        ...bad,
        `statuses ${JSON.stringify(countBy(statuses))}; codes ${JSON.stringify(countBy(codes))}`,
        `harvesting metric raised: ${flagged ? 'yes' : 'no (needs distinct subjects above HARVEST_FLAG_SUBJECTS_PER_HOUR; tested in test/integration/limits)'}`,
      ],
    );
  },
};

export const ACCESS: Check[] = [A1, A2, A3, A4, A5, A6, A7, A8, A9, A10];
