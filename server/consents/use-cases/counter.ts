/**
 * Counter modes without the citizen's phone: `attested` (the clerk records the citizen's signed paper
 * form) and `statutory` (the purpose's legal basis permits access without consent); both single use
 * with a short validity (COUNTER_VALIDITY_MINUTES).
 */
import { randomUUID } from 'node:crypto';
import type { ClerkPrincipal } from '../../auth/principal.js';
import { ForbiddenError, ValidationError, type FieldIssue } from '../../errors.js';
import { recordHash } from '../consent-token.js';
import type { ConsentRecord } from '../consents.types.js';
import { attestedAgreement } from '../separate-consent.js';
import type { ConsentsContext } from './context.js';
import { recordEvent } from './records.js';

async function counterRecord(
  ctx: ConsentsContext,
  mode: 'attested' | 'statutory',
  input: {
    clerk: ClerkPrincipal;
    subjectKey: string;
    purposeCode: string;
    recordTypes: string[];
    documentReference?: string;
    /** Attested only: the signed form states the separate agreement (PIPA arts. 23, 24). */
    separateAgreement?: boolean;
    now?: Date;
  },
): Promise<{ id: string }> {
  const now = input.now ?? ctx.clock();
  const { clerk } = input;
  if (clerk?.kind !== 'clerk') throw new ForbiddenError('forbidden', 'Only a clerk records counter consent.');
  const issues: FieldIssue[] = [];
  if (!/^[0-9a-f]{64}$/.test(input.subjectKey))
    issues.push({ pointer: '/subject', message: 'not a subject key' });
  const { organisation, purpose } = await ctx.deps.organisations.assertEntitled(
    clerk.orgId,
    input.purposeCode,
  );
  const allowed =
    mode === 'attested' ? ['consent', 'consent-or-statutory'] : ['statutory', 'consent-or-statutory'];
  if (!allowed.includes(purpose.consentBasis)) {
    issues.push({
      pointer: '/purpose',
      message:
        mode === 'statutory'
          ? `purpose ${purpose.code} has no statutory basis for access without consent`
          : `purpose ${purpose.code} is statutory; record the statutory basis instead`,
    });
  }
  if (input.recordTypes.length === 0)
    issues.push({ pointer: '/records', message: 'at least one record type' });
  input.recordTypes.forEach((rt, i) => {
    if (!purpose.recordTypes.includes(rt)) {
      issues.push({
        pointer: `/records/${i}/recordType`,
        message: `purpose ${purpose.code} does not cover ${rt}`,
      });
    }
  });
  const reference = input.documentReference?.trim() ?? '';
  if (mode === 'attested' && (reference.length < 3 || reference.length > 200)) {
    issues.push({
      pointer: '/consent/documentReference',
      message: 'the signed form reference (3–200 characters)',
    });
  }
  if (issues.length) throw new ValidationError('The counter consent cannot be recorded.', issues);

  const recordTypes = [...new Set(input.recordTypes)];
  const record: ConsentRecord = {
    id: randomUUID(),
    version: 1,
    schemaVersion: '1',
    status: 'ACTIVE',
    statusReason: null,
    mode,
    subjectKey: input.subjectKey,
    subjectNamed: true,
    requesterOrg: organisation.id,
    requesterClass: organisation.class,
    clientId: null,
    clerkId: clerk.clerkId,
    purposeCode: purpose.code,
    legalBasis: purpose.legalBasis,
    recordTypes,
    fieldsRequested: Object.fromEntries(recordTypes.map((rt) => [rt, { required: [], optional: [] }])),
    fieldsGranted: Object.fromEntries(recordTypes.map((rt) => [rt, 'all' as const])),
    dataRange: null,
    usage: { fetch: 'once', maxUses: 1 },
    maxUses: 1,
    useCount: 0,
    lastUsedAt: null,
    dataLife: null,
    durationDays: 0,
    validFrom: now,
    validUntil: new Date(now.getTime() + (ctx.deps.counterValidityMinutes ?? 30) * 60_000),
    requestExpiresAt: now,
    redirectUri: null,
    clientState: null,
    webhookUrl: null,
    shortCode: null,
    collectionMethod: mode === 'attested' ? 'paper-form-attested-by-clerk' : 'statutory-basis',
    documentReference: mode === 'attested' ? reference : null,
    acr: null,
    amr: null,
    authTime: null,
    language: null,
    jurisdiction: 'KR',
    ...(mode === 'attested' && input.separateAgreement
      ? { separateAgreement: attestedAgreement(ctx.deps.catalog, recordTypes, now) }
      : {}),
    recHash: '',
    createdAt: now,
    updatedAt: now,
  };
  record.recHash = recordHash(record);
  await ctx.repo.transaction(async (trx) => {
    await ctx.repo.insert(record, trx);
    await recordEvent(ctx, trx, record, {
      type: mode,
      actor: `clerk:${clerk.clerkId}`,
      reason: mode === 'statutory' ? purpose.legalBasis : null,
      detail: mode === 'attested' ? { documentReference: reference } : { legalBasis: purpose.legalBasis },
      at: now,
    });
  });
  return { id: record.id };
}

/** Counter mode `attested`: the clerk records the citizen's signed paper form (single use, short validity). */
export function recordAttestedConsent(
  ctx: ConsentsContext,
  input: {
    clerk: ClerkPrincipal;
    subjectKey: string;
    purposeCode: string;
    recordTypes: string[];
    documentReference: string;
    separateAgreement?: boolean;
    now?: Date;
  },
): Promise<{ id: string }> {
  return counterRecord(ctx, 'attested', input);
}

/** Counter mode `statutory`: only when the purpose's legal basis permits access without consent. */
export function recordStatutoryBasis(
  ctx: ConsentsContext,
  input: {
    clerk: ClerkPrincipal;
    subjectKey: string;
    purposeCode: string;
    recordTypes: string[];
    now?: Date;
  },
): Promise<{ id: string }> {
  return counterRecord(ctx, 'statutory', input);
}
