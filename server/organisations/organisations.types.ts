import type { components } from '../../openapi/gateway.js';

/** Shapes the API carries are the contract's (openapi/gateway.yaml via `npm run gen:api`), named here. */
type Schemas = components['schemas'];

export type OrgClass = Schemas['OrgClass'];
export const ORG_CLASSES: readonly OrgClass[] = ['agency', 'public-institution', 'bank'];

export type LocalisedNames = Schemas['LocalisedNames'];
export type ActiveStatus = Schemas['ActiveStatus'];
export type Organisation = Schemas['Organisation'];

/** Whether a purpose needs the citizen's consent, has a statutory basis, or may use either. */
export type ConsentBasis = Schemas['PurposeFields']['consentBasis'];

/** At most 365 consent days; embargo days (embargo.ts) and their legal basis for investigations only. */
export type PurposeBounds = Schemas['PurposeBounds'];

/** A procedure (`procedure: true`) is a purpose whose record types are queried together as one bundle. */
export type Purpose = Schemas['Purpose'];

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

export type Clerk = Schemas['Clerk'];

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
