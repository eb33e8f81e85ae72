export type OrgClass = 'agency' | 'public-institution' | 'bank';
export const ORG_CLASSES: readonly OrgClass[] = ['agency', 'public-institution', 'bank'];

export interface LocalisedNames {
  en: string;
  ko: string;
  ja: string;
}

export type ActiveStatus = 'active' | 'suspended';

export interface Organisation {
  id: string;
  class: OrgClass;
  names: LocalisedNames;
  status: ActiveStatus;
  createdAt: string;
  updatedAt: string;
}

/** Whether a purpose needs the citizen's consent, has a statutory basis, or may use either. */
export type ConsentBasis = 'consent' | 'statutory' | 'consent-or-statutory';

export interface PurposeBounds {
  /** At most 365: no consent outlives twelve months. */
  maxConsentDays: number;
  maxUses: number;
  /** How far back records may reach (e.g. a year of tax payments). */
  maxDataRangeDays: number;
  /** Investigations only (embargo.ts): days an access stays hidden from the citizen. */
  embargoDays?: number;
  /** The law that allows the embargo (e.g. Criminal Procedure Act art. 198). */
  embargoLegalBasis?: string;
}

export interface Purpose {
  code: string;
  names: LocalisedNames;
  legalBasis: string;
  consentBasis: ConsentBasis;
  recordTypes: string[];
  bounds: PurposeBounds;
  /** A procedure is a purpose whose record types are queried together as one bundle. */
  procedure: boolean;
  status: 'active' | 'retired';
}

export interface PublicJwks {
  keys: Record<string, unknown>[];
}

export interface ApiClient {
  id: string;
  orgId: string;
  name: string;
  jwks: PublicJwks;
  dpopRequired: boolean;
  status: ActiveStatus;
  createdAt: string;
}

export interface Clerk {
  id: string;
  orgId: string;
  idpIssuer: string;
  idpSub: string;
  name: string;
  status: ActiveStatus;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  next: string | null;
}

export interface AdminEvent {
  actor: string;
  action: string;
  targetKind: 'organisation' | 'purpose' | 'api_client' | 'clerk';
  targetId: string;
  detail: Record<string, unknown>;
  requestId?: string | undefined;
}
