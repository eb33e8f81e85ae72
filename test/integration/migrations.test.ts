import { expect } from 'chai';
import { cpSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_DIR, migratorConfig } from '../../server/db/migrations.js';
import { knexAuditRepo } from '../../server/audit/audit.repo.js';
import { createAuditService } from '../../server/audit/audit.service.js';
import { freshDatabase } from '../support/database.js';
import { entryFor, subjectOf } from './audit/helpers.js';

async function tables(db: import('knex').Knex): Promise<string[]> {
  const rows = await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename');
  return (rows as string[]).filter((t) => !t.startsWith('knex_')).sort();
}

describe('migrations', function () {
  this.timeout(120_000);

  it('run all up, all down and all up again', async () => {
    const { db } = await freshDatabase({ migrate: false });
    const config = migratorConfig();
    const [, firstUp] = (await db.migrate.latest(config)) as [number, string[]];
    expect(firstUp.length).to.be.greaterThan(0);
    const schema = await tables(db);
    expect(schema).to.include('service_meta');
    await db.migrate.rollback(config, true);
    expect(await tables(db)).to.deep.equal([]);
    const [, secondUp] = (await db.migrate.latest(config)) as [number, string[]];
    expect(secondUp).to.deep.equal(firstUp);
    expect(await tables(db)).to.deep.equal(schema);
  });

  it('records names without extensions so .ts and built .js files share one database', async () => {
    const { db } = await freshDatabase({ migrate: false });
    await db.migrate.latest(migratorConfig());
    const names = (await db('knex_migrations').orderBy('id').pluck('name')) as string[];
    expect(names.length).to.be.greaterThan(0);
    expect(names.every((n) => !/\.(ts|js)$/.test(n))).to.equal(true);

    // The same migrations as .js files (as a build would emit) are already applied.
    const built = mkdtempSync(join(tmpdir(), 'juc-built-migrations-'));
    cpSync(MIGRATIONS_DIR, built, { recursive: true });
    for (const file of readdirSync(built))
      renameSync(join(built, file), join(built, file.replace(/\.ts$/, '.js')));
    const [, pending] = (await db.migrate.list(migratorConfig(built))) as [unknown[], unknown[]];
    expect(pending).to.deep.equal([]);
  });

  it("073 fills existing queue rows' subject and embargo from their entries", async () => {
    const { db } = await freshDatabase();
    const config = migratorConfig();
    const service = createAuditService({ repo: knexAuditRepo(db), logKeys: () => [] });
    const later = new Date(Date.now() + 86_400_000);
    await service.appendMany([
      entryFor(subjectOf('m-A')),
      entryFor(subjectOf('m-B'), { embargoUntil: later }),
    ]);
    const before = await db('audit_queue')
      .orderBy('entry_id')
      .select('entry_id', 'subject_key', 'embargo_until');
    expect(before.map((r: { subject_key: string }) => r.subject_key)).to.deep.equal([
      subjectOf('m-A'),
      subjectOf('m-B'),
    ]);
    // Later migrations go down first, one at a time, until 073 itself is undone.
    const undone: string[] = [];
    while (!undone.includes('073_audit_queue_subject')) {
      const [, down] = (await db.migrate.down(config)) as [number, string[]];
      expect(down).to.have.length(1);
      undone.push(...down);
    }
    expect(undone.at(-1)).to.equal('073_audit_queue_subject');
    expect(await db('audit_queue').columnInfo()).to.not.have.property('subject_key');
    await db.migrate.up(config);
    const after = await db('audit_queue')
      .orderBy('entry_id')
      .select('entry_id', 'subject_key', 'embargo_until');
    expect(after).to.deep.equal(before);
  });

  it('keeps one change per file, each with up and down', async () => {
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      expect(file).to.match(/^\d{3}_[a-z0-9_]+\.ts$/);
      const mod = (await import(join(MIGRATIONS_DIR, file))) as { up?: unknown; down?: unknown };
      expect(mod.up, file).to.be.a('function');
      expect(mod.down, file).to.be.a('function');
    }
  });
});
