/**
 * SQL statements and transactions per request, counted by PostgreSQL: transactions from
 * pg_stat_database (xact_commit + xact_rollback), statements from pg_stat_statements (calls,
 * BEGIN/COMMIT/ROLLBACK left out) when the server preloads it, with the most frequent statements
 * as the evidence of where the database's share goes. A backend reports its pg_stat_database
 * counts when idle for ~1 s (at most 10 s later), so both ends of a window wait for the counts to
 * settle; pg_stat_statements counts as each statement ends.
 */
import type { Knex } from 'knex';

interface Snapshot {
  xacts: number;
  statements: Map<string, { query: string; calls: number; execMs: number }> | undefined;
}

export interface SqlPerRequest {
  transactions: number;
  statements: number | null;
  /** The statements most often run in the window: calls and execution ms per request. */
  top: { query: string; calls: number; execMs: number }[];
}

const SETTLE_MS = 11_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function sqlStats(db: Knex, dbName: string) {
  let statementsAvailable = false;
  try {
    await db.raw('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.raw('SELECT 1 FROM pg_stat_statements LIMIT 1');
    statementsAvailable = true;
  } catch {
    statementsAvailable = false;
  }
  const snapshot = async (): Promise<Snapshot> => {
    const { rows } = await db.raw<{ rows: { x: string }[] }>(
      'SELECT xact_commit + xact_rollback AS x FROM pg_stat_database WHERE datname = ?',
      [dbName],
    );
    if (!statementsAvailable) return { xacts: Number(rows[0]!.x), statements: undefined };
    const { rows: s } = await db.raw<{
      rows: { id: string; query: string; calls: string; exec: number }[];
    }>(
      `SELECT queryid::text || ':' || toplevel::text AS id, query, calls, total_exec_time AS exec
         FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = ?)
          AND upper(query) NOT IN ('BEGIN', 'COMMIT', 'ROLLBACK')`,
      [dbName],
    );
    return {
      xacts: Number(rows[0]!.x),
      statements: new Map(s.map((r) => [r.id, { query: r.query, calls: Number(r.calls), execMs: r.exec }])),
    };
  };
  return {
    available: statementsAvailable,
    /** Starts a window once the counts of what ran before it have settled. */
    async start(): Promise<{ stop(requests: number): Promise<SqlPerRequest> }> {
      await sleep(SETTLE_MS);
      const first = await snapshot();
      return {
        async stop(requests: number): Promise<SqlPerRequest> {
          await sleep(SETTLE_MS);
          const last = await snapshot();
          const per = (n: number) => (requests ? n / requests : 0);
          let statements: number | null = null;
          const top: SqlPerRequest['top'] = [];
          if (first.statements && last.statements) {
            let calls = 0;
            for (const [id, s] of last.statements) {
              const before = first.statements.get(id);
              const delta = {
                query: s.query.replace(/\s+/g, ' ').slice(0, 160),
                calls: s.calls - (before?.calls ?? 0),
                execMs: s.execMs - (before?.execMs ?? 0),
              };
              calls += delta.calls;
              if (delta.calls > 0) top.push(delta);
            }
            statements = round(per(calls));
            top.sort((a, b) => b.calls - a.calls);
          }
          return {
            transactions: round(per(last.xacts - first.xacts)),
            statements,
            top: top.slice(0, 12).map((t) => ({
              query: t.query,
              calls: round(per(t.calls), 3),
              execMs: round(per(t.execMs), 3),
            })),
          };
        },
      };
    },
  };
}
