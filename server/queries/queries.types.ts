/**
 * The verification query: what a bank or clerk asks, and what it gets back per record. These are
 * the contract's shapes (openapi/gateway.yaml, generated into openapi/gateway.d.ts), named here in the
 * domain's words; change the contract and run `npm run gen:api`, never a copy here.
 */
import type { components } from '../../openapi/gateway.js';

type Schemas = components['schemas'];

export type QueryRequest = Schemas['QueryRequest'];
export type AccessMode = QueryRequest['mode'];
/** How the citizen's agreement (or its legal substitute) is shown for this query. */
export type ConsentReference = NonNullable<QueryRequest['consent']>;
/** One asked record; `fields` omitted means every field the policy and consent allow. */
export type RecordRequest = NonNullable<QueryRequest['records']>[number];

export type QueryResponse = Schemas['QueryResponse'];
export type RecordResult = Schemas['QueryRecordResult'];
export type RecordOutcome = RecordResult['outcome'];

/** Whom a query may be about: a person or a corporation; objects are named per record instead. */
export type SubjectScheme = NonNullable<QueryRequest['subject']>['scheme'];
// Exactly the contract's schemes: a scheme missing here or one the contract lacks fails to compile.
const SUBJECT_SCHEMES: Readonly<Record<SubjectScheme, true>> = { rrn: true, frn: true, brn: true, crn: true };
export const isSubjectScheme = (scheme: string): scheme is SubjectScheme =>
  Object.hasOwn(SUBJECT_SCHEMES, scheme);
