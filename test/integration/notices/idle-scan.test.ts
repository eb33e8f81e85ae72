// The notifier's scan looks before it locks: with nothing sequenced past its cursor, a look is one
// statement (no transaction, no row lock); with new entries it takes the locked scan and moves on.
import { expect } from 'chai';
import pino from 'pino';
import { knexAuditRepo } from '../../../server/audit/audit.repo.js';
import { createAuditService } from '../../../server/audit/audit.service.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { createDeliveryRepo } from '../../../server/notices/delivery.repo.js';
import { createNotifier } from '../../../server/portal/notifications.js';
import { ANYTHING_AFTER_CURSOR, createPortalRepo } from '../../../server/portal/portal.repo.js';
import { freshDatabase } from '../../support/database.js';
import { entryFor, subjectOf } from '../audit/helpers.js';

const logger = pino({ level: 'silent' });

describe('notifier: an idle scan is one statement', function () {
  this.timeout(30_000);

  it('looks in one statement, and scans under the cursor lock only when entries are new', async () => {
    const { db } = await freshDatabase();
    const service = createAuditService({ repo: knexAuditRepo(db), logKeys: () => [] });
    const sequencer = createSequencer({ db, logger, intervalMs: 20, batchSize: 100 });
    const notifier = createNotifier({
      repo: createPortalRepo(db),
      delivery: createDeliveryRepo(db),
      sinks: [],
      logger,
    });
    const statements: string[] = [];
    const seen = (q: { sql: string }) => statements.push(q.sql);
    const cursor = async () =>
      Number(((await db('notification_cursor').first()) as { last_idx: string | number }).last_idx);
    db.on('query', seen);
    const look = async () => {
      statements.length = 0;
      await notifier.scanOnce();
      return [...statements];
    };
    try {
      const idle = await look();
      expect(idle).to.have.length(1);
      expect(idle[0]).to.match(/notification_cursor/);

      const from = await cursor();
      await service.appendMany([entryFor(subjectOf('scan-A')), entryFor(subjectOf('scan-B'))]);
      while ((await sequencer.runOnce()) > 0);
      const busy = await look();
      expect(busy.some((sql) => /FOR UPDATE SKIP LOCKED/.test(sql))).to.equal(true);
      expect(await cursor()).to.be.greaterThan(from);

      const idleAgain = await look();
      expect(idleAgain).to.have.length(1);
    } finally {
      db.removeListener('query', seen);
    }
  });

  it('finds the log end by one probe of the index, however long the log', async () => {
    const { db } = await freshDatabase();
    const plan = await db.raw<{ rows: { 'QUERY PLAN': unknown }[] }>(
      `EXPLAIN (FORMAT JSON) ${ANYTHING_AFTER_CURSOR}`,
    );
    type PlanNode = {
      'Node Type': string;
      'Relation Name'?: string;
      'Scan Direction'?: string;
      Plans?: PlanNode[];
    };
    const scans: PlanNode[] = [];
    const walk = (node: PlanNode) => {
      if (node['Relation Name'] === 'subject_index') scans.push(node);
      node.Plans?.forEach(walk);
    };
    walk((plan.rows[0]!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan);
    expect(scans.map((n) => [n['Node Type'], n['Scan Direction']])).to.deep.equal([
      ['Index Only Scan', 'Backward'],
    ]);
  });
});
