// What an audit leaf commits to, kept free of node:* so the browser verifier recomputes the same bytes.
import canonicalizeCjs from 'canonicalize';
import { concatBytes, utf8 } from './bytes.js';

// The package is CommonJS with an ES-style `export default` typing; under NodeNext the default import is the
// function itself at runtime, while the types see a namespace holding it.
const canonicalize = canonicalizeCjs as unknown as typeof canonicalizeCjs.default;

export const SALT_SIZE = 32;

/**
 * Fixed-length domain tag, then a fixed-length salt, then the body: each part's boundary is implied by its
 * position, so no two (salt, body) pairs share a preimage. The version lives in the tag; a v2 format gets a
 * new tag and can never collide with v1 leaves.
 */
export const COMMITMENT_DOMAIN = 'joint-use-center/audit-entry/v1\n';

/** RFC 8785 canonical JSON; rejects values JSON cannot represent instead of silently dropping them. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

export function commitmentPreimage(salt: Uint8Array, body: unknown): Uint8Array {
  if (salt.length !== SALT_SIZE) throw new RangeError(`salt must be ${SALT_SIZE} bytes`);
  return concatBytes(utf8(COMMITMENT_DOMAIN), salt, utf8(canonicalJson(body)));
}
