/**
 * A requester's evidence, verifiable offline with three pinned things only: our JWKS (the signed-copy
 * key), the log key and the witness keys (a C2SP tlog-policy). The bundle is the signed copy of a
 * released record and the receipt of its audit entry once sequenced (`GET /v1/log/receipts/{entryId}`):
 *
 *   signed copy ──audit.{entryId, digest}──┐
 *   receipt attestation (JWS, same key) ───┴─ binds them to (index, leaf)
 *   leaf ─> leaf hash ─inclusion proof─> root of the checkpoint ─> log signature + witness quorum
 *
 * The copy is signed before its entry is sequenced, so it cannot carry the proof itself; the
 * attestation is signed when the receipt is read. The leaf is a salted commitment the requester cannot
 * open (the entry belongs to the citizen, who can: their history shows the same entry, whose
 * SHA-256 is the digest), so the link from digest to leaf is our signed statement, now public in a
 * witnessed log: a false one is evidence against us. Format: docs/log-formats.md §14.
 */
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { canonicalJson } from './preimage.js';
import { bytesEqual, fromBase64 } from './bytes.js';
import { checkWitnessedCheckpoint, leafHash, verifyInclusionProof } from './verifier.js';
import type { WitnessPolicy } from './witness-policy.js';
import type { ReceiptBinding } from './audit.ports.js';
import { signCompact } from '../keys/jws.js';
import type { KeyStore } from '../keys/key-store.js';

export const RECEIPT_ATTESTATION_TYPE = 'audit-receipt+jws';
/** The signed copy's JWS type (server/queries/signer.ts). */
export const SIGNED_COPY_TYPE = 'record+jws';

/** Signs receipt bindings with the current signed-copy key, under the same issuer as the copies. */
export function receiptAttester(
  keys: KeyStore,
  issuer: string,
): (binding: ReceiptBinding) => Promise<string> {
  return (binding) =>
    signCompact(
      keys.current('response-signature'),
      { typ: RECEIPT_ATTESTATION_TYPE },
      new TextEncoder().encode(canonicalJson({ iss: issuer, ...binding })),
    );
}

export interface EvidenceBundle {
  signedCopy: string;
  receipt: {
    entryId: number;
    status: string;
    index: number;
    leafHash: string;
    treeSize: number;
    proof: string[];
    checkpoint: string;
    digest: string;
    leaf: string;
    attestation: string;
  };
}

export interface EvidenceReport {
  ok: boolean;
  entryId: number | null;
  index: number | null;
  treeSize: number | null;
  issuer: string | null;
  recordType: string | null;
  /** Policy names of the witnesses whose cosignatures verified. */
  cosignedBy: string[];
  problems: string[];
}

async function verifyJws(jws: unknown, jwks: JSONWebKeySet, typ: string): Promise<Record<string, unknown>> {
  if (typeof jws !== 'string') throw new Error('not a compact JWS');
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks));
  if (protectedHeader.typ !== typ) throw new Error(`typ is ${String(protectedHeader.typ)}, expected ${typ}`);
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
}

export async function verifyEvidence(
  bundle: EvidenceBundle,
  trust: { jwks: JSONWebKeySet; policy: WitnessPolicy },
): Promise<EvidenceReport> {
  const report: EvidenceReport = {
    ok: false,
    entryId: null,
    index: null,
    treeSize: null,
    issuer: null,
    recordType: null,
    cosignedBy: [],
    problems: [],
  };
  const bad = (problem: string) => report.problems.push(problem);
  const receipt = bundle.receipt;
  if (receipt?.status !== 'included') {
    bad('the receipt is not included yet: fetch it again once the entry is sequenced');
    return report;
  }

  let copy: Record<string, unknown>;
  let attested: Record<string, unknown>;
  try {
    copy = await verifyJws(bundle.signedCopy, trust.jwks, SIGNED_COPY_TYPE);
  } catch (err) {
    bad(`signed copy: ${(err as Error).message}`);
    return report;
  }
  try {
    attested = await verifyJws(receipt.attestation, trust.jwks, RECEIPT_ATTESTATION_TYPE);
  } catch (err) {
    bad(`receipt attestation: ${(err as Error).message}`);
    return report;
  }
  const audit = copy.audit as { entryId?: unknown; digest?: unknown } | undefined;
  report.issuer = typeof copy.iss === 'string' ? copy.iss : null;
  report.recordType = typeof copy.recordType === 'string' ? copy.recordType : null;
  report.entryId = typeof audit?.entryId === 'number' ? audit.entryId : null;

  // The signed statements, not the receipt's unsigned members, are what bind.
  if (attested.iss !== copy.iss) bad('the attestation and the copy name different issuers');
  if (attested.entryId !== audit?.entryId || attested.digest !== audit?.digest)
    bad("the attestation is not about the copy's audit entry (entryId and digest differ)");
  if (
    attested.index !== receipt.index ||
    attested.leaf !== receipt.leaf ||
    attested.entryId !== receipt.entryId
  )
    bad('the receipt does not match what the attestation signs (entryId, index or leaf)');
  let leaf: Uint8Array;
  let claimedHash: Uint8Array;
  let proof: Uint8Array[];
  try {
    leaf = fromBase64(String(attested.leaf));
    claimedHash = fromBase64(receipt.leafHash);
    proof = receipt.proof.map(fromBase64);
  } catch {
    bad('leaf, leaf hash or proof is not base64');
    return report;
  }
  const hash = await leafHash(leaf);
  if (!bytesEqual(hash, claimedHash)) bad('the leaf hash is not SHA-256(0x00 || leaf)');

  const witnessed = await checkWitnessedCheckpoint(receipt.checkpoint, trust.policy);
  if (!witnessed.ok) {
    bad(`checkpoint: ${witnessed.reason} (${witnessed.detail})`);
    return report;
  }
  report.cosignedBy = witnessed.cosignedBy;
  const { size, rootHash } = witnessed.checkpoint;
  report.treeSize = size;
  report.index = typeof attested.index === 'number' ? attested.index : null;
  if (receipt.treeSize !== size) bad(`treeSize ${receipt.treeSize} is not the checkpoint's ${size}`);
  const inclusion = await verifyInclusionProof(hash, Number(attested.index), size, proof, rootHash);
  if (!inclusion.ok) bad(`inclusion: ${inclusion.reason}`);
  report.ok = report.problems.length === 0;
  return report;
}
