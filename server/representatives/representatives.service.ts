/**
 * Representatives: a guardian (for a minor or an adult under guardianship), a company's authorised
 * agent, or someone a citizen delegated to, approves consent requests on the principal's behalf.
 *
 * Administrators register grants on evidence checked off-line (court decision, family relation,
 * power of attorney); a citizen registers their own delegation in the portal. The principal sees
 * every grant about them; they revoke it where the law allows: their own delegation and an agent's
 * power of attorney, never a guardianship (a minor cannot end a guardian's authority; a court does).
 * A protection order beats a grant: a barred person can neither be registered nor act (Japan's Myna
 * Portal learned that a registered proxy can be the abuser).
 */
import { randomUUID } from 'node:crypto';
import { subjectKey as keyOfSubject } from '../audit/commitment.js';
import type { CitizenPrincipal } from '../auth/principal.js';
import { canonicaliseIdentifier } from '../catalog/identifiers/index.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '../errors.js';
import type { RepresentativesRepo } from './representatives.repo.js';
import type {
  AdminGrantInput,
  DelegationInput,
  EvidenceKind,
  GrantKind,
  GrantView,
  NamedParty,
  Representation,
  RepresentativeGrant,
} from './representatives.types.js';

const DAY_MS = 86_400_000;
/** A citizen's own delegation lasts at most a year; a grant on evidence at most the evidence says, capped. */
const MAX_DELEGATION_DAYS = 366;
const MAX_GRANT_DAYS = 20 * 366;
const EVIDENCE_FOR: Record<Exclude<GrantKind, 'delegation'>, EvidenceKind[]> = {
  guardian_minor: ['family_relation', 'court_decision'],
  guardian_adult: ['court_decision'],
  agent: ['power_of_attorney'],
};
const EVIDENCE_REF = /^[\p{L}\p{N}][\p{L}\p{N} ._/()-]{0,99}$/u;

export const revocableByPrincipal = (kind: GrantKind): boolean => kind === 'delegation' || kind === 'agent';

export interface RepresentativesDeps {
  repo: RepresentativesRepo;
  /** SUBJECT_PEPPER as UTF-8 bytes. */
  pepper: Uint8Array;
  recordTypeExists(id: string): boolean;
  /** True when an order in force bars this person from the subject's records. */
  personBarred(subjectKey: string, personKey: string): Promise<boolean>;
  now?: () => Date;
}

function status(g: RepresentativeGrant, now: Date): GrantView['status'] {
  if (g.revokedAt) return 'revoked';
  return g.validUntil <= now ? 'expired' : 'active';
}

function view(g: RepresentativeGrant, now: Date): GrantView {
  return {
    id: g.id,
    kind: g.kind,
    representative: { name: g.representativeName },
    principal: { name: g.principalName },
    recordTypes: g.recordTypes,
    validUntil: g.validUntil.toISOString(),
    evidence: { kind: g.evidenceKind, reference: g.evidenceRef },
    registeredBy: g.registeredBy,
    status: status(g, now),
    revocableByPrincipal: revocableByPrincipal(g.kind),
    createdAt: g.createdAt.toISOString(),
    revokedAt: g.revokedAt ? g.revokedAt.toISOString() : null,
  };
}

