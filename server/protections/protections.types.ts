/** A protection order and the parties it can bar (see migrations/078_protection_order.ts). */
import type { components } from '../../openapi/gateway.js';

/** Shapes the API carries are the contract's (openapi/gateway.yaml via `npm run gen:api`), named here. */
type Schemas = components['schemas'];

/**
 * Who is barred. A person is named by national ID and kept only as its subject key: they are
 * recognised when they act as a citizen (a representative). A clerk is named by clerk id, since the
 * clerk directory holds no national IDs; an organisation bars every client and clerk it has.
 */
export type PartyKind = PartyInput['kind'];

export interface ProtectionOrder {
  id: string;
  subjectKey: string;
  partyKind: PartyKind;
  /** Subject key (person), organisation id or clerk id. */
  partyRef: string;
  /** What the citizen or administrator calls the party ("전 배우자"); never shown to the party. */
  partyLabel: string | null;
  registeredBy: 'citizen' | 'admin';
  /** `citizen` or the administrator's subject at the staff IdP. */
  registrar: string;
  courtOrderRef: string | null;
  createdAt: Date;
  withdrawnAt: Date | null;
  withdrawnBy: string | null;
}

/** The body of POST /v1/me/protection-orders and the `party` of the administrator's order. */
export type PartyInput = Schemas['ProtectionParty'];

/** How an order is shown to the citizen it protects and to administrators: no subject keys. */
export type ProtectionOrderView = Schemas['ProtectionOrder'];

/** The parties a requester is: checked against the orders in force for the subject it asks about. */
export interface ActingParty {
  orgId?: string;
  clerkId?: string;
  personKey?: string;
}
