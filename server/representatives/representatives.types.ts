/** Representative grants (see migrations/079_representative_grant.ts). */
import type { components } from '../../openapi/gateway.js';

/** Shapes the API carries are the contract's (openapi/gateway.yaml via `npm run gen:api`), named here. */
type Schemas = components['schemas'];

export type GrantKind = GrantView['kind'];
export type EvidenceKind = GrantView['evidence']['kind'];

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
export type NamedParty = Schemas['NamedParty'];

/** An administrator's grant: a guardian or an agent, on court or family evidence or a power of attorney. */
export type AdminGrantInput = Schemas['NewRepresentativeGrant'];

/** A citizen's own delegation; `principalName` is the name the representative's screen will show. */
export type DelegationInput = Schemas['NewDelegation'];

/** `revocableByPrincipal`: a minor may not revoke a guardian's grant. */
export type GrantView = Schemas['RepresentativeGrant'];

/** What a consent approval by a representative records: both parties and the grant. */
export interface Representation {
  grantId: string;
  kind: GrantKind;
  representative: { subjectKey: string; name: string };
  principal: { subjectKey: string; name: string };
}
