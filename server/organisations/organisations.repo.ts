/** knex only: rows in, domain objects out. */
import type { Knex } from 'knex';
import type {
  AdminEvent,
  ApiClient,
  Clerk,
  Organisation,
  OrgClass,
  Purpose,
  ActiveStatus,
} from './organisations.types.js';

interface OrganisationRow {
  id: string;
  class: OrgClass;
  names: Organisation['names'];
  status: ActiveStatus;
  created_at: Date;
  updated_at: Date;
}

interface PurposeRow {
  code: string;
  names: Purpose['names'];
  legal_basis: string;
  consent_basis: Purpose['consentBasis'];
  record_types: string[];
  bounds: Purpose['bounds'];
  procedure: boolean;
  status: Purpose['status'];
}

interface ClientRow {
  id: string;
  org_id: string;
  name: string;
  jwks: ApiClient['jwks'];
  dpop_required: boolean;
  status: ActiveStatus;
  created_at: Date;
}

interface ClerkRow {
  id: string;
  org_id: string;
  idp_issuer: string;
  idp_sub: string;
  name: string;
  status: ActiveStatus;
}

const toOrganisation = (r: OrganisationRow): Organisation => ({
  id: r.id,
  class: r.class,
  names: r.names,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const toPurpose = (r: PurposeRow): Purpose => ({
  code: r.code,
  names: r.names,
  legalBasis: r.legal_basis,
  consentBasis: r.consent_basis,
  recordTypes: r.record_types,
  bounds: r.bounds,
  procedure: r.procedure,
  status: r.status,
});

const toClient = (r: ClientRow): ApiClient => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  jwks: r.jwks,
  dpopRequired: r.dpop_required,
  status: r.status,
  createdAt: r.created_at.toISOString(),
});

const toClerk = (r: ClerkRow): Clerk => ({
  id: r.id,
  orgId: r.org_id,
  idpIssuer: r.idp_issuer,
  idpSub: r.idp_sub,
  name: r.name,
  status: r.status,
});

/** Organisation columns under an `o_` prefix, for joins with tables that share column names. */
const ORGANISATION_COLUMNS = `o.id AS o_id, o.class AS o_class, o.names AS o_names, o.status AS o_status,
  o.created_at AS o_created_at, o.updated_at AS o_updated_at`;

interface PrefixedOrganisationRow {
  o_id: string | null;
  o_class: OrgClass;
  o_names: Organisation['names'];
  o_status: ActiveStatus;
  o_created_at: Date;
  o_updated_at: Date;
}

const organisationFrom = (r: PrefixedOrganisationRow): Organisation | undefined =>
  r.o_id === null
    ? undefined
    : toOrganisation({
        id: r.o_id,
        class: r.o_class,
        names: r.o_names,
        status: r.o_status,
        created_at: r.o_created_at,
        updated_at: r.o_updated_at,
      });

export interface ListQuery {
  limit: number;
  after?: string | undefined;
}

