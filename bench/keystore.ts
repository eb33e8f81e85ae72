/**
 * `npx tsx bench/keystore.ts`: what signing costs with the keys in a PKCS#11 token (SoftHSM2, through
 * pkcs11js) against the file store, in the same run: one checkpoint (a C2SP signed note, Ed25519) and
 * one signed copy (compact JWS, ES256, over the canonical JSON of a ~1 KB record) per operation, the
 * way the checkpointer and the query service sign them. Prints median and p99 in µs per operation and
 * the verification of a sample with the public keys. Needs softhsm2 (apt-get install softhsm2); uses a
 * throwaway token under the temp dir. KS_N (2000) operations per case, after KS_N/10 of warm-up.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet } from 'jose';
import { ed25519Signer, signCheckpoint, verifierFromVkey, vkeyFor } from '../server/audit/checkpoint.js';
import { verifyNote } from '../server/audit/note.js';
import { FileKeyStore } from '../server/keys/file-key-store.js';
import type { ManagedKeyStore } from '../server/keys/key-store.js';
import { Pkcs11KeyStore } from '../server/keys/pkcs11-key-store.js';
import { createRecordSigner } from '../server/queries/signer.js';

const N = Number(process.env.KS_N ?? 2000);
const ORIGIN = 'bench.example/log';
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';

const record = {
  requestId: '7f9c2a4e-3b1d-4c8e-9a6f-2d5e8b1c4a70',
  recordType: 'resident.registration-abstract',
  holder: 'mois',
  subject: 'pairwise:Jb0h3o2mQy9bq7Yl1h8nS1kq9pX3uC4rT6wZ0vA5eF8',
  fields: {
    name: { ko: '김민준', en: 'KIM Minjun' },
    address: '서울특별시 종로구 세종대로 209 정부서울청사 3층',
    household: [
      { relation: 'self', name: '김민준', since: '2019-04-02' },
      { relation: 'spouse', name: '이서연', since: '2019-04-02' },
      { relation: 'child', name: '김하준', since: '2021-09-17' },
    ],
    movedIn: '2019-04-02',
    history: Array.from({ length: 6 }, (_, i) => ({
      from: `2010-0${i + 1}-01`,
      area: `경기도 성남시 분당구 ${i}`,
    })),
  },
  purpose: 'loan.mortgage-screening',
  releasedAt: '2026-03-01T09:00:00.000Z',
  audit: { entryId: 912345, digest: 'n4bQgYhMN6qkzB8bD9d9K3vD7kqG6m6yJX4kYc3Qd5A' },
};

function stats(us: number[]) {
  const sorted = [...us].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { median: Math.round(at(0.5)), p99: Math.round(at(0.99)) };
}

async function time(n: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await op(i);
    out.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return out;
}

async function measure(name: string, store: ManagedKeyStore) {
  const copies = createRecordSigner(store, 'https://juc.example');
  const checkpoint = (i: number) =>
    signCheckpoint({ origin: ORIGIN, size: 1000 + i, rootHash: new Uint8Array(32).fill(i & 0xff) }, [
      ed25519Signer(ORIGIN, store.current('checkpoint')),
    ]);
  const copy = (i: number) => copies.signRecord({ ...record, seq: i });
  await time(Math.ceil(N / 10), checkpoint);
  await time(Math.ceil(N / 10), copy);
  // Interleaved, so neither case gets a quieter machine than the other.
  const cp: number[] = [];
  const sc: number[] = [];
  for (let i = 0; i < N; i += 100) {
    cp.push(...(await time(100, checkpoint)));
    sc.push(...(await time(100, copy)));
  }
  const note = await checkpoint(1);
  await verifyNote(note, [verifierFromVkey(vkeyFor(ORIGIN, store.current('checkpoint').publicKey))]);
  await compactVerify(await copy(1), createLocalJWKSet(store.publicJwks() as never));
  return { store: name, checkpoint: stats(cp), signedCopy: stats(sc) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'juc-bench-keys-'));
  try {
    const file = await FileKeyStore.open({ dir: join(dir, 'file'), allowGenerate: true });
    mkdirSync(join(dir, 'tokens'));
    process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
    writeFileSync(
      process.env.SOFTHSM2_CONF,
      `directories.tokendir = ${join(dir, 'tokens')}\nlog.level = ERROR\n`,
    );
    execFileSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', 'bench', '--pin', '1234', '--so-pin', '5678'],
      {
        stdio: 'ignore',
      },
    );
    const hsm = await Pkcs11KeyStore.open({
      module: MODULE,
      tokenLabel: 'bench',
      pin: '1234',
      allowGenerate: true,
    });
    const rows = [];
    for (let round = 0; round < 2; round++) {
      rows.push(await measure('file', file), await measure('pkcs11 (SoftHSM2)', hsm));
    }
    await hsm.close();
    process.stdout.write(
      `signing cost per operation, µs (N=${N} per case, 2 rounds; node ${process.version})\n`,
    );
    process.stdout.write('store               round  checkpoint median/p99   signed copy median/p99\n');
    rows.forEach((r, i) => {
      const line = [
        r.store.padEnd(20),
        String(Math.floor(i / 2) + 1).padEnd(6),
        `${r.checkpoint.median} / ${r.checkpoint.p99}`.padEnd(24),
        `${r.signedCopy.median} / ${r.signedCopy.p99}`,
      ];
      process.stdout.write(line.join(' ') + '\n');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
