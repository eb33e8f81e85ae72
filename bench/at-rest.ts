/**
 * `npx tsx bench/at-rest.ts`: what sealing answers kept for Idempotency-Key replay costs
 * (docs/data-at-rest.md). Two answers shaped like the gateway's: a clerk's one-record answer with its
 * signed copy (~3 KB, as test/api/queries/replay-at-rest.test.ts gets it) and a bank's three-record one
 * (~9 KB). Measured in this process:
 *   - CPU per answer: JSON encode (what was stored before) against JSON encode + seal, and JSON decode
 *     against open + decode (AES-256-GCM with a cached data key; AT_REST_N rounds, default 20,000);
 *   - per query against PostgreSQL: the claim and the completing update as they were (jsonb in clear)
 *     and as they are (sealed bytea, the real repo and ring), in alternating batches (AT_REST_DB_N, 1,000;
 *     medians of batches of 50). AT_REST_STORAGE=extended stores the sealed column as before migration 076
 *     (out of line in TOAST once over ~2 KB); AT_REST_N=0 skips the CPU part.
 * Uses DATABASE_URL's server (else 127.0.0.1:5432, else an embedded PostgreSQL); its own database is
 * dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataKeyRepo } from '../server/at-rest/data-key.repo.js';
import { createDataKeyRing, createSealer } from '../server/at-rest/envelope.js';
import { createDb } from '../server/db/db.js';
import { migrateLatest } from '../server/db/migrations.js';
import { FileKeyStore } from '../server/keys/file-key-store.js';
import { createQueriesRepo } from '../server/queries/queries.repo.js';
import { adminQuery, benchServer, withDatabase } from './lib/database.js';

const N = Number(process.env.AT_REST_N ?? 20_000);
const DB_N = Number(process.env.AT_REST_DB_N ?? 1_000);
const BATCH = 50;
const log = (line: string) => process.stderr.write(`${line}\n`);

function record(i: number) {
  return {
    recordType: 'resident.registration-abstract-individual',
    outcome: 'released',
    released: {
      name: '김민준',
      residentRegistrationNumber: '8503141234562',
      address: `강원특별자치도 춘천시 공지로 ${149 + i} (약사동)`,
      movedInDate: '2025-06-05',
      householdHeadName: '김민준',
      relationshipToHead: 'self',
    },
    fields: [
      'name',
      'residentRegistrationNumber',
      'address',
      'movedInDate',
      'householdHeadName',
      'relationshipToHead',
    ].map((name) => ({ name, form: 'full' })),
    withheld: [
      { name: 'personalDetailChanges', reason: 'policy_denied' },
      { name: 'addressHistory', reason: 'not_in_record' },
    ],
    policy: { id: 'resident.move-in-report', version: '1.0.0' },
    provenance: { holder: 'mois', provider: 'mois', retrievedAt: '2026-12-07T06:33:43.883Z' },
    audit: { entryId: 1000 + i, digest: '8wCr4sGzrDNHnsQEB2JmUPvNVnIaDuzQek1agpvlElA' },
    // A compact JWS of the size of the gateway's signed copy of this record (random: a JWS does not compress).
    signedCopy: `eyJhbGciOiJFUzI1NiJ9.${randomBytes(1290).toString('base64url')}.${randomBytes(64).toString('base64url')}`,
  };
}

const answer = (records: number) => ({
  queryId: 'a298d702-d7e5-4c2a-9d92-f6b3ecd91ca4',
  purpose: 'resident.move-in-report',
  mode: 'full',
  consent: { id: '43dbf0a7-58ff-4b9b-b9b3-0eec40d2383b', mode: 'statutory' },
  records: Array.from({ length: records }, (_, i) => record(i)),
});

const micros = (startNs: bigint, count: number) => Number(process.hrtime.bigint() - startNs) / 1000 / count;

async function cpu(sealer: ReturnType<typeof createSealer>, body: unknown) {
  const context = ['query_idempotency', 'clerk:bench', 'key', 'hash', '200'];
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const text = JSON.stringify(body);
  const sealed = await sealer.seal(encoder.encode(text), context);
  for (let i = 0; i < 2000; i++) await sealer.open(await sealer.seal(encoder.encode(text), context), context);
  let t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) JSON.stringify(body);
  const encode = micros(t, N);
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await sealer.seal(encoder.encode(JSON.stringify(body)), context);
  const encodeSeal = micros(t, N);
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) JSON.parse(text);
  const decode = micros(t, N);
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) JSON.parse(decoder.decode(await sealer.open(sealed, context)));
  const openDecode = micros(t, N);
  return {
    bytes: Buffer.byteLength(text),
    sealedBytes: sealed.sealed.length,
    encode,
    encodeSeal,
    decode,
    openDecode,
  };
}

async function main() {
  const server = await benchServer(log);
  const name = `juc_bench_at_rest_${process.pid}`;
  await adminQuery(server.url, `CREATE DATABASE ${name}`);
  const db = createDb({ url: withDatabase(server.url, name), poolMax: 4, statementTimeoutMs: 60_000 });
  const keyDir = mkdtempSync(join(tmpdir(), 'juc-bench-keys-'));
  try {
    await migrateLatest(db);
    const ring = createDataKeyRing({
      wrapper: await FileKeyStore.open({ dir: keyDir, allowGenerate: true }),
      repo: createDataKeyRepo(db),
      purpose: 'query-replay',
      rotationMs: 3_600_000,
    });
    const sealer = createSealer(ring);
    for (const records of N > 0 ? [1, 3] : []) {
      const r = await cpu(sealer, answer(records));
      log(
        `${records} record(s), ${r.bytes} B JSON -> ${r.sealedBytes} B sealed: ` +
          `store ${r.encode.toFixed(1)} -> ${r.encodeSeal.toFixed(1)} µs (+${(r.encodeSeal - r.encode).toFixed(1)}), ` +
          `replay ${r.decode.toFixed(1)} -> ${r.openDecode.toFixed(1)} µs (+${(r.openDecode - r.decode).toFixed(1)})`,
      );
    }

    // Per query against PostgreSQL: the old table shape beside the real one.
    await db.raw(`CREATE TABLE clear_replay (LIKE query_idempotency INCLUDING DEFAULTS)`);
    await db.raw(`ALTER TABLE clear_replay DROP COLUMN data_key_id, DROP COLUMN response_sealed, ADD COLUMN response jsonb,
      ADD PRIMARY KEY (requester, key)`);
    if (process.env.AT_REST_STORAGE) {
      await db.raw(
        `ALTER TABLE query_idempotency ALTER COLUMN response_sealed SET STORAGE ${process.env.AT_REST_STORAGE}`,
      );
    }
    const repo = createQueriesRepo(db);
    const body = answer(1);
    const expires = new Date(Date.now() + 600_000);
    const encoder = new TextEncoder();
    const clearBatch = async (from: number) => {
      for (let i = from; i < from + BATCH; i++) {
        await db('clear_replay').insert({
          requester: 'clerk:bench',
          key: `k${i}`,
          request_hash: 'h',
          expires_at: expires,
        });
        await db('clear_replay')
          .where({ requester: 'clerk:bench', key: `k${i}` })
          .update({ status_code: 200, response: JSON.stringify(body) });
      }
    };
    const sealedBatch = async (from: number) => {
      for (let i = from; i < from + BATCH; i++) {
        await repo.claimIdempotencyKey('clerk:bench', `k${i}`, 'h', expires);
        const context = ['query_idempotency', 'clerk:bench', `k${i}`, 'h', '200'];
        const sealed = await sealer.seal(encoder.encode(JSON.stringify(body)), context);
        await repo.completeIdempotencyKey('clerk:bench', `k${i}`, 200, sealed);
      }
    };
    const timed = async (run: (from: number) => Promise<void>, from: number) => {
      const t = process.hrtime.bigint();
      await run(from);
      return Number(process.hrtime.bigint() - t) / 1000 / BATCH;
    };
    // Alternating which goes first, so a slow moment of the shared machine falls on both alike.
    const clear: number[] = [];
    const sealed: number[] = [];
    for (let done = 0, round = 0; done < DB_N; done += BATCH, round++) {
      if (round % 2 === 0) {
        clear.push(await timed(clearBatch, done));
        sealed.push(await timed(sealedBatch, done));
      } else {
        sealed.push(await timed(sealedBatch, done));
        clear.push(await timed(clearBatch, done));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [size] = (
      await db.raw<{ rows: { size: string }[] }>(
        `SELECT pg_total_relation_size('query_idempotency') - pg_total_relation_size('clear_replay') AS size`,
      )
    ).rows;
    log(
      `per query with replay storage (claim + complete, ${DB_N} queries, median of batches of ${BATCH}): ` +
        `clear jsonb ${median(clear).toFixed(0)} µs, sealed bytea ${median(sealed).toFixed(0)} µs` +
        ` (storage ${process.env.AT_REST_STORAGE || 'main, migration 076'}; sealed table larger by ${Math.round(Number(size!.size) / 1024)} KiB)`,
    );
  } finally {
    await db.destroy();
    await adminQuery(server.url, `DROP DATABASE ${name}`);
    rmSync(keyDir, { recursive: true, force: true });
    await server.stop();
  }
}

await main();
