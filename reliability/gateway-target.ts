/**
 * The Target over the production-like gateway cluster: API clients from the harness's own issuer
 * (private_key_jwt, DPoP-bound), browser sessions made in the database the way a sign-in makes
 * them (the bench issuer has no browser clients), consents inserted and consent tokens signed with
 * the gateway's keys — the same shortcuts bench/ and test/faults/ take, none of them on the path
 * a check measures.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import {
  consentTokens,
  createConsents,
  BENCH_SECRETS,
  ONE_RECORD,
  type BenchClient,
} from '../bench/lib/prepare.js';
import { childPids } from '../bench/lib/procs.js';
import { subjectKey } from '../server/audit/commitment.js';
import { accessTokenHash } from '../server/auth/dpop.js';
import { createSessionsRepo } from '../server/auth/sessions.repo.js';
import { canonicaliseIdentifier } from '../server/catalog/identifiers/index.js';
import { demoClientPrivateJwk } from '../server/dev/demo-clients.js';
import {
  DEFAULT_API_RESOURCE,
  DEFAULT_API_SCOPE,
  type DevIdentityProvider,
} from '../server/dev/identity-provider.js';
import type { Caller, Consented, DpopMaterial, OutgoingRequest, Target } from './types.js';

export interface ApiClient extends BenchClient {
  keys: CryptoKeyPair;
  publicJwk: JWK;
}

/** A DPoP-bound access token for `clientId` with `scope` from the harness's issuer. */
export async function apiClient(
  idp: DevIdentityProvider,
  clientId: string,
  scope = DEFAULT_API_SCOPE,
): Promise<ApiClient> {
  const jwk = await demoClientPrivateJwk(clientId);
  const key = (await importJWK(jwk, 'ES256')) as CryptoKey;
  const config = await oidc.discovery(
    new URL(idp.issuer),
    clientId,
    {},
    oidc.PrivateKeyJwt({ key, kid: jwk.kid! }),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const keys = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
  const tokens = await oidc.clientCredentialsGrant(
    config,
    { scope, resource: DEFAULT_API_RESOURCE },
    { DPoP: oidc.getDPoPHandle(config, keys) },
  );
  const publicJwk = await exportJWK(keys.publicKey);
  return {
    clientId,
    accessToken: tokens.access_token,
    dpopJwk: { ...(await exportJWK(keys.privateKey)), alg: 'ES256' },
    jkt: await calculateJwkThumbprint(publicJwk),
    keys,
    publicJwk,
  };
}

export function dpopProof(
  client: { keys: CryptoKeyPair; publicJwk: JWK; accessToken: string },
  method: string,
  url: string,
  options: { jti?: string; iat?: number } = {},
) {
  const u = new URL(url);
  return new SignJWT({
    jti: options.jti ?? randomUUID(),
    htm: method,
    htu: `${u.origin}${u.pathname}`,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ath: accessTokenHash(client.accessToken),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: client.publicJwk })
    .sign(client.keys.privateKey);
}

export interface GatewayTargetOptions {
  url: string;
  db: () => Knex;
  dbUrl: string;
  idp: DevIdentityProvider;
  clientIds: string[];
  keyStoreDir: string;
  logFile: string;
  gatewayPid: () => number;
  queryRateLimitPerMinute: number;
  bodyLimitBytes: number;
  statementTimeoutMs: number;
}

export async function gatewayTarget(
  o: GatewayTargetOptions,
): Promise<Target & { clients: ApiClient[]; refreshTokens(): Promise<number> }> {
  const clients = [await apiClient(o.idp, o.clientIds[0]!), await apiClient(o.idp, o.clientIds[1]!)];
  const readOnly = await apiClient(o.idp, o.clientIds[0]!, 'consents:read');
  const other = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
  const otherJwk = await exportJWK(other.publicKey);
  const pepper = new TextEncoder().encode(BENCH_SECRETS.subjectPepper);
  const first = (await o.db()('registry_person').where('idx', '>=', 1000).orderBy('idx').first('rrn')) as {
    rrn: string;
  };
  const citizenId = first.rrn.trim();
  const sessions = createSessionsRepo(o.db(), { idleSec: 3600, absoluteSec: 7200 });
  const cookie = async (principal: Parameters<typeof sessions.create>[0]) =>
    (await sessions.create(principal, o.idp.issuer)).token;
  const session: Partial<Record<Caller, { token: string; csrf?: string }>> = {
    citizen: {
      token: await cookie({
        kind: 'citizen',
        sub: 'reliability-citizen',
        subjectKey: subjectKey(pepper, canonicaliseIdentifier('rrn', citizenId)),
      } as never),
    },
    admin: { token: await cookie({ kind: 'staff', sub: 'admin', role: 'admin' } as never) },
    auditor: { token: await cookie({ kind: 'staff', sub: 'auditor', role: 'auditor' } as never) },
  };
  for (const s of Object.values(session)) {
    const res = await fetch(`${o.url}/auth/session`, { headers: { cookie: `juc_session=${s.token}` } });
    s.csrf = ((await res.json()) as { csrfToken?: string }).csrfToken;
  }
  const byCaller: Partial<Record<Caller, ApiClient>> = {
    'client-dpop': clients[0],
    'client-bearer': clients[1],
    'client-read-only': readOnly,
  };

  const send = async (caller: Caller, request: OutgoingRequest): Promise<Response> => {
    const url = new URL(request.target, o.url);
    const headers = new Headers(request.headers ?? {});
    const api = byCaller[caller];
    if (api) {
      headers.set('authorization', `DPoP ${api.accessToken}`);
      headers.set('dpop', await dpopProof(api, request.method, url.href));
    }
    const s = session[caller];
    if (s) {
      headers.set('cookie', `juc_session=${s.token}`);
      if (!['GET', 'HEAD'].includes(request.method)) {
        headers.set('x-csrf-token', s.csrf ?? '');
        headers.set('origin', o.url);
      }
    }
    return fetch(url, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(request.body === undefined ? {} : { body: new TextEncoder().encode(request.body) }),
    });
  };

  const consented = async (): Promise<Consented> => {
    const { records } = await createConsents(o.db(), {
      count: 1,
      recordTypes: ONE_RECORD,
      clients: [clients[0]!],
      pepper: BENCH_SECRETS.subjectPepper,
      // Offset 0: the signed-in citizen, so their read-back (I4) and revocation (A7) are theirs.
      offset: 0,
    });
    const [token] = await consentTokens(records, [clients[0]!], {
      keyStoreDir: o.keyStoreDir,
      publicUrl: o.url,
      pepper: BENCH_SECRETS.subjectPepper,
    });
    return {
      rrn: citizenId,
      token: token!,
      consentId: records[0]!.id,
      purpose: records[0]!.purposeCode,
      recordType: ONE_RECORD[0]!,
      granted: (records[0]!.fieldsGranted as Record<string, string[]>)[ONE_RECORD[0]!]!,
    };
  };

  const approve = async (id: string) => {
    const cookie = `juc_session=${session.citizen!.token}`;
    const page = await fetch(`${o.url}/consent/${id}`, { headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const decided = await fetch(`${o.url}/consent/${id}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: o.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, decision: 'approve', lang: 'en' }).toString(),
    });
    await decided.arrayBuffer();
    if (decided.status !== 303 && decided.status !== 200) throw new Error(`approval: ${decided.status}`);
  };

  const dpop = async (): Promise<DpopMaterial> => {
    const c = clients[0]!;
    return {
      accessToken: c.accessToken,
      proof: (method, url, jti) => dpopProof(c, method, url, jti ? { jti } : {}),
      foreignProof: (method, url) =>
        dpopProof({ keys: other, publicJwk: otherJwk, accessToken: c.accessToken }, method, url),
    };
  };

  return {
    name: 'gateway',
    url: o.url,
    get db() {
      return o.db();
    },
    dbUrl: o.dbUrl,
    callers: ['anonymous', 'citizen', 'client-dpop', 'client-bearer', 'client-read-only', 'auditor', 'admin'],
    send,
    dpop,
    consented,
    approve,
    citizenId,
    logs: () =>
      readFileSync(o.logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{')),
    gatewayPids: () => [o.gatewayPid(), ...childPids(o.gatewayPid())],
    inProcess: false,
    released: [],
    bodyLimitBytes: o.bodyLimitBytes,
    queryRateLimitPerMinute: o.queryRateLimitPerMinute,
    statementTimeoutMs: o.statementTimeoutMs,
    clients,
    /**
     * New access tokens (and DPoP keys) for the same clients, in place so every holder of a client
     * sees them: the issuer's tokens live 300 s and a run on a busy machine outlasts them. Returns
     * the new tokens' lifetime in seconds.
     */
    async refreshTokens() {
      Object.assign(clients[0]!, await apiClient(o.idp, o.clientIds[0]!));
      Object.assign(clients[1]!, await apiClient(o.idp, o.clientIds[1]!));
      Object.assign(readOnly, await apiClient(o.idp, o.clientIds[0]!, 'consents:read'));
      const claims = JSON.parse(
        Buffer.from(clients[0]!.accessToken.split('.')[1]!, 'base64url').toString(),
      ) as {
        exp: number;
        iat: number;
      };
      return claims.exp - claims.iat;
    },
  };
}
