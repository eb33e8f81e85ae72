/** knex only: protection orders. */
import type { Knex } from 'knex';
import type { ActingParty, PartyKind, ProtectionOrder } from './protections.types.js';

interface Row {
  id: string;
  subject_key: string;
  party_kind: PartyKind;
  party_ref: string;
  party_label: string | null;
  registered_by: 'citizen' | 'admin';
  registrar: string;
  court_order_ref: string | null;
  created_at: Date;
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
}

const fromRow = (r: Row): ProtectionOrder => ({
  id: r.id,
  subjectKey: r.subject_key,
  partyKind: r.party_kind,
  partyRef: r.party_ref,
  partyLabel: r.party_label,
  registeredBy: r.registered_by,
  registrar: r.registrar,
  courtOrderRef: r.court_order_ref,
  createdAt: r.created_at,
  withdrawnAt: r.withdrawn_at,
  withdrawnBy: r.withdrawn_by,
});

/**
 * Whether an order in force bars any of the named parties (null: that kind is not acting), as an
 * SQL boolean over the given parameter expressions. Shared with the query gateway's admission
 * statement (server/queries/queries.repo.ts), which asks it in the same round trip as the budget.
 */
export function orderInForceSql(subject: string, org: string, clerk: string, person: string): string {
  return `EXISTS (SELECT 1 FROM protection_order WHERE subject_key = ${subject} AND withdrawn_at IS NULL
    AND ((party_kind = 'organisation' AND party_ref = ${org}) OR (party_kind = 'clerk' AND party_ref = ${clerk})
      OR (party_kind = 'person' AND party_ref = ${person})))`;
}

export function createProtectionsRepo(db: Knex) {
  const table = () => db<Row>('protection_order');
  return {
    async insert(order: ProtectionOrder): Promise<void> {
      await table().insert({
        id: order.id,
        subject_key: order.subjectKey,
        party_kind: order.partyKind,
        party_ref: order.partyRef,
        party_label: order.partyLabel,
        registered_by: order.registeredBy,
        registrar: order.registrar,
        court_order_ref: order.courtOrderRef,
        created_at: order.createdAt,
      });
    },

    async get(id: string): Promise<ProtectionOrder | undefined> {
      const row = await table().where({ id }).first();
      return row ? fromRow(row) : undefined;
    },

    async listFor(subjectKey: string): Promise<ProtectionOrder[]> {
      const rows = await table().where({ subject_key: subjectKey }).orderBy('created_at', 'desc').limit(200);
      return rows.map(fromRow);
    },

    /** True when an order in force for the subject names any of the acting parties. */
    async bars(subjectKey: string, acting: ActingParty): Promise<boolean> {
      if (!acting.orgId && !acting.clerkId && !acting.personKey) return false;
      const { rows } = await db.raw<{ rows: { barred: boolean }[] }>(
        `SELECT ${orderInForceSql('?::text', '?::text', '?::text', '?::text')} AS barred`,
        [subjectKey, acting.orgId ?? null, acting.clerkId ?? null, acting.personKey ?? null],
      );
      return rows[0]!.barred;
    },

    /** Withdraws an order in force; false when there is none by that id for the subject. */
    async withdraw(id: string, subjectKey: string | undefined, by: string, at: Date): Promise<boolean> {
      const q = table().where({ id }).whereNull('withdrawn_at');
      if (subjectKey) q.andWhere({ subject_key: subjectKey });
      return (await q.update({ withdrawn_at: at, withdrawn_by: by })) === 1;
    },
  };
}

export type ProtectionsRepo = ReturnType<typeof createProtectionsRepo>;
