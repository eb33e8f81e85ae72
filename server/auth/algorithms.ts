/** DESIGN §7: the only JWS algorithms we accept, for access tokens and DPoP proofs alike. */
export const DEFAULT_ALGORITHMS: readonly string[] = Object.freeze(['ES256', 'EdDSA', 'PS256']);

// Asymmetric algorithms jose can verify; anything else (none, HS*, RS* with PKCS#1 v1.5) is a
// configuration mistake, refused when the verifier is built rather than at the first request.
const ACCEPTABLE = new Set(['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512']);

export function assertAlgorithms(algorithms: readonly string[]): readonly string[] {
  if (algorithms.length === 0) throw new Error('At least one JWS algorithm must be allowed.');
  for (const alg of algorithms) {
    if (!ACCEPTABLE.has(alg)) throw new Error(`JWS algorithm "${alg}" may not be allowed.`);
  }
  return Object.freeze([...algorithms]);
}
