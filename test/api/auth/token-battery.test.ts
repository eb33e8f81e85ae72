// Negative battery through the real middleware over real HTTP: every forged, misdirected, stale or
// unbound token is a 401 problem+json with no other effect (no DPoP id burned, no admin event, no
// outbound request to a URL named in a token header).
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  calculateJwkThumbprint,
  decodeJwt,
  exportSPKI,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { accessTokenHash } from '../../../server/auth/dpop.js';
import { DEV_API_AUDIENCE } from '../../../server/dev/dev-identity.js';
import { bankClient, startTestGateway, type BankClient, type TestGateway } from '../../support/oidc.js';
import { b64url, newDPoPKey, newSigningKey, nowSec, type DPoPKey } from '../../unit/auth/token-kit.js';

interface Trap {
  url: string;
  hits: number;
  server: Server;
}

async function startTrap(): Promise<Trap> {
  const trap = { hits: 0 } as Trap;
  trap.server = createServer((_req, res) => {
    trap.hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => trap.server.listen(0, '127.0.0.1', resolve));
  trap.url = `http://127.0.0.1:${(trap.server.address() as AddressInfo).port}/jwks`;
  return trap;
}

describe('access-token negative battery (real middleware, real HTTP)', function () {
  this.timeout(40_000);
  let gateway: TestGateway;
  let idpKey: { privateKey: CryptoKey; kid: string; publicJwk: JWK };
  let hanbit: BankClient;
  let trap: Trap;
  let meUrl: string;

  before(async () => {
    gateway = await startTestGateway();
    meUrl = `${gateway.url}/v1/me`;
    const es256 = gateway.identity.devIdp!.keys.private.find((k) => k.alg === 'ES256')!;
    idpKey = {
      privateKey: (await importJWK(es256, 'ES256')) as CryptoKey,
      kid: es256.kid!,
      publicJwk: gateway.identity.devIdp!.keys.public.find((k) => k.kid === es256.kid)!,
    };
    hanbit = await bankClient(gateway, 'bank-hanbit-app');
    trap = await startTrap();
  });

  after(() => trap?.server.close());

  /** Claims the dev IdP would put in a token for the Hanbit bank client. */
  function claims(extra: JWTPayload = {}): JWTPayload {
    const t = nowSec();
    const payload: JWTPayload = {
      iss: gateway.identity.devIdp!.issuer,
      aud: DEV_API_AUDIENCE,
      sub: 'bank-hanbit-app',
      client_id: 'bank-hanbit-app',
      org: 'org-bank-hanbit',
      scope: 'records:query',
      jti: randomUUID(),
      iat: t,
      exp: t + 300,
      ...extra,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return payload;
  }

  async function signAsIdp(payload: JWTPayload, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: idpKey.kid, typ: 'at+jwt', ...header } as JWTHeaderParameters)
      .sign(idpKey.privateKey);
  }

  async function proof(key: DPoPKey, token: string, extra: JWTPayload = {}): Promise<string> {
    return new SignJWT({
      jti: randomUUID(),
      htm: 'GET',
      htu: meUrl,
      iat: nowSec(),
      ath: accessTokenHash(token),
      ...extra,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
      .sign(key.privateKey);
  }

  async function counts() {
    const [dpop] = await gateway.database.db('dpop_replay').count({ n: '*' });
    const [events] = await gateway.database.db('admin_event').count({ n: '*' });
    return { dpop: Number(dpop!.n), events: Number(events!.n), trapHits: trap.hits };
  }

  async function expect401(headers: Record<string, string>, detail?: RegExp): Promise<void> {
    const before = await counts();
    const response = await fetch(meUrl, { headers });
    const body = (await response.json()) as { code: string; status: number; detail: string };
    expect(response.status, JSON.stringify(body)).to.equal(401);
    expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).to.match(/^(Bearer|DPoP) /);
    expect(body).to.include({ code: 'unauthenticated', status: 401 });
    if (detail) expect(body.detail).to.match(detail);
    expect(await counts(), 'no other effect').to.deep.equal(before);
  }

  /** A well-formed DPoP-bound token for Hanbit signed with the IdP's key, with its DPoP key. */
  async function boundToken(extra: JWTPayload = {}, header: Partial<JWTHeaderParameters> = {}) {
    const key = await newDPoPKey();
    const token = await signAsIdp(claims({ cnf: { jkt: key.jkt }, ...extra }), header);
    return { key, token };
  }

  it('accepts the well-formed forged-by-us baseline (so each refusal below is about one defect)', async () => {
    const { key, token } = await boundToken();
    const response = await fetch(meUrl, {
      headers: { authorization: `DPoP ${token}`, dpop: await proof(key, token) },
    });
    expect(response.status).to.equal(200);
  });

  it('refuses alg none', async () => {
    const { token: good } = await boundToken();
    const unsigned = `${b64url({ alg: 'none', typ: 'at+jwt', kid: idpKey.kid })}.${good.split('.')[1]}.`;
    await expect401({ authorization: `Bearer ${unsigned}` }, /algorithm/);
  });

  it("refuses HS256 signed with the issuer's public key", async () => {
    const publicKey = (await importJWK(idpKey.publicJwk, 'ES256', { extractable: true })) as CryptoKey;
    for (const secret of [await exportSPKI(publicKey), JSON.stringify(idpKey.publicJwk)]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: idpKey.kid, typ: 'at+jwt' })
        .sign(new TextEncoder().encode(secret));
      await expect401({ authorization: `Bearer ${token}` }, /algorithm/);
    }
  });

  it('refuses an unknown kid', async () => {
    const stranger = await newSigningKey('ES256', 'unknown-kid');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: 'unknown-kid', typ: 'at+jwt' })
      .sign(stranger.privateKey);
    await expect401({ authorization: `Bearer ${token}` }, /key the issuer does not publish/);
  });

  it('refuses a wrong issuer, a wrong audience, an expired token and one not valid yet', async () => {
    const t = nowSec();
    const cases: [JWTPayload, RegExp][] = [
      [{ iss: 'https://evil.example' }, /trusted issuer/],
      [{ aud: 'urn:someone-else:api' }, /not meant for this API/],
      [{ iat: t - 600, exp: t - 61 - 5 }, /expired/],
      [{ nbf: t + 61 + 5 }, /not valid yet/],
    ];
    for (const [extra, detail] of cases) {
      const { key, token } = await boundToken(extra);
      await expect401({ authorization: `DPoP ${token}`, dpop: await proof(key, token) }, detail);
    }
  });

  it('ignores jku and x5u: no request goes to the URL a token names', async () => {
    const attacker = await newSigningKey('ES256', 'attacker');
    trap.hits = 0;
    for (const header of [{ jku: trap.url }, { x5u: trap.url }]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'ES256', kid: 'attacker', typ: 'at+jwt', ...header })
        .sign(attacker.privateKey);
      await expect401({ authorization: `Bearer ${token}` });
    }
    expect(trap.hits).to.equal(0);
  });

  it('refuses a real token once its organisation is suspended', async () => {
    const gaon = await bankClient(gateway, 'bank-gaon-app');
    await gaon.token(true);
    expect((await gaon.call(meUrl)).status).to.equal(200);
    const { organisations } = gateway.composition.services;
    await organisations.setOrganisationStatus('org-bank-gaon', 'suspended', 'battery', { id: 'test' });
    try {
      const token = (await gaon.token(true).catch(() => undefined)) ?? undefined;
      // The dev IdP still issues tokens (the resource server is where the check is): present one.
      const access =
        token ??
        (await signAsIdp(claims({ client_id: 'bank-gaon-app', sub: 'bank-gaon-app', org: 'org-bank-gaon' })));
      const key = {
        privateKey: gaon.dpopKeys.privateKey as CryptoKey,
        jwk: gaon.dpopJwk,
        jkt: await calculateJwkThumbprint(gaon.dpopJwk),
      };
      const bound = decodeJwt(access).cnf !== undefined;
      await expect401(
        bound
          ? { authorization: `DPoP ${access}`, dpop: await proof(key, access) }
          : { authorization: `Bearer ${access}` },
        /suspended/,
      );
    } finally {
      await organisations.setOrganisationStatus('org-bank-gaon', 'active', 'battery', { id: 'test' });
    }
  });

  it('refuses a DPoP-bound token without a proof, or sent as Bearer', async () => {
    const token = await hanbit.token(true);
    await expect401({ authorization: `DPoP ${token}` }, /DPoP header is required/);
    await expect401({ authorization: `Bearer ${token}` }, /DPoP scheme/);
  });

  it('refuses an unbound token from a client that must use DPoP', async () => {
    const token = await signAsIdp(claims());
    await expect401({ authorization: `Bearer ${token}` }, /must use a DPoP-bound access token/);
  });

  it('refuses a proof signed with another key than the token is bound to', async () => {
    const { token } = await boundToken();
    const other = await newDPoPKey();
    await expect401({ authorization: `DPoP ${token}`, dpop: await proof(other, token) }, /not bound to/);
  });

  it('refuses a replayed proof jti', async () => {
    const { key, token } = await boundToken();
    const once = await proof(key, token);
    const first = await fetch(meUrl, { headers: { authorization: `DPoP ${token}`, dpop: once } });
    expect(first.status).to.equal(200);
    await expect401({ authorization: `DPoP ${token}`, dpop: once }, /used before/);
  });

  it('refuses a proof for another URL or method', async () => {
    const { key, token } = await boundToken();
    await expect401(
      {
        authorization: `DPoP ${token}`,
        dpop: await proof(key, token, { htu: `${gateway.url}/v1/admin/organisations` }),
      },
      /htu/,
    );
    await expect401(
      { authorization: `DPoP ${token}`, dpop: await proof(key, token, { htm: 'POST' }) },
      /htm/,
    );
  });

  it('refuses other schemes and garbage, and never treats them as anonymous', async () => {
    await expect401({ authorization: 'Basic YWRtaW46YWRtaW4=' });
    await expect401({ authorization: 'Bearer not-a-jwt' });
    await expect401({ authorization: '' });
    // A public route with a bad token is still a 401, not an anonymous 200.
    const response = await fetch(`${gateway.url}/v1/purposes`, {
      headers: { authorization: 'Bearer x.y.z' },
    });
    expect(response.status).to.equal(401);
  });

  it('still serves the bank after the battery', async () => {
    await hanbit.token(true);
    expect((await hanbit.call(meUrl)).status).to.equal(200);
  });
});
