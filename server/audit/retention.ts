/**
 * Retention of the audit log (DESIGN §9): entry bodies live in monthly partitions of audit_entry;
 * past the retention period a whole month is dropped. The leaves stay in log_leaf, so every other
 * entry's proofs still verify; the dropped month's id range and count are recorded in
 * audit_retention, which the database verifier reads to tell a pruned body from a deleted one.
 * A month is never dropped while one of its entries still waits for the sequencer.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/unit-of-work.js';
import { periodicTask } from '../shared/periodic-task.js';
import type { BackgroundTask } from '../shared/types.js';
import { createPartitionsRepo, type DroppedMonth, type PartitionsRepo } from './partitions.repo.js';

export type { DroppedMonth };

const PARTITION = /^audit_entry_p(\d{4})(\d{2})$/;

function monthStart(year: number, month0: number): Date {
  return new Date(Date.UTC(year, month0, 1));
}

function partitionName(d: Date): string {
  return `audit_entry_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Creates the monthly partitions from this month through `monthsAhead` months ahead. */
export async function ensurePartitions(repo: PartitionsRepo, now: Date, monthsAhead = 3): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i <= monthsAhead; i++) {
    const from = monthStart(now.getUTCFullYear(), now.getUTCMonth() + i);
    const to = monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1);
    const name = partitionName(from);
    if (await repo.exists(name)) continue;
    // Rows of that month may already sit in the default partition (the maintainer was not running):
    // then they stay there, are never dropped by retention, and the month is not reported.
    if (await repo.create(name, from, to)) created.push(name);
  }
  return created;
}

/** Drops every monthly partition that ends on or before `cutoff` and whose entries are all sequenced. */
export async function dropExpiredPartitions(
  repo: PartitionsRepo,
  cutoff: Date,
): Promise<{ dropped: DroppedMonth[]; kept: string[] }> {
  const dropped: DroppedMonth[] = [];
  const kept: string[] = [];
  for (const name of await repo.list()) {
    const m = PARTITION.exec(name);
    if (!m) continue;
    const from = monthStart(Number(m[1]), Number(m[2]) - 1);
    const to = monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1);
    if (to > cutoff) continue;
    if (await repo.hasQueued(name)) kept.push(name);
    else dropped.push(await repo.drop(name, from, to));
  }
  return { dropped, kept };
}

/** First instant that is kept: the start of the month `months` months before `now`'s month. */
export function retentionCutoff(now: Date, months: number): Date {
  return monthStart(now.getUTCFullYear(), now.getUTCMonth() - months);
}

export function createRetentionTask(options: {
  db: Database;
  logger: Logger;
  /** 0 keeps every month. */
  retentionMonths: number;
  intervalMs?: number;
  now?: () => Date;
}): BackgroundTask & { runOnce(): Promise<{ created: string[]; dropped: DroppedMonth[]; kept: string[] }> } {
  const now = options.now ?? (() => new Date());
  const repo = createPartitionsRepo(options.db);
  async function runOnce() {
    const at = now();
    const created = await ensurePartitions(repo, at);
    const result =
      options.retentionMonths > 0
        ? await dropExpiredPartitions(repo, retentionCutoff(at, options.retentionMonths))
        : { dropped: [], kept: [] };
    if (created.length || result.dropped.length || result.kept.length) {
      options.logger.info({ created, dropped: result.dropped, waiting: result.kept }, 'audit retention');
    }
    return { created, ...result };
  }
  return periodicTask({
    name: 'audit-retention',
    intervalMs: options.intervalMs ?? 6 * 3_600_000,
    run: runOnce,
    onError: (err) => options.logger.error({ err }, 'audit retention failed'),
    runAtStart: true,
  });
}
