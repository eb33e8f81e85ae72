/**
 * Retention of the audit log (DESIGN §9): entry bodies live in monthly partitions of audit_entry;
 * past the retention period a whole month is dropped. The leaves stay in log_leaf, so every other
 * entry's proofs still verify; the dropped month's id range and count are recorded in
 * audit_retention, which the database verifier reads to tell a pruned body from a deleted one.
 * A month is never dropped while one of its entries still waits for the sequencer.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { BackgroundTask } from '../shared/types.js';

const PARTITION = /^audit_entry_p(\d{4})(\d{2})$/;

function monthStart(year: number, month0: number): Date {
  return new Date(Date.UTC(year, month0, 1));
}

function partitionName(d: Date): string {
  return `audit_entry_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Creates the monthly partitions from this month through `monthsAhead` months ahead. */
export async function ensurePartitions(db: Knex, now: Date, monthsAhead = 3): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i <= monthsAhead; i++) {
    const from = monthStart(now.getUTCFullYear(), now.getUTCMonth() + i);
    const to = monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1);
    const name = partitionName(from);
    const exists = await db.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_class WHERE relname = ?', [name]);
    if (exists.rows.length) continue;
    try {
      // DDL takes no bind parameters; the bounds are our own ISO timestamps, not input.
      await db.raw(
        `CREATE TABLE ${name} PARTITION OF audit_entry FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
      );
      created.push(name);
    } catch (err) {
      // Rows of that month already sit in the default partition (the maintainer was not running):
      // they stay there, are never dropped by retention, and the month is reported.
      if ((err as { code?: string }).code !== '23514') throw err;
    }
  }
  return created;
}

export interface DroppedMonth {
  partition: string;
  entries: number;
}

/** Drops every monthly partition that ends on or before `cutoff` and whose entries are all sequenced. */
export async function dropExpiredPartitions(
  db: Knex,
  cutoff: Date,
): Promise<{ dropped: DroppedMonth[]; kept: string[] }> {
  const { rows } = await db.raw<{ rows: { name: string }[] }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'audit_entry' ORDER BY c.relname`,
  );
  const dropped: DroppedMonth[] = [];
  const kept: string[] = [];
  for (const { name } of rows) {
    const m = PARTITION.exec(name);
    if (!m) continue;
    const from = monthStart(Number(m[1]), Number(m[2]) - 1);
    const to = monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1);
    if (to > cutoff) continue;
    const waiting = await db.raw<{ rows: unknown[] }>(
      `SELECT 1 FROM ${name} e JOIN audit_queue q ON q.entry_id = e.entry_id LIMIT 1`,
    );
    if (waiting.rows.length) {
      kept.push(name);
      continue;
    }
    await db.transaction(async (trx) => {
      const stats = (
        await trx.raw<{ rows: { first: number | null; last: number | null; n: number }[] }>(
          `SELECT min(entry_id) AS first, max(entry_id) AS last, count(*)::bigint AS n FROM ${name}`,
        )
      ).rows[0]!;
      await trx('audit_retention').insert({
        partition: name,
        range_from: from,
        range_to: to,
        first_entry_id: stats.first,
        last_entry_id: stats.last,
        entries: stats.n,
      });
      await trx.raw(`ALTER TABLE audit_entry DETACH PARTITION ${name}`);
      await trx.raw(`DROP TABLE ${name}`);
      dropped.push({ partition: name, entries: Number(stats.n) });
    });
  }
  return { dropped, kept };
}

/** First instant that is kept: the start of the month `months` months before `now`'s month. */
export function retentionCutoff(now: Date, months: number): Date {
  return monthStart(now.getUTCFullYear(), now.getUTCMonth() - months);
}

export function createRetentionTask(options: {
  db: Knex;
  logger: Logger;
  /** 0 keeps every month. */
  retentionMonths: number;
  intervalMs?: number;
  now?: () => Date;
}): BackgroundTask & { runOnce(): Promise<{ created: string[]; dropped: DroppedMonth[]; kept: string[] }> } {
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  async function runOnce() {
    const at = now();
    const created = await ensurePartitions(options.db, at);
    const result =
      options.retentionMonths > 0
        ? await dropExpiredPartitions(options.db, retentionCutoff(at, options.retentionMonths))
        : { dropped: [], kept: [] };
    if (created.length || result.dropped.length || result.kept.length) {
      options.logger.info({ created, dropped: result.dropped, waiting: result.kept }, 'audit retention');
    }
    return { created, ...result };
  }
  const tick = () => {
    running = runOnce().catch((err: unknown) => options.logger.error({ err }, 'audit retention failed'));
  };
  return {
    name: 'audit-retention',
    start() {
      tick();
      timer = setInterval(tick, options.intervalMs ?? 6 * 3_600_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
    runOnce,
  };
}
