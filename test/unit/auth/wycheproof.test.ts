// Wycheproof JWS / JWK vectors (test/fixtures/wycheproof, Apache-2.0, see SOURCE.md) against the
// verification path our access-token verifier uses: an inline key set accepted by
// createStaticKeySet (public keys only, unique kids), jose's JWS verification (jwtVerify is
// compactVerify plus claim checks; the vectors' payloads are not JWT claims, so the claim layer
// is exercised elsewhere) and our fixed algorithm allow-list.
//
// Expectation per vector: accepted  <=>  result is "valid" AND its alg is in DEFAULT_ALGORITHMS.
// Valid vectors outside the allow-list (HS*, RS*, ES512, PS384/512) must be *rejected* by us; for
// those we also check that jose alone, with the vector's own alg permitted, accepts them — so the
// rejection is our policy, not a mis-loaded vector. Exceptions to that baseline are listed in
// BASELINE_SKIPS with the reason.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { DEFAULT_ALGORITHMS } from '../../../server/auth/algorithms.js';
import { createStaticKeySet } from '../../../server/auth/jwks.js';

interface Vector {
  tcId: number | string;
  comment: string;
  jws: unknown;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}
interface Group {
  comment: string;
  public?: JWK | { keys: JWK[] };
  private?: JWK | { keys: JWK[] };
  tests: Vector[];
}

const fixtures = new URL('../../fixtures/wycheproof/', import.meta.url);
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(name, fixtures), 'utf8')) as { numberOfTests: number; testGroups: Group[] };

// Valid vectors that jose by itself refuses even with their alg allowed (all outside our allow-list).
const STRICT_BASE64 =
  'Wycheproof marks this valid because lenient base64url decoders drop the stray "?"; jose refuses ' +
  'characters outside the base64url alphabet, which is stricter and what we want. HS256 anyway.';
const BASELINE_SKIPS: Record<string, string> = {
  'json_web_signature_test.json#372': STRICT_BASE64,
  'json_web_signature_test.json#373': STRICT_BASE64,
};

function keySetOf(group: Group): { keys: JWK[] } {
  // Symmetric groups only ship a "private" (secret) key; handing it to createStaticKeySet is the
  // point: a verification key set must refuse it.
  const material = group.public ?? group.private;
  if (!material) throw new Error(`group ${group.comment} has no key`);
  return 'keys' in material ? material : { keys: [material] };
}

function headerAlg(jws: unknown): string | undefined {
  try {
    return typeof jws === 'string' ? decodeProtectedHeader(jws).alg : undefined;
  } catch {
    return undefined;
  }
}

async function oursAccepts(jws: unknown, jwks: { keys: JWK[] }): Promise<boolean> {
  try {
    const keys = createStaticKeySet(jwks);
    await compactVerify(jws as string, keys, { algorithms: [...DEFAULT_ALGORITHMS] });
    return true;
  } catch {
    return false;
  }
}

async function joseAloneAccepts(jws: string, jwks: { keys: JWK[] }): Promise<boolean> {
  const alg = headerAlg(jws);
  if (!alg) return false;
  try {
    await compactVerify(
      jws,
      async (header) => importJWK(jwks.keys.find((k) => k.kid === header.kid) ?? jwks.keys[0]!, header.alg),
      { algorithms: [alg] },
    );
    return true;
  } catch {
    return false;
  }
}

for (const file of ['json_web_signature_test.json', 'json_web_key_test.json']) {
  describe(`Wycheproof ${file}`, () => {
    const data = load(file);
    let acceptedByUs = 0;

    it('has the vectors SOURCE.md describes', () => {
      const count = data.testGroups.reduce((n, g) => n + g.tests.length, 0);
      expect(count).to.equal(data.numberOfTests);
    });

    for (const group of data.testGroups) {
      const ids = group.tests.map((t) => t.tcId);
      it(`group ${group.comment} (tcId ${ids[0]}..${ids[ids.length - 1]})`, async () => {
        const jwks = keySetOf(group);
        const wrong: string[] = [];
        for (const vector of group.tests) {
          const alg = headerAlg(vector.jws);
          const allowed = alg !== undefined && DEFAULT_ALGORITHMS.includes(alg);
          const expected = vector.result === 'valid' && allowed;
          const actual = await oursAccepts(vector.jws, jwks);
          if (actual) acceptedByUs++;
          if (actual !== expected) {
            wrong.push(`tcId ${vector.tcId} (${vector.comment}, ${alg}, ${vector.result}): ours=${actual}`);
          }
          if (vector.result === 'valid' && !allowed && !(`${file}#${vector.tcId}` in BASELINE_SKIPS)) {
            // Only meaningful when the key is one jose can use: our key-set rule rejects secrets.
            if (!(await joseAloneAccepts(vector.jws as string, jwks))) {
              wrong.push(
                `tcId ${vector.tcId} (${vector.comment}, ${alg}): jose baseline rejects a valid vector`,
              );
            }
          }
        }
        expect(wrong, wrong.join('\n')).to.deep.equal([]);
      });
    }

    it('accepted exactly the valid vectors inside the allow-list (so the run was not vacuous)', () => {
      const expected = data.testGroups
        .flatMap((g) => g.tests)
        .filter((t) => t.result === 'valid' && DEFAULT_ALGORITHMS.includes(headerAlg(t.jws) ?? '')).length;
      expect(acceptedByUs).to.equal(expected);
      if (file === 'json_web_signature_test.json') expect(acceptedByUs).to.be.greaterThan(5);
    });
  });
}
