/** Representative grants (see migrations/079_representative_grant.ts). */

export type GrantKind = 'guardian_minor' | 'guardian_adult' | 'agent' | 'delegation';
export type EvidenceKind = 'court_decision' | 'family_relation' | 'power_of_attorney' | 'own_delegation';

export interface RepresentativeGrant {
  id: string;
  kind: GrantKind;
  representativeKey: string;
  representativeName: string;
  principalKey: string;
  principalName: string;
  recordTypes: string[];
  validUntil: Date;
  evidenceKind: EvidenceKind;
  evidenceRef: string;
  registeredBy: 'citizen' | 'admin';
  registrar: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** A party named by identifier (kept only as its subject key) and by the name the evidence gives. */
export interface NamedParty {
  scheme: string;
  id: string;
  name: string;
}

export interface AdminGrantInput {
  kind: Exclude<GrantKind, 'delegation'>;
  representative: NamedParty;
  principal: NamedParty;
  recordTypes: string[];
  validUntil: string;
  evidence: { kind: Exclude<EvidenceKind, 'own_delegation'>; reference: string };
}

export interface DelegationInput {
  representative: NamedParty;
  /** The delegating citizen's own name, as the representative's screen will show it. */
  principalName: string;
  recordTypes: string[];
  validUntil: string;
}

export interface GrantView {
  id: string;
  kind: GrantKind;
  representative: { name: string };
  principal: { name: string };
  recordTypes: string[];
  validUntil: string;
  evidence: { kind: EvidenceKind; reference: string };
  registeredBy: 'citizen' | 'admin';
  status: 'active' | 'expired' | 'revoked';
  /** Whether the principal may revoke it (a minor may not revoke a guardian's grant). */
  revocableByPrincipal: boolean;
  createdAt: string;
  revokedAt: string | null;
}

/** What a consent approval by a representative records: both parties and the grant. */
export interface Representation {
  grantId: string;
  kind: GrantKind;
  representative: { subjectKey: string; name: string };
  principal: { subjectKey: string; name: string };
}
