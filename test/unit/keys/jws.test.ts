import { generateKeyPairSync, sign } from 'node:crypto';
import { expect } from 'chai';
import { compactVerify, decodeProtectedHeader, jwtVerify } from 'jose';
import { signCompact, signJwt } from '../../../server/keys/jws.js';
import type { SigningKey } from '../../../server/keys/key-store.js';

function es256Key(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid,
    purpose: 'response-signature',
    alg: 'ES256',
    publicKey,
    jwk: {},
    createdAt: new Date(0),
    sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  };
}

describe('JWS through a key-store key', () => {
  it('builds a compact JWS that jose verifies, alg and kid taken from the key', async () => {
    const key = es256Key('k-1');
    const jws = await signCompact(key, { typ: 'record+jws' }, Buffer.from('{"a":"가"}'));
    expect(jws.split('.')[0]).to.equal(
      Buffer.from('{"alg":"ES256","kid":"k-1","typ":"record+jws"}').toString('base64url'),
    );
    const { payload } = await compactVerify(jws, key.publicKey);
    expect(Buffer.from(payload).toString('utf8')).to.equal('{"a":"가"}');
    const token = await signJwt(key, { typ: 'consent+jwt' }, { sub: 's', exp: 4_000_000_000 });
    expect((await jwtVerify(token, key.publicKey)).payload).to.deep.equal({ sub: 's', exp: 4_000_000_000 });
    expect(decodeProtectedHeader(token)).to.deep.equal({ alg: 'ES256', kid: 'k-1', typ: 'consent+jwt' });
  });

  it('a signature by another key does not verify', async () => {
    const jws = await signCompact(es256Key('k-1'), {}, Buffer.from('x'));
    let refused = false;
    await compactVerify(jws, es256Key('k-1').publicKey).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });
});
