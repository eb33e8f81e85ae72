/**
 * Consent-token failures answer in our own words (issue 17 item 6): every way a token can fail
 * jose's checks is 403 consent_invalid with a plain-words detail, no response carries a library code
 * (ERR_JOSE_...), and each refusal is audited like any other.
 */
import { createHmac, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import {
  HANBIT,
  MINJUN_ID,
  citizen,
  decideOnScreen,
  mortgageRequest,
  seedConsentWorld,
} from './consent-fixtures.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS built by hand, so the test can make tokens no well-behaved library would sign. */
function compact(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signer: (input: string) => Buffer,
) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${signer(input).toString('base64url')}`;
}
const es256 = (key: KeyObject) => (input: string) =>
  sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });

describe('consent-token errors in our own words', function () {
  this.timeout(60_000);
  let t: TestApp;
  let realToken: string;

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
    const created = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest());
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const decided = await decideOnScreen(
      t,
      created.body.id,
      citizen(t, MINJUN_ID, 'citizen-minjun'),
      'approve',
      [],
    );
    expect(decided.status).to.be.oneOf([200, 303]);
    const token = await request(t.app)
      .post(`/v1/consents/${created.body.id}/token`)
      .set(...asPrincipal(HANBIT));
    expect(token.status, JSON.stringify(token.body)).to.equal(200);
    realToken = token.body.token;
  });

  async function query(token: string) {
    return request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({
        purpose: 'loan.mortgage-screening',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: [{ recordType: 'resident.registration-abstract' }],
        consent: { token },
      });
  }

  it('maps every jose failure to consent_invalid with a plain-words detail', async () => {
    const header = decodeProtectedHeader(realToken) as Record<string, unknown>;
    const claims = decodeJwt(realToken) as Record<string, unknown>;
    // The store signs without handing out its key; these hand-made tokens need it, so read its file.
    const { kid } = t.composition.keys.current('consent-token');
    const file = join(t.config.keyStoreDir, 'consent-token', `${kid}.json`);
    const ours = createPrivateKey({ key: JSON.parse(readFileSync(file, 'utf8')).privateJwk, format: 'jwk' });
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const past = Math.floor(Date.now() / 1000) - 3600;
    const cases: [string, string, string][] = [
      [
        'alg none',
        `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`,
        'The consent token is signed with an algorithm consent tokens do not use (ES256 only).',
      ],
      [
        'HS256',
        compact({ ...header, alg: 'HS256' }, claims, (input) =>
          createHmac('sha256', 'secret').update(input).digest(),
        ),
        'The consent token is signed with an algorithm consent tokens do not use (ES256 only).',
      ],
      [
        'a foreign key under our kid',
        compact(header, claims, es256(foreign)),
        'The consent token signature is not valid.',
      ],
      [
        'expired',
        compact(header, { ...claims, iat: past - 300, nbf: past - 300, exp: past }, es256(ours)),
        'The consent token has expired.',
      ],
      [
        'not yet valid',
        compact(header, { ...claims, nbf: past + 7200 }, es256(ours)),
        'The consent token is not valid yet.',
      ],
      [
        'wrong typ',
        compact({ ...header, typ: 'JWT' }, claims, es256(ours)),
        'The token is not a consent token (typ must be consent+jwt).',
      ],
      [
        'wrong audience',
        compact(header, { ...claims, aud: 'https://elsewhere.example' }, es256(ours)),
        'The consent token is not meant for this service.',
      ],
      [
        'missing claim',
        compact(header, { ...claims, rec_hash: undefined }, es256(ours)),
        'The consent token lacks the claim "rec_hash".',
      ],
      [
        'unknown critical header',
        compact({ ...header, crit: ['x-ours'], 'x-ours': 1 }, claims, es256(ours)),
        'The consent token uses a header or algorithm this service does not support.',
      ],
      ['not a JWS', 'abc.def.ghi', 'The consent token is malformed.'],
      [
        'payload not JSON',
        `${b64(header)}.${Buffer.from('not json').toString('base64url')}.${es256(ours)(`${b64(header)}.${Buffer.from('not json').toString('base64url')}`).toString('base64url')}`,
        'The consent token is malformed.',
      ],
    ];
    for (const [name, token, detail] of cases) {
      const res = await query(token);
      expect(res.status, `${name}: ${res.text}`).to.equal(403);
      expect(res.body.code, name).to.equal('consent_invalid');
      expect(res.body.detail, name).to.equal(detail);
      expect(res.text, name).not.to.match(/ERR_JOSE|JWS|JWT[A-Z]|JOSE/);
      const rows = await t.database.db('audit_entry').where({ request_id: res.body.requestId });
      expect(
        rows.map((r) => [r.outcome, r.reason_code]),
        name,
      ).to.deep.equal([['denied', 'consent_invalid']]);
    }
  });

  it('still accepts the genuine token', async () => {
    const res = await query(realToken);
    expect(res.status, res.text).to.not.equal(403);
  });
});
