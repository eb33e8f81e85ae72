/**
 * The data key ring against PostgreSQL and a file key store: one data key per period, rotation with the
 * KEK, values sealed before a rotation still open in a fresh process, associated data binding, and
 * retirement of data keys nothing needs any more.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataKeyRepo } from '../../../server/at-rest/data-key.repo.js';
import { createDataKeyRing, createSealer, SealError } from '../../../server/at-rest/envelope.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-07T00:00:00Z');
const ANSWER = new TextEncoder().encode(
  JSON.stringify({ released: { name: '이서연', address: '서울특별시 종로구' } }),
);

describe('envelope encryption: data key ring', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let keyDir: string;
  let clock = T0;
  const now = () => new Date(clock);

  before(async () => {
    database = await freshDatabase();
    keyDir = mkdtempSync(join(tmpdir(), 'juc-at-rest-'));
  });
  after(() => rmSync(keyDir, { recursive: true, force: true }));

  /** A key store as a gateway process opens it (its KEK under <dir>/data-key). */
  const store = () => FileKeyStore.open({ dir: keyDir, allowGenerate: true, now });
  const ring = async (keys?: FileKeyStore) =>
    createDataKeyRing({
      wrapper: keys ?? (await store()),
      repo: createDataKeyRepo(database.db),
      purpose: 'query-replay',
      rotationMs: 60 * MINUTE,
      now,
    });

  async function refuse(promise: Promise<unknown>, message: RegExp) {
    try {
      await promise;
    } catch (err) {
      expect(err).to.be.instanceOf(SealError);
      expect((err as Error).message).to.match(message);
      return;
    }
    expect.fail('opened');
  }

  it('seals one period with one data key, stored only wrapped, and opens in a fresh process', async () => {
    clock = T0;
    const sealer = createSealer(await ring());
    const a = await sealer.seal(ANSWER, ['query_idempotency', 'clerk:c1', 'key-a']);
    clock = T0 + 59 * MINUTE;
    const b = await sealer.seal(ANSWER, ['query_idempotency', 'clerk:c1', 'key-b']);
    expect(b.dataKeyId).to.equal(a.dataKeyId);
    expect(Buffer.from(a.sealed).equals(Buffer.from(b.sealed)), 'fresh IV per value').to.equal(false);
    expect(a.sealed.length).to.equal(1 + 12 + ANSWER.length + 16);

    const rows = await database.db('data_key');
    expect(rows).to.have.length(1);
    expect(rows[0].wrapped).to.match(/^kw1\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/);
    expect(rows[0].created_at.getTime()).to.equal(T0);

    const fresh = createSealer(await ring());
    expect(Buffer.from(await fresh.open(a, ['query_idempotency', 'clerk:c1', 'key-a'])).toString()).to.equal(
      new TextDecoder().decode(ANSWER),
    );
  });

  it('refuses a value opened for another row, another key or another purpose of its data key', async () => {
    clock = T0;
    const sealer = createSealer(await ring());
    const sealed = await sealer.seal(ANSWER, ['query_idempotency', 'clerk:c1', 'key-c']);
    await refuse(sealer.open(sealed, ['query_idempotency', 'clerk:c1', 'key-d']), /does not authenticate/);
    await refuse(sealer.open(sealed, ['query_idempotency', 'clerk:c2', 'key-c']), /does not authenticate/);
    // Part boundaries count: ["a","bc"] is not ["ab","c"].
    await refuse(sealer.open(sealed, ['query_idempotency', 'clerk:c1k', 'ey-c']), /does not authenticate/);
    await database.db('data_key').where({ id: sealed.dataKeyId }).update({ purpose: 'other' });
    await refuse(
      createSealer(await ring()).open(sealed, ['query_idempotency', 'clerk:c1', 'key-c']),
      /is a other key/,
    );
    await database.db('data_key').where({ id: sealed.dataKeyId }).update({ purpose: 'query-replay' });
  });

  it('makes a new data key after the period, under the KEK current then, and old values still open', async () => {
    clock = T0;
    const running = await store();
    const first = createSealer(await ring(running));
    const before = await first.seal(ANSWER, ['row-1']);
    const oldKek = running.list().find((k) => k.purpose === 'data-key' && !k.retiredAt)!.kid;

    // The operator rotates the KEK in another process (the keys CLI); the server reloads its store.
    clock = T0 + 30 * MINUTE;
    const newKek = (await (await store()).rotate('data-key', 0)).kid;
    await running.reload();

    // Within the period the running process keeps its data key; after it, a new one under the new KEK.
    const same = await first.seal(ANSWER, ['row-2']);
    expect(same.dataKeyId).to.equal(before.dataKeyId);
    clock = T0 + 61 * MINUTE;
    const after = await first.seal(ANSWER, ['row-3']);
    expect(after.dataKeyId).not.to.equal(before.dataKeyId);
    const [stored] = await database.db('data_key').where({ id: after.dataKeyId });
    expect(stored.wrapped.split('.')[1]).to.equal(newKek);
    const [older] = await database.db('data_key').where({ id: before.dataKeyId });
    expect(older.wrapped.split('.')[1]).to.equal(oldKek);

    const fresh = createSealer(await ring());
    expect(Buffer.from(await fresh.open(before, ['row-1'])).toString()).to.equal(
      new TextDecoder().decode(ANSWER),
    );
    expect(Buffer.from(await fresh.open(after, ['row-3'])).toString()).to.equal(
      new TextDecoder().decode(ANSWER),
    );

    // Without the old KEK (destroyed too early) the old value is refused, not opened.
    const oldPath = join(keyDir, 'data-key', `${oldKek}.json`);
    const old = readFileSync(oldPath, 'utf8');
    rmSync(oldPath);
    await refuse(createSealer(await ring()).open(before, ['row-1']), /does not unwrap/);
    writeFileSync(oldPath, old, { mode: 0o600 });
  });

  it('retires a data key only once no process seals with it and no stored answer names it', async () => {
    await database.db('data_key').delete();
    clock = T0;
    const keys = await ring();
    const sealed = await createSealer(keys).seal(ANSWER, ['query_idempotency', 'clerk:c1', 'key-r']);
    await database.db('query_idempotency').insert({
      requester: 'clerk:c1',
      key: 'key-r',
      request_hash: 'h',
      status_code: 200,
      data_key_id: sealed.dataKeyId,
      response_sealed: Buffer.from(sealed.sealed),
      expires_at: new Date(T0 + 10 * MINUTE),
    });

    clock = T0 + 64 * MINUTE; // past the period, within the grace for other processes' clocks
    expect(await keys.retire()).to.deep.equal([]);
    clock = T0 + 66 * MINUTE; // past period and grace, but a stored answer still names it
    expect(await keys.retire()).to.deep.equal([]);
    await database.db('query_idempotency').where({ key: 'key-r' }).delete();
    expect(await keys.retire()).to.deep.equal([sealed.dataKeyId]);
    expect(await database.db('data_key')).to.have.length(0);
    await refuse(createSealer(keys).open(sealed, ['query_idempotency', 'clerk:c1', 'key-r']), /not stored/);
  });
});
