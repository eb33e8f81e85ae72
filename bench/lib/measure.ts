/** What the bench reads off processes and the database around a scenario. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { childPids, type Child } from './procs.js';

/** I1: every 2xx answer that carried data has a committed `released` entry with its request id. */
export async function missingAudit(db: Knex, idsFile: string, afterEntryId: number): Promise<number> {
  const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as string[];
  if (ids.length === 0) return 0;
  const { rows } = await db.raw<{ rows: { missing: number }[] }>(
    `SELECT count(*)::int AS missing FROM unnest(?::text[]) AS a(id)
     WHERE NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.entry_id > ? AND e.request_id = a.id AND e.outcome = 'released')`,
    [ids, afterEntryId],
  );
  return rows[0]!.missing;
}

/** PostgreSQL backends serving one database (their CPU is the database's share of a request). */
export const backendPids = async (db: Knex, name: string): Promise<number[]> =>
  (
    (await db.raw<{ rows: { pid: number }[] }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()',
      [name],
    )) as { rows: { pid: number }[] }
  ).rows.map((r) => r.pid);

/** CPU milliseconds per answered request, per process group. */
export function perRequest(used: Record<string, number>, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of Object.entries(used)) {
    out[k] = requests ? Math.round((v * 100_000) / requests) / 100 : 0;
    total += v;
  }
  out.total = requests ? Math.round((total * 100_000) / requests) / 100 : 0;
  return out;
}

export const maxEntryId = async (db: Knex) =>
  Number((await db('audit_entry').max({ m: 'entry_id' }).first())?.m ?? 0);

export const gitSha = (root: string) => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'nogit';
  }
};

/** The cluster workers of a server started with node(): the primary's children. */
export function workerPids(child: Child): number[] {
  return childPids(child.proc.pid!);
}
