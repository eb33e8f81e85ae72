/**
 * Organisations, their API clients and clerks, and the purpose registry: who may ask, and for
 * which coded task. Every change is recorded as an admin event in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { embargoIssues } from './embargo.js';
import type { ListQuery, OrganisationsQueries, OrganisationsRepo } from './organisations.repo.js';
import type {
  ActiveStatus,
  ApiClient,
  Clerk,
  LocalisedNames,
  Organisation,
  OrgClass,
  Page,
  PublicJwks,
  Purpose,
} from './organisations.types.js';

export interface Actor {
  /** `admin:<sub>`, `cli:<os user>` or `seed`. */
  id: string;
  requestId?: string | undefined;
}

export interface OrganisationsDeps {
  repo: OrganisationsRepo;
  /** From the catalog: whether a record type id exists. */
  recordTypeExists(id: string): boolean;
}

export const MAX_CONSENT_DAYS = 365;
const MAX_PAGE = 100;

function page<T>(rows: T[], limit: number, key: (t: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? key(items[items.length - 1]!) : null };
}

function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 50, 1), MAX_PAGE);
}

/** Public JWKS only: a private member (d, p, q, dp, dq, qi, k) in a client's keys is refused. */
function assertPublicJwks(jwks: PublicJwks): void {
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw new ValidationError('The client needs at least one public key.', [
      { pointer: '/jwks/keys', message: 'empty' },
    ]);
  }
  jwks.keys.forEach((key, i) => {
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
      if (member in key) {
        throw new ValidationError('A client JWKS must hold public keys only.', [
          { pointer: `/jwks/keys/${i}/${member}`, message: 'private key material is not accepted' },
        ]);
      }
    }
    if (!['EC', 'OKP', 'RSA'].includes(String(key.kty))) {
      throw new ValidationError('Unsupported key type.', [
        { pointer: `/jwks/keys/${i}/kty`, message: 'EC, OKP or RSA' },
      ]);
    }
  });
}

