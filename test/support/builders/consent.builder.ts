/**
 * A consent record for a test, with its parents: `aConsent()` returns a valid record (ACTIVE by
 * default, its hash computed after the overrides), `givenConsent()` stores it after the rows it
 * references (organisation, purpose, API client). A test names only what its rule is about;
 * everything else is a plausible default. Parents exist only in PostgreSQL: the in-memory fake
 * takes `noParents`.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { recordHash } from '../../../server/consents/consent-token.js';
import type { ConsentsRepo } from '../../../server/consents/consents.repo.js';
import type { ConsentRecord } from '../../../server/consents/consents.types.js';

export const BUILDER_ORG = 'org-bank-builder';
export const BUILDER_CLIENT = 'client-builder';
export const BUILDER_PURPOSE = 'loan.builder-screening';
export const BUILDER_RECORD_TYPE = 'resident.registration-abstract';
/** A subject key (HMAC-SHA256 hex); tests that need two subjects pass their own. */
export const BUILDER_SUBJECT = 'a'.repeat(64);

const DAY_MS = 86_400_000;
/** Defaults are dated from a fixed instant so that results never depend on the wall clock. */
export const BUILDER_NOW = new Date('2026-03-02T09:00:00.000Z');

export function aConsent(overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  const created = overrides.createdAt ?? new Date(BUILDER_NOW.getTime() - DAY_MS);
  const maxUses = overrides.maxUses ?? 3;
  // Undecided (or refused) requests have no validity and no granted fields yet.
  const decided = overrides.status !== 'REQUESTED' && overrides.status !== 'REJECTED';
  const record: ConsentRecord = {
    id: randomUUID(),
    version: decided ? 2 : 1,
    schemaVersion: '1',
    status: 'ACTIVE',
    statusReason: null,
    mode: 'citizen',
    subjectKey: BUILDER_SUBJECT,
    subjectNamed: true,
    requesterOrg: BUILDER_ORG,
    requesterClass: 'bank',
    clientId: BUILDER_CLIENT,
    clerkId: null,
    purposeCode: BUILDER_PURPOSE,
    legalBasis: 'PIPA art. 15(1)1',
    recordTypes: [BUILDER_RECORD_TYPE],
    fieldsRequested: { [BUILDER_RECORD_TYPE]: { required: ['address'], optional: ['householdHeadName'] } },
    fieldsGranted: decided ? { [BUILDER_RECORD_TYPE]: ['address'] } : null,
    dataRange: null,
    usage: maxUses === 1 ? { fetch: 'once', maxUses: 1 } : { fetch: 'limited', maxUses },
    maxUses,
    useCount: 0,
    lastUsedAt: null,
    dataLife: { unit: 'day', value: 30 },
    durationDays: 30,
    validFrom: decided ? created : null,
    validUntil: decided ? new Date(created.getTime() + 30 * DAY_MS) : null,
    // Still pending at BUILDER_NOW.
    requestExpiresAt: new Date(created.getTime() + 2 * DAY_MS),
    redirectUri: null,
    clientState: null,
    webhookUrl: null,
    shortCode: null,
    collectionMethod: 'online-screen',
    documentReference: null,
    acr: null,
    amr: null,
    authTime: null,
    language: 'ko',
    jurisdiction: 'KR',
    separateAgreement: null,
    recHash: '',
    createdAt: created,
    updatedAt: created,
    ...overrides,
  };
  return { ...record, recHash: overrides.recHash ?? recordHash(record) };
}

/** Creates the rows a consent references, before the consent itself. */
export type ParentRows = (record: ConsentRecord) => Promise<void>;

/** The in-memory fake references nothing. */
export const noParents: ParentRows = async () => {};

/** Organisation, purpose and (for an API requester) client rows in PostgreSQL; idempotent. */
export function knexParents(db: Knex): ParentRows {
  return async (record) => {
    await db('organisation')
      .insert({
        id: record.requesterOrg,
        class: record.requesterClass,
        names: JSON.stringify({ en: 'Builder Bank', ko: '빌더은행', ja: 'ビルダー銀行' }),
      })
      .onConflict('id')
      .ignore();
    await db('purpose')
      .insert({
        code: record.purposeCode,
        names: JSON.stringify({ en: 'Loan screening', ko: '대출 심사', ja: '融資審査' }),
        legal_basis: record.legalBasis,
        consent_basis: 'consent',
        record_types: record.recordTypes,
        bounds: JSON.stringify({ maxConsentDays: 365, maxUses: 10, maxDataRangeDays: 365 }),
      })
      .onConflict('code')
      .ignore();
    if (record.clientId) {
      await db('api_client')
        .insert({
          id: record.clientId,
          org_id: record.requesterOrg,
          name: 'Builder client',
          jwks: '{"keys":[]}',
        })
        .onConflict('id')
        .ignore();
    }
  };
}

/** Stores a built consent after its parents and returns it as stored. */
export async function givenConsent(
  repo: Pick<ConsentsRepo, 'insert'>,
  parents: ParentRows,
  overrides: Partial<ConsentRecord> = {},
): Promise<ConsentRecord> {
  const record = aConsent(overrides);
  await parents(record);
  await repo.insert(record);
  return record;
}
