import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import pino from 'pino';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { vkeyFor } from '../../../server/audit/checkpoint.js';
import { createCheckpointer } from '../../../server/audit/checkpointer.js';
import { verifyDatabase } from '../../../server/audit/db-verifier.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { createDb } from '../../../server/db/db.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { onStopAll } from '../../support/resources.js';
import { freshDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from './helpers.js';

const ORIGIN = 'tamper.example/audit/v1';
const logger = pino({ level: 'silent' });

async function admin(url: string, sql: string): Promise<void> {
  const u = new URL(url);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('audit log: tampering on a copy of the database is found at its index', function () {
  this.timeout(30_000);
  let templateUrl: string;
  let templateName: string;
  let logKeys: string[];

  before(async () => {
    const t = await freshDatabase();
    const keys = await FileKeyStore.open({
      dir: mkdtempSync(join(tmpdir(), 'juc-keys-')),
      allowGenerate: true,
    });
    logKeys = keys.verifyingKeys('checkpoint').map((k) => vkeyFor(ORIGIN, k.publicKey));
    const service = createAuditService({
      repo: knexAuditRepo(t.db),
      logKeys: () => logKeys,
    });
    const sequencer = createSequencer({ db: t.db, logger, intervalMs: 20, batchSize: 16 });
    const checkpointer = createCheckpointer({ db: t.db, logger, keys, origin: ORIGIN, minIntervalMs: 0 });
    const subjects = ['A', 'B', 'C'].map(subjectOf);
    for (let i = 0; i < 40; i++) await service.append(entryFor(subjects[i % 3]!));
    await sequencer.runOnce();
    await checkpointer.publish(true);
    const clean = await verifyDatabase(t.db, { logKeys, origin: ORIGIN });
    expect(clean.ok, clean.problems.join('; ')).to.equal(true);
    await t.db.destroy();
    templateUrl = t.url;
    templateName = t.name;
  });

  /** A copy of the populated database, with triggers off for this session as a superuser could. */
  async function copy(): Promise<{ db: Knex; client: pg.Client }> {
    const name = `${templateName}_c${randomBytes(3).toString('hex')}`;
    await admin(templateUrl, `CREATE DATABASE ${name} TEMPLATE ${templateName}`);
    const u = new URL(templateUrl);
    u.pathname = `/${name}`;
    const db = createDb({ url: u.toString(), poolMax: 2, statementTimeoutMs: 15000 });
    const client = new pg.Client({ connectionString: u.toString() });
    await client.connect();
    await client.query('SET session_replication_role = replica');
    onStopAll(async () => {
      await client.end().catch(() => undefined);
      await db.destroy();
      await admin(templateUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    return { db, client };
  }

  it('an edited entry body', async () => {
    const { db, client } = await copy();
    await client.query(
      `UPDATE audit_entry SET body = replace(body, '"org-bank-a"', '"org-bank-b"')
       WHERE entry_id = (SELECT entry_id FROM log_leaf WHERE idx = 17)`,
    );
    const report = await verifyDatabase(db, { logKeys, origin: ORIGIN });
    expect(report.ok).to.equal(false);
    expect(report.firstBadIndex).to.equal(17);
  });

  it('an edited body with a recomputed digest and filter columns', async () => {
    const { db, client } = await copy();
    await client.query(
      `UPDATE audit_entry SET body = replace(body, '"released"', '"denied"'), outcome = 'denied',
         digest = sha256(convert_to(replace(body, '"released"', '"denied"'), 'UTF8'))
       WHERE entry_id = (SELECT entry_id FROM log_leaf WHERE idx = 5)`,
    );
    const report = await verifyDatabase(db, { logKeys, origin: ORIGIN });
    expect(report.firstBadIndex).to.equal(5);
    expect(report.problems.join('\n')).to.match(/index 5: leaf does not open/);
  });

  it('a deleted entry', async () => {
    const { db, client } = await copy();
    await client.query('DELETE FROM subject_index WHERE idx = 23');
    await client.query('DELETE FROM log_leaf WHERE idx = 23');
    const report = await verifyDatabase(db, { logKeys, origin: ORIGIN });
    expect(report.firstBadIndex).to.equal(23);
    expect(report.problems[0]).to.match(/index 23: missing/);
  });

  it('two entries swapped (reordered)', async () => {
    const { db, client } = await copy();
    await client.query(`
      UPDATE log_leaf l SET leaf_data = o.leaf_data, leaf_hash = o.leaf_hash, salt = o.salt
      FROM log_leaf o WHERE (l.idx, o.idx) IN ((31, 32), (32, 31))`);
    const report = await verifyDatabase(db, { logKeys, origin: ORIGIN });
    expect(report.firstBadIndex).to.equal(31);
  });

  it('a whole rewritten tail (leaves, nodes and heads recomputed) still contradicts the signed checkpoint', async () => {
    const { db, client } = await copy();
    // Drop the last entry and every derived row, as an operator hiding it would.
    await client.query('DELETE FROM subject_index WHERE idx = 39');
    await client.query('DELETE FROM log_leaf WHERE idx = 39');
    await client.query('DELETE FROM tree_node WHERE (idx + 1) * (1::bigint << level) - 1 >= 39');
    await client.query('DELETE FROM tree_head WHERE size = 40');
    await client.query(
      `DELETE FROM audit_entry e WHERE NOT EXISTS (SELECT 1 FROM log_leaf l WHERE l.entry_id = e.entry_id)`,
    );
    const report = await verifyDatabase(db, { logKeys, origin: ORIGIN });
    expect(report.ok).to.equal(false);
    expect(report.problems.join('\n')).to.match(/checkpoint of size 40 is beyond the leaves/);
  });
});
