/**
 * Regression for reliability check F9: with the issuer's JWKS down, a token with an unknown kid
 * costs at most one fetch per cooldown (jose alone retried on every request after a failed fetch),
 * and the keys already held keep verifying.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, type FlattenedJWSInput } from 'jose';
import { createRemoteKeySet } from '../../server/auth/jwks.js';

const token = { payload: '', signature: '' } as FlattenedJWSInput;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JWKS refetch cooldown after a failed fetch (reliability F9)', () => {
  let server: Server;
  let fetches = 0;
  let up = true;
  let jwks: unknown;

  before(async () => {
    const { publicKey } = await generateKeyPair('ES256');
    jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
    server = createServer((_req, res) => {
      fetches++;
      if (!up) return res.writeHead(500).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches once per cooldown for unknown kids while the issuer is down; held keys still verify', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    const keys = createRemoteKeySet(url, { cooldownMs: 300, cacheMaxAgeMs: 60_000, timeoutMs: 2000 });
    await keys({ alg: 'ES256', kid: 'k1' }, token);
    expect(fetches).to.equal(1);
    up = false;
    await sleep(350);
    for (let i = 0; i < 5; i++) {
      const err = await Promise.resolve()
        .then(() => keys({ alg: 'ES256', kid: 'rotated-away' }, token))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err, `unknown kid, try ${i}`).to.be.instanceOf(Error);
    }
    expect(fetches, 'one failed refetch for five unknown kids').to.equal(2);
    await keys({ alg: 'ES256', kid: 'k1' }, token);
    expect(fetches).to.equal(2);
    await sleep(350);
    await Promise.resolve()
      .then(() => keys({ alg: 'ES256', kid: 'rotated-away' }, token))
      .catch(() => undefined);
    expect(fetches, 'a new cooldown, a new attempt').to.equal(3);
  });
});
