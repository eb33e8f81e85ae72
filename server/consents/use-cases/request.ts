/**
 * A consent request: a client (API) or a clerk (counter, citizen mode) asks a citizen; the requester
 * reads it back; the approval screen loads it by id or by its short code.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ClerkPrincipal, ClientPrincipal } from '../../auth/principal.js';
import { NotFoundError } from '../../errors.js';
import type { RateBudget } from '../../limits/rate-limiter.js';
import type { Organisation, Purpose } from '../../organisations/organisations.types.js';
import { recordHash } from '../consent-token.js';
import type { ConsentRecord, ConsentRequestInput, ConsentRequestView } from '../consents.types.js';
import type { ConsentsContext } from './context.js';
import { fresh, load, recordEvent } from './records.js';
import { checkRequest } from './request-checks.js';
import { requestView } from './views.js';

const SHORT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newShortCode(): string {
  const bytes = randomBytes(8);
  return [...bytes].map((b) => SHORT_CODE_ALPHABET[b % 32]).join('');
}

/** POST /v1/consent-requests: a client (API) or a clerk (counter, citizen mode) asks a citizen. */
export async function createRequest(
  ctx: ConsentsContext,
  requester: ClientPrincipal | ClerkPrincipal,
  input: ConsentRequestInput,
): Promise<ConsentRequestView> {
  const now = ctx.clock();
  const checked = await checkRequest(ctx, requester, input);
  if (checked.subjectKey && ctx.deps.protections) {
    await ctx.deps.protections.refuseConsentRequestIfBarred(requester, checked.subjectKey, {
      purposeCode: checked.purpose.code,
      legalBasis: checked.purpose.legalBasis,
      recordTypes: Object.keys(checked.fieldsRequested),
    });
  }
  // Counted once the request is acceptable; a refused one stores nothing.
  const budgets: RateBudget[] = [
    requester.kind === 'client'
      ? {
          key: `consent-request:client:${requester.clientId}`,
          window: 'minute',
          limit: ctx.deps.requestLimits.perMinute,
        }
      : {
          key: `consent-request:org:${requester.orgId}`,
          window: 'minute',
          limit: ctx.deps.requestLimits.perMinute,
        },
  ];
  if (checked.subjectKey) {
    budgets.push({
      key: `consent-request:subject:${checked.subjectKey}`,
      window: 'hour',
      limit: ctx.deps.requestLimits.perSubjectPerHour,
    });
  }
  await ctx.deps.rateLimiter.admit(budgets, now);
  const record: ConsentRecord = {
    id: randomUUID(),
    version: 1,
    schemaVersion: '1',
    status: 'REQUESTED',
    statusReason: null,
    mode: 'citizen',
    subjectKey: checked.subjectKey,
    subjectNamed: checked.subjectKey !== null,
    requesterOrg: checked.organisation.id,
    requesterClass: checked.organisation.class,
    clientId: requester.kind === 'client' ? requester.clientId : null,
    clerkId: requester.kind === 'clerk' ? requester.clerkId : null,
    purposeCode: checked.purpose.code,
    legalBasis: checked.purpose.legalBasis,
    recordTypes: Object.keys(checked.fieldsRequested),
    fieldsRequested: checked.fieldsRequested,
    fieldsGranted: null,
    dataRange: input.dataRange ?? null,
    usage: checked.usage,
    maxUses: checked.usage.maxUses,
    useCount: 0,
    lastUsedAt: null,
    dataLife: input.dataLife,
    durationDays: input.durationDays,
    validFrom: null,
    validUntil: null,
    requestExpiresAt: new Date(now.getTime() + ctx.deps.requestTtlSeconds * 1000),
    redirectUri: input.redirectUri ?? null,
    clientState: input.state ?? null,
    webhookUrl: input.webhookUrl ?? null,
    shortCode: newShortCode(),
    collectionMethod: 'web-oidc',
    documentReference: null,
    acr: null,
    amr: null,
    authTime: null,
    language: input.language ?? null,
    jurisdiction: 'KR',
    recHash: '',
    createdAt: now,
    updatedAt: now,
  };
  record.recHash = recordHash(record);
  const actor = requester.kind === 'client' ? `client:${requester.clientId}` : `clerk:${requester.clerkId}`;
  await ctx.repo.transaction(async (trx) => {
    await ctx.repo.insert(record, trx);
    await recordEvent(ctx, trx, record, { type: 'requested', actor, reason: null, detail: {}, at: now });
  });
  return requestView(ctx, record);
}

/** GET /v1/consent-requests/{id}: only the requesting client, or a clerk of the requesting agency. */
export async function getRequest(
  ctx: ConsentsContext,
  requester: ClientPrincipal | ClerkPrincipal,
  id: string,
): Promise<ConsentRequestView> {
  const record = await ctx.repo.get(id);
  const mine =
    record &&
    record.requesterOrg === requester.orgId &&
    (requester.kind === 'clerk' ? record.clerkId !== null : record.clientId === requester.clientId);
  if (!record || !mine) throw new NotFoundError('No such consent request.');
  return requestView(ctx, await fresh(ctx, record));
}

/** The approval screen's data: the record (fresh) with requester and purpose. */
export async function forApproval(
  ctx: ConsentsContext,
  id: string,
): Promise<{ record: ConsentRecord; organisation: Organisation; purpose: Purpose }> {
  const record = await load(ctx, id);
  const [organisation, purpose] = await Promise.all([
    ctx.deps.organisations.getOrganisation(record.requesterOrg),
    ctx.deps.organisations.getPurpose(record.purposeCode),
  ]);
  return { record, organisation, purpose };
}

export async function findByShortCode(
  ctx: ConsentsContext,
  code: string,
): Promise<ConsentRecord | undefined> {
  return ctx.repo.findByShortCode(code.toUpperCase());
}