export function createRepresentativesService(deps: RepresentativesDeps) {
  const clock = deps.now ?? (() => new Date());

  function keyOf(party: NamedParty, pointer: string, issues: FieldIssue[], personOnly: boolean): string {
    if (personOnly && party?.scheme !== 'rrn')
      issues.push({ pointer: `${pointer}/scheme`, message: 'a representative is a person (rrn)' });
    if (typeof party?.name !== 'string' || !party.name.trim() || party.name.length > 100)
      issues.push({
        pointer: `${pointer}/name`,
        message: 'the name the evidence gives (1 to 100 characters)',
      });
    return keyOfSubject(deps.pepper, canonicaliseIdentifier(party.scheme, party.id, `${pointer}/id`));
  }

  function checkTerms(
    recordTypes: string[],
    validUntil: string,
    maxDays: number,
    issues: FieldIssue[],
    now: Date,
  ) {
    recordTypes.forEach((rt, i) => {
      if (!deps.recordTypeExists(rt))
        issues.push({ pointer: `/recordTypes/${i}`, message: 'unknown record type' });
    });
    const until = new Date(validUntil);
    if (Number.isNaN(until.getTime()) || until <= now || until.getTime() - now.getTime() > maxDays * DAY_MS) {
      issues.push({ pointer: '/validUntil', message: `a time in the next ${maxDays} days` });
    }
    return until;
  }

  async function store(grant: RepresentativeGrant, issues: FieldIssue[]): Promise<GrantView> {
    if (grant.representativeKey === grant.principalKey)
      issues.push({ pointer: '/representative', message: 'the representative is the principal' });
    if (issues.length) throw new ValidationError('The grant is not acceptable.', issues);
    if (await deps.personBarred(grant.principalKey, grant.representativeKey)) {
      throw new ForbiddenError('forbidden', 'This person may not represent the principal.');
    }
    await deps.repo.insert(grant);
    return view(grant, grant.createdAt);
  }

  return {
    /** POST /v1/admin/representatives: a guardian's or agent's grant on evidence checked off-line. */
    async registerByAdmin(admin: { sub: string }, input: AdminGrantInput): Promise<GrantView> {
      const now = clock();
      const issues: FieldIssue[] = [];
      const evidence = EVIDENCE_FOR[input.kind];
      if (!evidence) issues.push({ pointer: '/kind', message: 'guardian_minor, guardian_adult or agent' });
      else if (!evidence.includes(input.evidence.kind))
        issues.push({ pointer: '/evidence/kind', message: `one of ${evidence.join(', ')}` });
      if (!EVIDENCE_REF.test(input.evidence.reference))
        issues.push({ pointer: '/evidence/reference', message: 'the evidence reference' });
      const validUntil = checkTerms(input.recordTypes, input.validUntil, MAX_GRANT_DAYS, issues, now);
      return store(
        {
          id: randomUUID(),
          kind: input.kind,
          representativeKey: keyOf(input.representative, '/representative', issues, true),
          representativeName: input.representative.name.trim(),
          principalKey: keyOf(input.principal, '/principal', issues, false),
          principalName: input.principal.name.trim(),
          recordTypes: [...new Set(input.recordTypes)],
          validUntil,
          evidenceKind: input.evidence.kind,
          evidenceRef: input.evidence.reference,
          registeredBy: 'admin',
          registrar: `admin:${admin.sub}`,
          createdAt: now,
          revokedAt: null,
          revokedBy: null,
        },
        issues,
      );
    },

    /** POST /v1/me/representatives: the signed-in citizen delegates to another person. */
    async delegate(citizen: CitizenPrincipal, input: DelegationInput): Promise<GrantView> {
      const now = clock();
      const issues: FieldIssue[] = [];
      if (typeof input.principalName !== 'string' || !input.principalName.trim())
        issues.push({ pointer: '/principalName', message: 'your name as the representative will see it' });
      const validUntil = checkTerms(input.recordTypes, input.validUntil, MAX_DELEGATION_DAYS, issues, now);
      return store(
        {
          id: randomUUID(),
          kind: 'delegation',
          representativeKey: keyOf(input.representative, '/representative', issues, true),
          representativeName: input.representative.name.trim(),
          principalKey: citizen.subjectKey,
          principalName: input.principalName.trim(),
          recordTypes: [...new Set(input.recordTypes)],
          validUntil,
          evidenceKind: 'own_delegation',
          // The delegating sign-in is the evidence: the session the citizen made it in.
          evidenceRef: `session:${citizen.sessionId ?? citizen.sub}`.slice(0, 100),
          registeredBy: 'citizen',
          registrar: 'citizen',
          createdAt: now,
          revokedAt: null,
          revokedBy: null,
        },
        issues,
      );
    },

    /** GET /v1/me/representatives: who may act for me, and for whom I may act. */
    async listMine(
      citizen: CitizenPrincipal,
    ): Promise<{ representatives: GrantView[]; principals: GrantView[] }> {
      const now = clock();
      const grants = await deps.repo.involving(citizen.subjectKey);
      return {
        representatives: grants.filter((g) => g.principalKey === citizen.subjectKey).map((g) => view(g, now)),
        principals: grants.filter((g) => g.representativeKey === citizen.subjectKey).map((g) => view(g, now)),
      };
    },

    /** POST /v1/me/representatives/{id}/revoke: by the principal where the law allows, or the representative. */
    async revokeMine(citizen: CitizenPrincipal, id: string): Promise<GrantView> {
      const now = clock();
      const grant = await deps.repo.get(id);
      const asPrincipal = grant?.principalKey === citizen.subjectKey;
      const asRepresentative = grant?.representativeKey === citizen.subjectKey;
      if (!grant || (!asPrincipal && !asRepresentative)) throw new NotFoundError('No such grant.');
      // A representative may always step down; a principal only where the law lets them end it.
      if (!asRepresentative && !revocableByPrincipal(grant.kind)) {
        throw new ForbiddenError('forbidden', 'A guardianship is ended by the court, not by the principal.');
      }
      await deps.repo.revoke(id, asRepresentative ? 'representative' : 'principal', now);
      return view((await deps.repo.get(id))!, now);
    },

    /**
     * The grant under which the signed-in citizen may act for the subject on these record types now;
     * undefined when none covers them, or when a protection order bars the representative.
     */
    async actingFor(
      representativeKey: string,
      principalKey: string,
      recordTypes: string[],
      now = clock(),
    ): Promise<Representation | undefined> {
      const grants = await deps.repo.effective(representativeKey, principalKey, now);
      const grant = grants.find((g) => recordTypes.every((rt) => g.recordTypes.includes(rt)));
      if (!grant) return undefined;
      if (await deps.personBarred(principalKey, representativeKey)) return undefined;
      return {
        grantId: grant.id,
        kind: grant.kind,
        representative: { subjectKey: representativeKey, name: grant.representativeName },
        principal: { subjectKey: principalKey, name: grant.principalName },
      };
    },
  };
}

export type RepresentativesService = ReturnType<typeof createRepresentativesService>;
