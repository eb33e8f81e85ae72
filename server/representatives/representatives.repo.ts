/** knex only: representative grants. */
import type { Knex } from 'knex';
import type { EvidenceKind, GrantKind, RepresentativeGrant } from './representatives.types.js';

interface Row {
  id: string;
  kind: GrantKind;
  representative_key: string;
  representative_name: string;
  principal_key: string;
  principal_name: string;
  record_types: string[];
  valid_until: Date;
  evidence_kind: EvidenceKind;
  evidence_ref: string;
  registered_by: 'citizen' | 'admin';
  registrar: string;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const fromRow = (r: Row): RepresentativeGrant => ({
  id: r.id,
  kind: r.kind,
  representativeKey: r.representative_key,
  representativeName: r.representative_name,
  principalKey: r.principal_key,
  principalName: r.principal_name,
  recordTypes: r.record_types,
  validUntil: r.valid_until,
  evidenceKind: r.evidence_kind,
  evidenceRef: r.evidence_ref,
  registeredBy: r.registered_by,
  registrar: r.registrar,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
});

export function createRepresentativesRepo(db: Knex) {
  const table = () => db<Row>('representative_grant');
  return {
    async insert(g: RepresentativeGrant): Promise<void> {
      await table().insert({
        id: g.id,
        kind: g.kind,
        representative_key: g.representativeKey,
        representative_name: g.representativeName,
        principal_key: g.principalKey,
        principal_name: g.principalName,
        record_types: g.recordTypes,
        valid_until: g.validUntil,
        evidence_kind: g.evidenceKind,
        evidence_ref: g.evidenceRef,
        registered_by: g.registeredBy,
        registrar: g.registrar,
        created_at: g.createdAt,
      });
    },

    async get(id: string): Promise<RepresentativeGrant | undefined> {
      const row = await table().where({ id }).first();
      return row ? fromRow(row) : undefined;
    },

    /** Grants where the subject is the principal, then those where it is the representative. */
    async involving(subjectKey: string): Promise<RepresentativeGrant[]> {
      const rows = await table()
        .where({ principal_key: subjectKey })
        .orWhere({ representative_key: subjectKey })
        .orderBy('created_at', 'desc')
        .limit(200);
      return rows.map(fromRow);
    },

    /** Unrevoked grants from principal to representative still valid at `now`, newest first. */
    async effective(
      representativeKey: string,
      principalKey: string,
      now: Date,
    ): Promise<RepresentativeGrant[]> {
      const rows = await table()
        .where({ representative_key: representativeKey, principal_key: principalKey })
        .whereNull('revoked_at')
        .where('valid_until', '>', now)
        .orderBy('created_at', 'desc');
      return rows.map(fromRow);
    },

    async revoke(id: string, by: string, at: Date): Promise<boolean> {
      return (
        (await table().where({ id }).whereNull('revoked_at').update({ revoked_at: at, revoked_by: by })) === 1
      );
    },
  };
}

export type RepresentativesRepo = ReturnType<typeof createRepresentativesRepo>;
