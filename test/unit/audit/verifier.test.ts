import { expect } from 'chai';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { toBase64 } from '../../../server/audit/bytes.js';
import {
  cosignatureSigner,
  ed25519PrivateKeyFromSeed,
  ed25519Signer,
  signCheckpoint,
  vkeyFor,
} from '../../../server/audit/checkpoint.js';
import { commitEntry } from '../../../server/audit/commitment.js';
import { CompactRange } from '../../../server/audit/compact-range.js';
import { consistencyProof, inclusionProof, leafHash } from '../../../server/audit/merkle.js';
import {
  verifyCheckpointConsistency,
  verifyEntryInclusion,
  type FailureReason,
} from '../../../server/audit/verifier.js';

const ORIGIN = 'audit.example/log/v1';
const logKey = ed25519PrivateKeyFromSeed(createHash('sha256').update('verifier test log').digest());
const witnessKey = generateKeyPairSync('ed25519').privateKey;
const LOG_VKEY = vkeyFor(ORIGIN, logKey);
const WITNESS_VKEY = vkeyFor('witness.example/w1', witnessKey, 4);
const signers = [ed25519Signer(ORIGIN, logKey), cosignatureSigner('witness.example/w1', witnessKey)];

/** A small log of 13 committed entries with checkpoints at every size. */
const entries = Array.from({ length: 13 }, (_, i) => ({ v: 1, n: i, purpose_code: `p${i % 3}` }));
const commitments = entries.map((body) => commitEntry(body));
const leafHashes = commitments.map((c) => leafHash(c.leafData));

async function checkpointAt(size: number): Promise<string> {
  const range = new CompactRange();
  range.append(leafHashes.slice(0, size));
  return signCheckpoint({ origin: ORIGIN, size, rootHash: range.root() }, signers);
}

function expectFailure(result: { ok: boolean; reason?: FailureReason }, reason: FailureReason): void {
  expect(result.ok).to.equal(false);
  expect(result.reason).to.equal(reason);
}

