/** knex only: the clerk's recent queries, read from the audit log (one row per record type asked for). */
import type { Knex } from 'knex';

export interface RecentQueryEntry {
  entryId: number;
  requestId: string;
  at: Date;
  purposeCode: string;
  recordType: string;
  outcome: 'released' | 'denied' | 'provider_error';
  reasonCode: string | null;
  consentMode: 'citizen' | 'attested' | 'statutory' | null;
}

export interface ConsoleRepo {
  recentQueries(orgId: string, clerkRef: string, limit: number): Promise<RecentQueryEntry[]>;
}

export function createConsoleRepo(db: Knex): ConsoleRepo {
  return {
    async recentQueries(orgId, clerkRef, limit) {
      // audit_entry_org_created (requester_org, created_at) serves this; clerk_ref filters within the org.
      const rows = (await db('audit_entry')
        .where({ requester_org: orgId, clerk_ref: clerkRef })
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'entry_id', order: 'desc' },
        ])
        .limit(limit)
        .select(
          'entry_id',
          'request_id',
          'created_at',
          'purpose_code',
          'record_type',
          'outcome',
          'reason_code',
          'consent_mode',
        )) as {
        entry_id: string | number;
        request_id: string;
        created_at: Date;
        purpose_code: string;
        record_type: string;
        outcome: RecentQueryEntry['outcome'];
        reason_code: string | null;
        consent_mode: RecentQueryEntry['consentMode'];
      }[];
      return rows.map((r) => ({
        entryId: Number(r.entry_id),
        requestId: r.request_id,
        at: new Date(r.created_at),
        purposeCode: r.purpose_code,
        recordType: r.record_type,
        outcome: r.outcome,
        reasonCode: r.reason_code,
        consentMode: r.consent_mode,
      }));
    },
  };
}