export function createOrganisationsService(deps: OrganisationsDeps) {
  const { repo } = deps;

  async function requireOrganisation(id: string, r: OrganisationsQueries = repo): Promise<Organisation> {
    const org = await r.getOrganisation(id);
    if (!org) throw new NotFoundError(`No organisation "${id}".`);
    return org;
  }

  function checkPurpose(p: Purpose): void {
    const issues = [];
    if (p.bounds.maxConsentDays > MAX_CONSENT_DAYS) {
      issues.push({
        pointer: '/bounds/maxConsentDays',
        message: `at most ${MAX_CONSENT_DAYS} days (12 months)`,
      });
    }
    p.recordTypes.forEach((rt, i) => {
      if (!deps.recordTypeExists(rt))
        issues.push({ pointer: `/recordTypes/${i}`, message: `unknown record type ${rt}` });
    });
    if (new Set(p.recordTypes).size !== p.recordTypes.length) {
      issues.push({ pointer: '/recordTypes', message: 'duplicate record types' });
    }
    issues.push(...embargoIssues(p));
    if (issues.length) throw new ValidationError('The purpose is not valid.', issues);
  }

  return {
    async listOrganisations(q: { limit?: number; after?: string; class?: OrgClass; status?: ActiveStatus }) {
      const limit = clampLimit(q.limit);
      return page(await repo.listOrganisations({ ...q, limit }), limit, (o: Organisation) => o.id);
    },
    getOrganisation: (id: string) => requireOrganisation(id),

    async createOrganisation(input: { id: string; class: OrgClass; names: LocalisedNames }, actor: Actor) {
      return repo.transaction(async (tx) => {
        const created = await tx.insertOrganisation({ ...input, status: 'active' });
        if (!created) throw new ConflictError(`Organisation "${input.id}" already exists.`);
        await tx.recordAdminEvent({
          actor: actor.id,
          action: 'organisation.created',
          targetKind: 'organisation',
          targetId: input.id,
          detail: { class: input.class },
          requestId: actor.requestId,
        });
        return created;
      });
    },

    async setOrganisationStatus(id: string, status: ActiveStatus, reason: string, actor: Actor) {
      return repo.transaction(async (tx) => {
        await requireOrganisation(id, tx);
        const updated = (await tx.setOrganisationStatus(id, status))!;
        await tx.recordAdminEvent({
          actor: actor.id,
          action: status === 'suspended' ? 'organisation.suspended' : 'organisation.reinstated',
          targetKind: 'organisation',
          targetId: id,
          detail: { reason },
          requestId: actor.requestId,
        });
        return updated;
      });
    },

    async listPurposes(q: {
      limit?: number;
      after?: string;
      recordType?: string;
      status?: Purpose['status'];
    }) {
      const limit = clampLimit(q.limit);
      return page(await repo.listPurposes({ ...q, limit }), limit, (p: Purpose) => p.code);
    },
    async getPurpose(code: string): Promise<Purpose> {
      const purpose = await repo.getPurpose(code);
      if (!purpose) throw new NotFoundError(`No purpose "${code}".`);
      return purpose;
    },
    allPurposes: () => repo.allPurposes(),

    async createPurpose(input: Omit<Purpose, 'status'>, actor: Actor) {
      const purpose: Purpose = { ...input, status: 'active' };
      checkPurpose(purpose);
      return repo.transaction(async (tx) => {
        const created = await tx.insertPurpose(purpose);
        if (!created) throw new ConflictError(`Purpose "${input.code}" already exists.`);
        await tx.recordAdminEvent({
          actor: actor.id,
          action: 'purpose.created',
          targetKind: 'purpose',
          targetId: input.code,
          detail: {
            recordTypes: input.recordTypes,
            legalBasis: input.legalBasis,
            ...(input.bounds.embargoDays
              ? { embargoDays: input.bounds.embargoDays, embargoLegalBasis: input.bounds.embargoLegalBasis }
              : {}),
          },
          requestId: actor.requestId,
        });
        return created;
      });
    },

    async retirePurpose(code: string, reason: string, actor: Actor) {
      return repo.transaction(async (tx) => {
        const updated = await tx.setPurposeStatus(code, 'retired');
        if (!updated) throw new NotFoundError(`No purpose "${code}".`);
        await tx.recordAdminEvent({
          actor: actor.id,
          action: 'purpose.retired',
          targetKind: 'purpose',
          targetId: code,
          detail: { reason },
          requestId: actor.requestId,
        });
        return updated;
      });
    },

    entitlements: async (orgId: string) => {
      await requireOrganisation(orgId);
      return repo.entitlements(orgId);
    },

    async setEntitlements(orgId: string, codes: string[], actor: Actor) {
      return repo.transaction(async (tx) => {
        await requireOrganisation(orgId, tx);
        const unique = [...new Set(codes)].sort();
        const issues = [];
        for (const [i, code] of unique.entries()) {
          if (!(await tx.getPurpose(code)))
            issues.push({ pointer: `/purposes/${i}`, message: `unknown purpose ${code}` });
        }
        if (issues.length) throw new ValidationError('Unknown purposes.', issues);
        const before = await tx.entitlements(orgId);
        await tx.replaceEntitlements(orgId, unique);
        await tx.recordAdminEvent({
          actor: actor.id,
          action: 'organisation.entitlements-set',
          targetKind: 'organisation',
          targetId: orgId,
          detail: { before, after: unique },
          requestId: actor.requestId,
        });
        return unique;
      });
    },

    /**
     * Refuses an organisation (or, when given, an API client) that is suspended, or a purpose the
     * organisation is not entitled to. One round of parallel reads: this sits on every query.
     */
    async assertEntitled(
      orgId: string,
      purposeCode: string,
      clientId?: string,
    ): Promise<{ organisation: Organisation; purpose: Purpose }> {
      // One round trip (this runs on every query).
      const { organisation, purpose, entitled, client } = await repo.entitlement(
        orgId,
        purposeCode,
        clientId,
      );
      if (!organisation || organisation.status !== 'active') {
        throw new ForbiddenError('forbidden', 'The requesting organisation is not active.');
      }
      if (clientId !== undefined && (!client || client.status !== 'active' || client.orgId !== orgId)) {
        throw new ForbiddenError('forbidden', 'The requesting client is not active.');
      }
      if (!purpose || purpose.status !== 'active' || !entitled) {
        throw new ForbiddenError(
          'purpose_not_allowed',
          `The organisation may not use purpose "${purposeCode}".`,
          {
            purpose: purposeCode,
          },
        );
      }
      return { organisation, purpose };
    },

    listClients: async (orgId: string) => {
      await requireOrganisation(orgId);
      return repo.listClients(orgId);
    },
    async getClient(id: string): Promise<ApiClient> {
      const client = await repo.getClient(id);
      if (!client) throw new NotFoundError(`No client "${id}".`);
      return client;
    },
    activeClients: () => repo.activeClients(),

    async createClient(
      orgId: string,
      input: { id?: string | undefined; name: string; jwks: PublicJwks; dpopRequired: boolean },
      actor: Actor,
    ) {
      assertPublicJwks(input.jwks);
      return repo.transaction(async (tx) => {
        await requireOrganisation(orgId, tx);
        const id = input.id ?? `client-${randomUUID()}`;
        const created = await tx.insertClient({
          id,
          orgId,
          name: input.name,
          jwks: input.jwks,
          dpopRequired: input.dpopRequired,
        });
        if (!created) throw new ConflictError(`Client "${id}" already exists.`);
        await tx.recordAdminEvent({
          actor: actor.id,
          action: 'api_client.created',
          targetKind: 'api_client',
          targetId: id,
          detail: {
            orgId,
            dpopRequired: input.dpopRequired,
            kids: input.jwks.keys.map((k) => k.kid ?? null),
          },
          requestId: actor.requestId,
        });
        return created;
      });
    },

    async setClientStatus(id: string, status: ActiveStatus, reason: string, actor: Actor) {
      return repo.transaction(async (tx) => {
        const updated = await tx.setClientStatus(id, status);
        if (!updated) throw new NotFoundError(`No client "${id}".`);
        await tx.recordAdminEvent({
          actor: actor.id,
          action: status === 'suspended' ? 'api_client.suspended' : 'api_client.reinstated',
          targetKind: 'api_client',
          targetId: id,
          detail: { reason },
          requestId: actor.requestId,
        });
        return updated;
      });
    },

    /** For API authentication: the client and its organisation, both active, or a refusal. */
    async activeClient(
      clientId: string,
    ): Promise<{ client: ApiClient; organisation: Organisation } | undefined> {
      // One round trip (this runs on every API request).
      const found = await repo.getClientWithOrganisation(clientId);
      if (!found || found.client.status !== 'active') return undefined;
      const { client, organisation } = found;
      if (!organisation || organisation.status !== 'active') return undefined;
      return { client, organisation };
    },

    listClerks: async (orgId: string) => {
      await requireOrganisation(orgId);
      return repo.listClerks(orgId);
    },
    async createClerk(
      orgId: string,
      input: { idpIssuer: string; idpSub: string; name: string },
      actor: Actor,
    ) {
      return repo.transaction(async (tx) => {
        const org = await requireOrganisation(orgId, tx);
        if (org.class !== 'agency' && org.class !== 'public-institution') {
          throw new ValidationError('Clerks belong to agencies and public institutions.', [
            { pointer: '/orgId', message: `${orgId} is a ${org.class}` },
          ]);
        }
        const created = await tx.insertClerk({ id: `clerk-${randomUUID()}`, orgId, ...input });
        if (!created) throw new ConflictError('A clerk with that identity provider subject already exists.');
        await tx.recordAdminEvent({
          actor: actor.id,
          action: 'clerk.created',
          targetKind: 'clerk',
          targetId: created.id,
          detail: { orgId, idpIssuer: input.idpIssuer },
          requestId: actor.requestId,
        });
        return created;
      });
    },
    /** For clerk sign-in: the active clerk of an active agency with that IdP subject. */
    async activeClerk(
      idpIssuer: string,
      idpSub: string,
    ): Promise<{ clerk: Clerk; organisation: Organisation } | undefined> {
      const clerk = await repo.findClerk(idpIssuer, idpSub);
      if (!clerk || clerk.status !== 'active') return undefined;
      const organisation = await repo.getOrganisation(clerk.orgId);
      if (!organisation || organisation.status !== 'active') return undefined;
      return { clerk, organisation };
    },
  };
}

export type OrganisationsService = ReturnType<typeof createOrganisationsService>;
export type { ListQuery };
