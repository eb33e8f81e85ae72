/** knex only: what auditors read — entries by requester, and the patterns behind anomaly flags. */
import type { Knex } from 'knex';

export interface AuditorEntryFilters {
  organisation?: string | undefined;
  clerk?: string | undefined;
  client?: string | undefined;
  purpose?: string | undefined;
  recordType?: string | undefined;
  outcome?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface AuditorEntryRow {
  entry_id: number;
  created_at: Date;
  subject_key: string;
  outcome: string;
  reason_code: string | null;
  requester_org: string;
  client_id: string | null;
  clerk_ref: string | null;
  purpose_code: string;
  record_type: string;
  consent_id: string | null;
  consent_mode: string | null;
  body: string;
  idx: number | null;
}

/** One read of the access log by an auditor or administrator (migration 080: staff_access_log). */
export interface StaffRead {
  actor: string;
  action: 'entries.read' | 'entries.export' | 'anomalies.read' | 'case.read' | 'case.updated';
  detail: Record<string, unknown>;
  resultCount?: number | undefined;
  requestId?: string | undefined;
}

export interface AnomalyThresholds {
  harvestSubjectsPerHour: number;
  offHoursEntriesPerNight: number;
  denialsPerHour: number;
}

export function createAuditorRepo(db: Knex) {
  return {
    async recordRead(read: StaffRead): Promise<void> {
      await db('staff_access_log').insert({
        actor: read.actor,
        action: read.action,
        detail: JSON.stringify(read.detail),
        result_count: read.resultCount ?? null,
        request_id: read.requestId ?? null,
      });
    },

    async entries(filters: AuditorEntryFilters, page: { limit: number; before?: number | undefined }) {
      return (await db('audit_entry as e')
        .leftJoin('log_leaf as l', 'l.entry_id', 'e.entry_id')
        .modify((q) => {
          if (filters.organisation) q.where('e.requester_org', filters.organisation);
          if (filters.clerk) q.where('e.clerk_ref', filters.clerk);
          if (filters.client) q.where('e.client_id', filters.client);
          if (filters.purpose) q.where('e.purpose_code', filters.purpose);
          if (filters.recordType) q.where('e.record_type', filters.recordType);
          if (filters.outcome) q.where('e.outcome', filters.outcome);
          if (filters.from) q.where('e.created_at', '>=', filters.from);
          if (filters.to) q.where('e.created_at', '<', filters.to);
          if (page.before) q.where('e.entry_id', '<', page.before);
        })
        .orderBy('e.entry_id', 'desc')
        .limit(page.limit + 1)
        .select(
          'e.entry_id',
          'e.created_at',
          'e.subject_key',
          'e.outcome',
          'e.reason_code',
          'e.requester_org',
          'e.client_id',
          'e.clerk_ref',
          'e.purpose_code',
          'e.record_type',
          'e.consent_id',
          'e.consent_mode',
          'e.body',
          'l.idx',
        )) as AuditorEntryRow[];
    },

    /**
     * Three patterns, each per requester (client or clerk, else the organisation):
     * many distinct subjects in an hour, many accesses at night (22:00–06:00 in Korea), and
     * repeated refusals in an hour.
     */
    async anomalies(from: Date, to: Date, t: AnomalyThresholds) {
      const { rows } = await db.raw<{
        rows: { kind: string; requester: string; window_start: Date; window_end: Date; count: number }[];
      }>(
        `WITH scoped AS (
           SELECT coalesce('client:' || client_id, 'clerk:' || clerk_ref, 'org:' || requester_org) AS requester,
                  created_at, subject_key, outcome
             FROM audit_entry
            WHERE created_at >= :from AND created_at < :to
         )
         SELECT 'harvesting' AS kind, requester, date_trunc('hour', created_at) AS window_start,
                date_trunc('hour', created_at) + interval '1 hour' AS window_end, count(DISTINCT subject_key)::int AS count
           FROM scoped GROUP BY requester, date_trunc('hour', created_at)
         HAVING count(DISTINCT subject_key) > :harvest
         UNION ALL
         SELECT 'off_hours_bulk', requester,
                date_trunc('day', created_at AT TIME ZONE 'Asia/Seoul' + interval '2 hours') AT TIME ZONE 'Asia/Seoul' - interval '2 hours',
                date_trunc('day', created_at AT TIME ZONE 'Asia/Seoul' + interval '2 hours') AT TIME ZONE 'Asia/Seoul' + interval '6 hours',
                count(*)::int
           FROM scoped
          WHERE extract(hour FROM created_at AT TIME ZONE 'Asia/Seoul') >= 22
             OR extract(hour FROM created_at AT TIME ZONE 'Asia/Seoul') < 6
          GROUP BY requester, date_trunc('day', created_at AT TIME ZONE 'Asia/Seoul' + interval '2 hours')
         HAVING count(*) > :offHours
         UNION ALL
         SELECT 'repeated_denials', requester, date_trunc('hour', created_at),
                date_trunc('hour', created_at) + interval '1 hour', count(*)::int
           FROM scoped WHERE outcome = 'denied'
          GROUP BY requester, date_trunc('hour', created_at)
         HAVING count(*) >= :denials
         ORDER BY 3 DESC, 1, 2`,
        {
          from: from.toISOString(),
          to: to.toISOString(),
          harvest: t.harvestSubjectsPerHour,
          offHours: t.offHoursEntriesPerNight,
          denials: t.denialsPerHour,
        },
      );
      return rows;
    },
  };
}

export type AuditorRepo = ReturnType<typeof createAuditorRepo>;