function queries(db: Knex | Knex.Transaction) {
  return {
    async listOrganisations(
      q: ListQuery & { class?: OrgClass | undefined; status?: ActiveStatus | undefined },
    ) {
      const rows = await db<OrganisationRow>('organisation')
        .modify((b) => {
          if (q.class) b.where('class', q.class);
          if (q.status) b.where('status', q.status);
          if (q.after) b.where('id', '>', q.after);
        })
        .orderBy('id')
        .limit(q.limit + 1);
      return rows.map(toOrganisation);
    },
    async getOrganisation(id: string) {
      const row = await db<OrganisationRow>('organisation').where({ id }).first();
      return row ? toOrganisation(row) : undefined;
    },
    async insertOrganisation(o: Pick<Organisation, 'id' | 'class' | 'names' | 'status'>) {
      const [row] = await db<OrganisationRow>('organisation')
        .insert({ id: o.id, class: o.class, names: o.names, status: o.status })
        .onConflict('id')
        .ignore()
        .returning('*');
      return row ? toOrganisation(row) : undefined;
    },
    async setOrganisationStatus(id: string, status: ActiveStatus) {
      const [row] = await db<OrganisationRow>('organisation')
        .where({ id })
        .update({ status, updated_at: db.fn.now() as unknown as Date })
        .returning('*');
      return row ? toOrganisation(row) : undefined;
    },

    async listPurposes(
      q: ListQuery & { recordType?: string | undefined; status?: Purpose['status'] | undefined },
    ) {
      const rows = await db<PurposeRow>('purpose')
        .modify((b) => {
          if (q.recordType) b.whereRaw('? = any(record_types)', [q.recordType]);
          if (q.status) b.where('status', q.status);
          if (q.after) b.where('code', '>', q.after);
        })
        .orderBy('code')
        .limit(q.limit + 1);
      return rows.map(toPurpose);
    },
    async getPurpose(code: string) {
      const row = await db<PurposeRow>('purpose').where({ code }).first();
      return row ? toPurpose(row) : undefined;
    },
    async allPurposes() {
      return (await db<PurposeRow>('purpose').orderBy('code')).map(toPurpose);
    },
    async insertPurpose(p: Purpose) {
      const [row] = await db<PurposeRow>('purpose')
        .insert({
          code: p.code,
          names: p.names,
          legal_basis: p.legalBasis,
          consent_basis: p.consentBasis,
          record_types: p.recordTypes,
          bounds: p.bounds,
          procedure: p.procedure,
          status: p.status,
        })
        .onConflict('code')
        .ignore()
        .returning('*');
      return row ? toPurpose(row) : undefined;
    },
    async setPurposeStatus(code: string, status: Purpose['status']) {
      const [row] = await db<PurposeRow>('purpose')
        .where({ code })
        .update({ status, updated_at: db.fn.now() as unknown as Date } as Partial<PurposeRow>)
        .returning('*');
      return row ? toPurpose(row) : undefined;
    },

    async entitlements(orgId: string): Promise<string[]> {
      return (await db('org_purpose')
        .where({ org_id: orgId })
        .orderBy('purpose_code')
        .pluck('purpose_code')) as string[];
    },
    async isEntitled(orgId: string, purposeCode: string): Promise<boolean> {
      return Boolean(await db('org_purpose').where({ org_id: orgId, purpose_code: purposeCode }).first());
    },
    async replaceEntitlements(orgId: string, codes: string[]) {
      await db('org_purpose').where({ org_id: orgId }).delete();
      if (codes.length)
        await db('org_purpose').insert(codes.map((c) => ({ org_id: orgId, purpose_code: c })));
    },

    async listClients(orgId: string) {
      return (await db<ClientRow>('api_client').where({ org_id: orgId }).orderBy('id')).map(toClient);
    },
    async getClient(id: string) {
      const row = await db<ClientRow>('api_client').where({ id }).first();
      return row ? toClient(row) : undefined;
    },
    /** Hot path (every API request): a client and its organisation in one round trip. */
    async getClientWithOrganisation(
      id: string,
    ): Promise<{ client: ApiClient; organisation: Organisation | undefined } | undefined> {
      const { rows } = await db.raw<{ rows: (ClientRow & PrefixedOrganisationRow)[] }>(
        `SELECT c.*, ${ORGANISATION_COLUMNS}
         FROM api_client c LEFT JOIN organisation o ON o.id = c.org_id WHERE c.id = ?`,
        [id],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { client: toClient(row), organisation: organisationFrom(row) };
    },
    /**
     * Hot path (every query): the organisation, the purpose, whether the organisation is entitled to
     * it and (for API clients) the client, in one round trip.
     */
    async entitlement(orgId: string, purposeCode: string, clientId: string | undefined) {
      const { rows } = await db.raw<{
        rows: (PrefixedOrganisationRow & {
          p_code: string | null;
          entitled: boolean;
          c_id: string | null;
        } & Record<string, unknown>)[];
      }>(
        `SELECT ${ORGANISATION_COLUMNS},
           p.code AS p_code, p.names AS p_names, p.legal_basis AS p_legal_basis,
           p.consent_basis AS p_consent_basis, p.record_types AS p_record_types, p.bounds AS p_bounds,
           p.procedure AS p_procedure, p.status AS p_status,
           EXISTS (SELECT 1 FROM org_purpose WHERE org_id = :org AND purpose_code = :purpose) AS entitled,
           c.id AS c_id, c.org_id AS c_org_id, c.name AS c_name, c.jwks AS c_jwks,
           c.dpop_required AS c_dpop_required, c.status AS c_status, c.created_at AS c_created_at
         FROM (SELECT 1) AS one
         LEFT JOIN organisation o ON o.id = :org
         LEFT JOIN purpose p ON p.code = :purpose
         LEFT JOIN api_client c ON c.id = :client`,
        { org: orgId, purpose: purposeCode, client: clientId ?? null },
      );
      const r = rows[0]!;
      const pick = (prefix: string) =>
        Object.fromEntries(
          Object.entries(r)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
        );
      return {
        organisation: organisationFrom(r),
        purpose: r.p_code === null ? undefined : toPurpose(pick('p_') as unknown as PurposeRow),
        entitled: r.entitled,
        client: r.c_id === null ? undefined : toClient(pick('c_') as unknown as ClientRow),
      };
    },
    async insertClient(c: Pick<ApiClient, 'id' | 'orgId' | 'name' | 'jwks' | 'dpopRequired'>) {
      const [row] = await db<ClientRow>('api_client')
        .insert({ id: c.id, org_id: c.orgId, name: c.name, jwks: c.jwks, dpop_required: c.dpopRequired })
        .onConflict('id')
        .ignore()
        .returning('*');
      return row ? toClient(row) : undefined;
    },
    async setClientStatus(id: string, status: ActiveStatus) {
      const [row] = await db<ClientRow>('api_client')
        .where({ id })
        .update({ status, updated_at: db.fn.now() } as unknown as Partial<ClientRow>)
        .returning('*');
      return row ? toClient(row) : undefined;
    },
    async activeClients() {
      return (await db<ClientRow>('api_client').where({ status: 'active' }).orderBy('id')).map(toClient);
    },

    async listClerks(orgId: string) {
      return (await db<ClerkRow>('clerk').where({ org_id: orgId }).orderBy('id')).map(toClerk);
    },
    async findClerk(idpIssuer: string, idpSub: string) {
      const row = await db<ClerkRow>('clerk').where({ idp_issuer: idpIssuer, idp_sub: idpSub }).first();
      return row ? toClerk(row) : undefined;
    },
    async insertClerk(c: Omit<Clerk, 'status'>) {
      const [row] = await db<ClerkRow>('clerk')
        .insert({ id: c.id, org_id: c.orgId, idp_issuer: c.idpIssuer, idp_sub: c.idpSub, name: c.name })
        .onConflict(['idp_issuer', 'idp_sub'])
        .ignore()
        .returning('*');
      return row ? toClerk(row) : undefined;
    },

    async recordAdminEvent(e: AdminEvent) {
      await db('admin_event').insert({
        actor: e.actor,
        action: e.action,
        target_kind: e.targetKind,
        target_id: e.targetId,
        detail: e.detail,
        request_id: e.requestId ?? null,
      });
    },
    async adminEvents(targetKind: string, targetId: string) {
      return db('admin_event').where({ target_kind: targetKind, target_id: targetId }).orderBy('id');
    },
  };
}

export type OrganisationsQueries = ReturnType<typeof queries>;

export interface OrganisationsRepo extends OrganisationsQueries {
  transaction<T>(work: (tx: OrganisationsQueries) => Promise<T>): Promise<T>;
}

export function createOrganisationsRepo(db: Knex): OrganisationsRepo {
  return { ...queries(db), transaction: (work) => db.transaction((trx) => work(queries(trx))) };
}
