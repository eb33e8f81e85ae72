/**
 * The electronic certificate a bank keeps as evidence: a compact JWS over the RFC 8785 canonical
 * JSON of the released record, signed with our response-signature key, verifiable offline
 * against /.well-known/jwks.json.
 */
import { canonicalJson } from '../audit/commitment.js';
import { signCompact } from '../keys/jws.js';
import type { KeyStore } from '../keys/key-store.js';
import type { SignerPort } from './queries.ports.js';

export const SIGNED_RECORD_TYPE = 'record+jws';

export function createRecordSigner(keys: KeyStore, issuer: string): SignerPort {
  const encoder = new TextEncoder();
  return {
    async signRecord(payload) {
      const key = keys.current('response-signature');
      const body = encoder.encode(canonicalJson({ iss: issuer, ...payload }));
      return signCompact(key, { typ: SIGNED_RECORD_TYPE }, body);
    },
  };
}
