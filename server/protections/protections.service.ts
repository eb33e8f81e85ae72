/**
 * Protection orders (Resident Registration Act: a victim of domestic violence bars a named person
 * from their record). Registered by the citizen in the portal, or by an administrator on a court
 * order; withdrawn by the citizen (or an administrator when the order is lifted).
 *
 * A barred party is told nothing: its consent requests and queries meet the plain `forbidden` any
 * other unexplained refusal gives (DESIGN §10), while the audit log records `protection_order`, which
 * the citizen and auditors see. A refused consent request stores no consent, so no redirect, webhook
 * or status page ever reaches the barred party, and the citizen's notices go only to the citizen's
 * own channels.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntryInput } from '../audit/audit.types.js';
import type { CitizenPrincipal, ClerkPrincipal, ClientPrincipal, Principal } from '../auth/principal.js';
import { citizenSubjectKey } from '../auth/subject.js';
import { NotFoundError, UndisclosedRefusalError, ValidationError } from '../errors.js';
import type { ProtectionsRepo } from './protections.repo.js';
import type { ActingParty, PartyInput, ProtectionOrder, ProtectionOrderView } from './protections.types.js';

export const PROTECTION_ORDER_REASON = 'protection_order';

const ORG_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CLERK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const COURT_REF = /^[\p{L}\p{N}][\p{L}\p{N} ._/()-]{0,99}$/u;

export interface ProtectionsDeps {
  repo: ProtectionsRepo;
  /** SUBJECT_PEPPER as configured (a string: citizenSubjectKey takes it so). */
  pepper: string;
  organisationExists(orgId: string): Promise<boolean>;
  audit: { appendMany(entries: AuditEntryInput[]): Promise<unknown> };
  now?: () => Date;
}

/** The parties a principal is when it asks about someone's records. */
export function actingParty(principal: Principal): ActingParty {
  switch (principal.kind) {
    case 'client':
      return { orgId: principal.orgId };
    case 'clerk':
      return { orgId: principal.orgId, clerkId: principal.clerkId };
    case 'citizen':
      return { personKey: principal.subjectKey };
    default:
      return {};
  }
}

function view(order: ProtectionOrder): ProtectionOrderView {
  return {
    id: order.id,
    party: {
      kind: order.partyKind,
      ...(order.partyKind === 'organisation' ? { orgId: order.partyRef } : {}),
      ...(order.partyKind === 'clerk' ? { clerkId: order.partyRef } : {}),
      label: order.partyLabel,
    },
    registeredBy: order.registeredBy,
    courtOrderRef: order.courtOrderRef,
    status: order.withdrawnAt ? 'withdrawn' : 'in_force',
    createdAt: order.createdAt.toISOString(),
    withdrawnAt: order.withdrawnAt ? order.withdrawnAt.toISOString() : null,
  };
}

