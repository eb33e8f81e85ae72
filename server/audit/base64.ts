/** Proof hashes, leaves and salts as the API's base64. */
// Buffer rather than bytes.ts's portable loop: a history page encodes hundreds of proof hashes.
export const b64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