describe('audit/verifier (WebCrypto)', () => {
  let cp7: string;
  let cp13: string;
  before(async () => {
    cp7 = await checkpointAt(7);
    cp13 = await checkpointAt(13);
  });

  const entryInput = (index: number, size: number, checkpoint: () => string) => ({
    logKey: LOG_VKEY,
    witnessKeys: [WITNESS_VKEY],
    checkpoint: checkpoint(),
    entry: { body: entries[index], salt: toBase64(commitments[index]!.salt), index },
    proof: inclusionProof(leafHashes, index, size).map(toBase64),
  });

  it('accepts every entry of the log, with base64 or raw inputs', async () => {
    for (let i = 0; i < 13; i++) {
      const result = await verifyEntryInclusion(entryInput(i, 13, () => cp13));
      expect(result.ok, `entry ${i}`).to.equal(true);
    }
    const raw = await verifyEntryInclusion({
      logKey: LOG_VKEY,
      checkpoint: cp7,
      entry: { body: entries[3], salt: commitments[3]!.salt, index: 3, leafData: commitments[3]!.leafData },
      proof: inclusionProof(leafHashes, 3, 7),
    });
    expect(raw.ok).to.equal(true);
    if (raw.ok) {
      expect(raw.checkpoint.size).to.equal(7);
      expect(raw.signatures.map((s) => s.name)).to.deep.equal([ORIGIN]);
    }
  });

  it('reports the witness cosignature time', async () => {
    const result = await verifyEntryInclusion(entryInput(0, 13, () => cp13));
    expect(result.ok && result.signatures[1]?.timestamp).to.be.a('number');
  });

  it('names the reason an entry fails', async () => {
    const base = entryInput(4, 13, () => cp13);
    expectFailure(
      await verifyEntryInclusion({ ...base, entry: { ...base.entry, body: entries[5] } }),
      'inclusion_invalid',
    );
    expectFailure(
      await verifyEntryInclusion({ ...base, entry: { ...base.entry, leafData: commitments[5]!.leafData } }),
      'commitment_mismatch',
    );
    expectFailure(
      await verifyEntryInclusion({ ...base, entry: { ...base.entry, index: 5 } }),
      'inclusion_invalid',
    );
    expectFailure(
      await verifyEntryInclusion({ ...base, entry: { ...base.entry, index: 13 } }),
      'inclusion_invalid',
    );
    expectFailure(await verifyEntryInclusion({ ...base, proof: base.proof.slice(1) }), 'inclusion_invalid');
    expectFailure(await verifyEntryInclusion({ ...base, proof: ['not base64!'] }), 'proof_malformed');
    expectFailure(
      await verifyEntryInclusion({ ...base, proof: [toBase64(new Uint8Array(31))] }),
      'proof_malformed',
    );
    expectFailure(
      await verifyEntryInclusion({ ...base, entry: { ...base.entry, salt: 'AAAA' } }),
      'entry_malformed',
    );
    expectFailure(await verifyEntryInclusion({ ...base, checkpoint: cp7 }), 'inclusion_invalid');
  });

  it('names the reason a checkpoint fails', async () => {
    const base = entryInput(2, 13, () => cp13);
    const otherLog = vkeyFor(ORIGIN, generateKeyPairSync('ed25519').privateKey);
    expectFailure(await verifyEntryInclusion({ ...base, logKey: otherLog }), 'checkpoint_unsigned');
    expectFailure(
      await verifyEntryInclusion({ ...base, checkpoint: cp13.replace('\n13\n', '\n14\n') }),
      'checkpoint_signature_invalid',
    );
    expectFailure(
      await verifyEntryInclusion({ ...base, checkpoint: cp13.slice(0, -1) }),
      'checkpoint_malformed',
    );
    expectFailure(await verifyEntryInclusion({ ...base, origin: 'other.example/log' }), 'origin_mismatch');
    expectFailure(
      await verifyEntryInclusion({ ...base, logKey: LOG_VKEY.replace(/\+[0-9a-f]{8}\+/, '+00000000+') }),
      'key_invalid',
    );
  });

  it('accepts consistent checkpoints and rejects forks and shrinking', async () => {
    const keys = { logKey: LOG_VKEY, witnessKeys: [WITNESS_VKEY] };
    const proof = consistencyProof(leafHashes, 7, 13).map(toBase64);
    const ok = await verifyCheckpointConsistency({ ...keys, oldCheckpoint: cp7, newCheckpoint: cp13, proof });
    expect(ok.ok).to.equal(true);
    if (ok.ok) expect([ok.old.checkpoint.size, ok.new.checkpoint.size]).to.deep.equal([7, 13]);
    const same = await verifyCheckpointConsistency({
      ...keys,
      oldCheckpoint: cp13,
      newCheckpoint: cp13,
      proof: [],
    });
    expect(same.ok).to.equal(true);
    expectFailure(
      await verifyCheckpointConsistency({ ...keys, oldCheckpoint: cp13, newCheckpoint: cp7, proof }),
      'size_decreased',
    );
    expectFailure(
      await verifyCheckpointConsistency({
        ...keys,
        oldCheckpoint: cp7,
        newCheckpoint: cp13,
        proof: proof.slice(1),
      }),
      'consistency_invalid',
    );

    // A log that rewrote entry 2 after signing size 7: both checkpoints verify, the proof cannot link them.
    const forkedLeaves = leafHashes.map((h, i) =>
      i === 2 ? leafHash(commitEntry({ v: 1, n: 99 }).leafData) : h,
    );
    const forkedRange = new CompactRange();
    forkedRange.append(forkedLeaves);
    const forked13 = await signCheckpoint(
      { origin: ORIGIN, size: 13, rootHash: forkedRange.root() },
      signers,
    );
    const forkProof = consistencyProof(forkedLeaves, 7, 13).map(toBase64);
    expectFailure(
      await verifyCheckpointConsistency({
        ...keys,
        oldCheckpoint: cp7,
        newCheckpoint: forked13,
        proof: forkProof,
      }),
      'consistency_invalid',
    );
    expectFailure(
      await verifyCheckpointConsistency({ ...keys, oldCheckpoint: cp13, newCheckpoint: forked13, proof: [] }),
      'checkpoint_fork',
    );
  });

  it('treats the empty tree as the start of every log, but only with the empty root', async () => {
    const keys = { logKey: LOG_VKEY };
    const empty = await checkpointAt(0);
    expect(
      (await verifyCheckpointConsistency({ ...keys, oldCheckpoint: empty, newCheckpoint: cp7, proof: [] }))
        .ok,
    ).to.equal(true);
    const bogus = await signCheckpoint({ origin: ORIGIN, size: 0, rootHash: leafHashes[0]! }, signers);
    expectFailure(
      await verifyCheckpointConsistency({ ...keys, oldCheckpoint: bogus, newCheckpoint: cp7, proof: [] }),
      'checkpoint_fork',
    );
  });

  it('labels which checkpoint of a pair is bad', async () => {
    const result = await verifyCheckpointConsistency({
      logKey: LOG_VKEY,
      oldCheckpoint: cp7,
      newCheckpoint: cp13.replace('\n13\n', '\n12\n'),
      proof: [],
    });
    expectFailure(result, 'checkpoint_signature_invalid');
    expect(!result.ok && result.detail).to.match(/^new checkpoint/);
  });
});
