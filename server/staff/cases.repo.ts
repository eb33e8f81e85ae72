/** knex only: the auditor's cases on anomaly flags (migration 080: anomaly_case). */
import type { Knex } from 'knex';

export type CaseStatus = 'open' | 'investigating' | 'closed';
export const CASE_STATUSES: readonly CaseStatus[] = ['open', 'investigating', 'closed'];

export interface FlagCase {
  flagKey: string;
  status: CaseStatus;
  note: string;
  updatedBy: string;
  updatedAt: Date;
}

interface CaseRow {
  flag_key: string;
  status: CaseStatus;
  note: string;
  updated_by: string;
  updated_at: Date;
}

const toCase = (r: CaseRow): FlagCase => ({
  flagKey: r.flag_key,
  status: r.status,
  note: r.note,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

export function createCasesRepo(db: Knex) {
  return {
    async byKeys(keys: string[]): Promise<Map<string, FlagCase>> {
      if (keys.length === 0) return new Map();
      const rows = (await db('anomaly_case').whereIn('flag_key', keys)) as CaseRow[];
      return new Map(rows.map((r) => [r.flag_key, toCase(r)]));
    },
    async save(c: {
      flagKey: string;
      kind: string;
      requester: string;
      windowStart: Date;
      status: CaseStatus;
      note: string;
      updatedBy: string;
    }): Promise<FlagCase> {
      const [row] = (await db('anomaly_case')
        .insert({
          flag_key: c.flagKey,
          kind: c.kind,
          requester: c.requester,
          window_start: c.windowStart,
          status: c.status,
          note: c.note,
          updated_by: c.updatedBy,
          updated_at: db.fn.now(),
        })
        .onConflict('flag_key')
        .merge(['status', 'note', 'updated_by', 'updated_at'])
        .returning('*')) as CaseRow[];
      return toCase(row!);
    },
  };
}

export type CasesRepo = ReturnType<typeof createCasesRepo>;