export function createProtectionsService(deps: ProtectionsDeps) {
  const clock = deps.now ?? (() => new Date());
  const keyOf = (nationalId: string) => citizenSubjectKey(deps.pepper, nationalId);

  async function partyRef(party: PartyInput, pointer: string): Promise<string> {
    const issue = (message: string) => new ValidationError(message, [{ pointer, message }]);
    switch (party.kind) {
      case 'person':
        if (typeof party.nationalId !== 'string') throw issue('A person is named by national ID.');
        return keyOf(party.nationalId);
      case 'organisation':
        if (typeof party.orgId !== 'string' || !ORG_ID.test(party.orgId))
          throw issue('An organisation is named by its id.');
        if (!(await deps.organisationExists(party.orgId))) throw issue('There is no such organisation.');
        return party.orgId;
      case 'clerk':
        if (typeof party.clerkId !== 'string' || !CLERK_ID.test(party.clerkId))
          throw issue('A clerk is named by clerk id.');
        return party.clerkId;
      default:
        throw issue('The party is a person, an organisation or a clerk.');
    }
  }

  async function register(
    subjectKey: string,
    party: PartyInput,
    by: { registeredBy: 'citizen' | 'admin'; registrar: string; courtOrderRef: string | null },
  ): Promise<ProtectionOrderView> {
    const ref = await partyRef(party, '/party');
    if (party.kind === 'person' && ref === subjectKey) {
      throw new ValidationError('An order cannot bar its own subject.', [
        { pointer: '/party/nationalId', message: 'this is the protected person' },
      ]);
    }
    const order: ProtectionOrder = {
      id: randomUUID(),
      subjectKey,
      partyKind: party.kind,
      partyRef: ref,
      partyLabel: party.label?.trim() || null,
      registeredBy: by.registeredBy,
      registrar: by.registrar,
      courtOrderRef: by.courtOrderRef,
      createdAt: clock(),
      withdrawnAt: null,
      withdrawnBy: null,
    };
    await deps.repo.insert(order);
    return view(order);
  }

  return {
    /** POST /v1/me/protection-orders: the citizen bars a person, an organisation or a clerk. */
    async registerMine(citizen: CitizenPrincipal, party: PartyInput): Promise<ProtectionOrderView> {
      return register(citizen.subjectKey, party, {
        registeredBy: 'citizen',
        registrar: 'citizen',
        courtOrderRef: null,
      });
    },

    /** POST /v1/admin/protection-orders: on a court order, whose reference is the evidence. */
    async registerByCourtOrder(
      admin: { sub: string },
      input: { subject: { nationalId: string }; party: PartyInput; courtOrderRef: string },
    ): Promise<ProtectionOrderView> {
      if (typeof input.courtOrderRef !== 'string' || !COURT_REF.test(input.courtOrderRef)) {
        throw new ValidationError('The court order reference is required.', [
          { pointer: '/courtOrderRef', message: 'a court order reference' },
        ]);
      }
      return register(keyOf(input.subject.nationalId), input.party, {
        registeredBy: 'admin',
        registrar: `admin:${admin.sub}`,
        courtOrderRef: input.courtOrderRef,
      });
    },

    async listMine(citizen: CitizenPrincipal): Promise<ProtectionOrderView[]> {
      return (await deps.repo.listFor(citizen.subjectKey)).map(view);
    },

    /** The citizen withdraws one of their orders (a court's included: the application is theirs). */
    async withdrawMine(citizen: CitizenPrincipal, id: string): Promise<ProtectionOrderView> {
      const done = await deps.repo.withdraw(id, citizen.subjectKey, 'citizen', clock());
      const order = await deps.repo.get(id);
      if (!order || order.subjectKey !== citizen.subjectKey) throw new NotFoundError('No such order.');
      if (!done && !order.withdrawnAt) throw new NotFoundError('No such order.');
      return view(order);
    },

    /** Whether an order in force bars this principal from the subject's records. */
    async bars(subjectKey: string, principal: Principal): Promise<boolean> {
      return deps.repo.bars(subjectKey, actingParty(principal));
    },

    /**
     * A consent request about a protected subject by a barred party: audited as `protection_order`
     * (one entry per record type), answered as a plain `forbidden`.
     */
    async refuseConsentRequestIfBarred(
      requester: ClientPrincipal | ClerkPrincipal,
      subjectKey: string,
      asked: { purposeCode: string; legalBasis?: string | null; recordTypes: string[] },
    ): Promise<void> {
      if (!(await deps.repo.bars(subjectKey, actingParty(requester)))) return;
      const requestId = randomUUID();
      await deps.audit.appendMany(
        asked.recordTypes.map((recordType): AuditEntryInput => ({
          requestId,
          subjectKey,
          outcome: 'denied',
          reasonCode: PROTECTION_ORDER_REASON,
          requester: {
            org: requester.orgId,
            ...(requester.kind === 'client' ? { clientId: requester.clientId } : {}),
            ...(requester.kind === 'clerk' ? { clerkRef: requester.clerkId } : {}),
          },
          purposeCode: asked.purposeCode,
          ...(asked.legalBasis ? { legalBasis: asked.legalBasis } : {}),
          recordType,
          fields: [],
        })),
      );
      throw new UndisclosedRefusalError(PROTECTION_ORDER_REASON);
    },
  };
}

export type ProtectionsService = ReturnType<typeof createProtectionsService>;
