import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  commitEntry,
  commitmentFor,
  COMMITMENT_DOMAIN,
  newSalt,
  openCommitment,
  subjectKey,
} from '../../../server/audit/commitment.js';
import { hex } from './fixtures.js';

const body = {
  v: 1,
  received_at: '2026-01-02T03:04:05.678Z',
  purpose_code: 'loan-screening',
  document_type: 'resident-registration-abstract',
  outcome: 'released',
};

describe('audit/commitment', () => {
  it('commits to SHA-256(domain || salt || RFC 8785 JSON), independent of key order', () => {
    const salt = new Uint8Array(32).fill(0xab);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const expected = createHash('sha256')
      .update(COMMITMENT_DOMAIN)
      .update(salt)
      .update(
        '{"document_type":"resident-registration-abstract","outcome":"released","purpose_code":"loan-screening",' +
          '"received_at":"2026-01-02T03:04:05.678Z","v":1}',
      )
      .digest();
    expect(hex(commitmentFor(body, salt))).to.equal(hex(expected));
    expect(hex(commitmentFor(reordered, salt))).to.equal(hex(expected));
  });

  // Computed here and cross-checked with Python's hashlib; changing it means a new format version.
  it('pins the v1 format with a golden value', () => {
    const salt = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(COMMITMENT_DOMAIN).to.equal('joint-use-center/audit-entry/v1\n');
    expect(hex(commitmentFor({ c: [1e21, null], b: 'é', a: 1 }, salt))).to.equal(
      '1c9147b7b3a5b12327528d17aeccacb51fa6d36d1a14269791cbe440ac010d6d',
    );
  });

  it('opens with the right body and salt only', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const { salt, leafData } = commitEntry(a);
        expect(salt).to.have.length(32);
        expect(openCommitment(a, salt, leafData)).to.equal(true);
        expect(openCommitment(b, salt, leafData)).to.equal(canonicalJson(a) === canonicalJson(b));
        expect(openCommitment(a, newSalt(), leafData)).to.equal(false);
      }),
      { numRuns: 200 },
    );
  });

  it('hides the body: equal bodies under fresh salts give unrelated leaves', () => {
    expect(hex(commitEntry(body).leafData)).to.not.equal(hex(commitEntry(body).leafData));
  });

  it('treats malformed openings as non-openings and refuses bad input when committing', () => {
    const { salt, leafData } = commitEntry(body);
    expect(openCommitment(body, salt.subarray(1), leafData)).to.equal(false);
    expect(openCommitment(body, salt, leafData.subarray(1))).to.equal(false);
    expect(() => commitmentFor(body, new Uint8Array(16))).to.throw(RangeError);
    expect(() => commitmentFor(undefined, salt)).to.throw(TypeError);
    expect(() => commitmentFor({ n: NaN }, salt)).to.throw();
  });

  it('derives subject keys as HMAC-SHA256 hex', () => {
    // RFC 4231 test case 6 (key longer than the block size).
    expect(
      subjectKey(Buffer.alloc(131, 0xaa), 'Test Using Larger Than Block-Size Key - Hash Key First'),
    ).to.equal('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
    const pepper = Buffer.alloc(32, 1);
    const key = subjectKey(pepper, '900101-1234567');
    expect(key).to.match(/^[0-9a-f]{64}$/);
    expect(key).to.equal(subjectKey(pepper, '900101-1234567'));
    expect(key).to.not.equal(subjectKey(Buffer.alloc(32, 2), '900101-1234567'));
    expect(key).to.not.equal(subjectKey(pepper, '900101-1234568'));
    expect(() => subjectKey(Buffer.alloc(16), 'x')).to.throw(RangeError);
  });
});
