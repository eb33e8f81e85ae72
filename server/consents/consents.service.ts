/**
 * Citizen consent: requests, the citizen's decision, the authoritative versioned record and its lifecycle,
 * consent tokens, counter modes, and the verification every query runs. No Express, no knex.
 *
 * ## For the query gateway: `authorizeUse(input, { trx })`
 *
 * ```ts
 * const grant = await consents.authorizeUse(
 *   {
 *     principal,            // client (bank / institution API) or clerk (console)
 *     subjectKey,           // HMAC(pepper, canonical national ID) of the subject the query is about
 *     purposeCode,          // the query's coded purpose
 *     recordTypes,          // record types this query reads (non-empty)
 *     requestedFields,      // per record type: field names, or 'all' = every field the consent grants
 *     consentToken,         // clients: the compact consent+jwt from POST /v1/consents/{id}/token
 *     consentId,            // clerks: the consent record id (citizen, attested or statutory mode)
 *     now,                  // the gateway's clock for this request
 *   },
 *   { trx },                // the gateway's transaction: commit it together with the audit entry
 * );
 * // → { consentId, version, mode: 'citizen' | 'attested' | 'statutory',
 * //     grantedFields: { [recordType]: string[] | 'all' } }   ('all' only for attested / statutory records)
 * ```
 *
 * What it checks, in order (the first failure throws an AppError with a DESIGN §10 code):
 * 1. `consent_required` — a client sent no token, or a clerk no consent id; other principals: `forbidden`.
 * 2. `consent_invalid` — the token's signature (any verifying consent-token key, so rotated keys keep
 *    verifying), `typ: consent+jwt`, ES256, `iss`, `aud`, `nbf`/`exp` (≤ 60 s skew) or lifetime fail; it
 *    was issued to another client or organisation; its `cnf.jkt` is not the caller's DPoP key; the
 *    record does not exist or belongs to another requester; or the token describes an older version of
 *    the record (`cver` / `rec_hash` differ from the record now: fetch a new token).
 * 3. `subject_mismatch` — the record (and the token's pairwise `sub`) is about someone else.
 * 4. `consent_revoked` (REVOKED), `consent_exhausted` (EXHAUSTED), `forbidden` for every other state
 *    (REQUESTED, REJECTED, PAUSED, EXPIRED) and outside the record's validity window.
 * 5. `forbidden` — purpose, a record type or a named field outside the consent.
 * 6. The use is counted by ONE conditional UPDATE (`status = 'ACTIVE' AND version = v AND use_count <
 *    max_uses AND valid_from <= now < valid_until`) in the caller's transaction. A revocation that
 *    commits first makes it match nothing (→ `consent_revoked`); a revocation that comes later waits on the
 *    row lock until the caller's transaction ends. So no use succeeds after a revocation commits. The use
 *    that reaches `max_uses` also moves the record to EXHAUSTED (new version, event, webhook) in that
 *    transaction. If the caller rolls back (audit failure), the use is not counted.
 *    `useGuard(grant, now)` is the same UPDATE as a StatementGuard for a dry run's grant, so the
 *    gateway commits the use and its audit entries in one statement; none for the last use.
 * The DB record is always re-read; the token only proves which terms the requester was given.
 *
 * Counting a use does not change the record's version (use counts are not terms); every change of state or
 * terms does, and each writes a consent_event (what the citizen's view lists) and, for API requesters with a
 * webhook URL, an outbox row for the signed webhook (webhooks.ts).
 *
 * Redirect URIs: a client with URIs in api_client_redirect_uri must use one of them exactly; a client with
 * none may use any https URI, or loopback http outside production (dev convenience; production refuses).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { subjectKey as keyOfSubject } from '../audit/commitment.js';
import type { ClerkPrincipal, CitizenPrincipal, ClientPrincipal, Principal } from '../auth/principal.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { canonicaliseIdentifier } from '../catalog/identifiers/index.js';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from '../errors.js';
import type { StatementGuard } from '../db/statement-guard.js';
import type { KeyStore } from '../keys/key-store.js';
import type { RateBudget, RateLimiter } from '../limits/rate-limiter.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { Organisation, Purpose } from '../organisations/organisations.types.js';
import {
  ConsentInvalidError,
  issueConsentToken,
  pairwiseSubject,
  recordHash,
  verifyConsentToken,
  type TokenContext,
} from './consent-token.js';
import type { ConsentsRepo, SubjectPageCursor, Tx } from './consents.repo.js';
import type {
  CitizenConsentView,
  ConsentEvent,
  ConsentEventType,
  ConsentMode,
  ConsentRecord,
  ConsentRequestInput,
  ConsentRequestView,
  ConsentStatus,
  DataRange,
  GrantedFields,
  PeriodUnit,
  RequestedFields,
  Usage,
} from './consents.types.js';
import {
  applySeparateDecision,
  attestedAgreement,
  separateEventDetail,
  type SeparateAgreement,
  type SeparateKind,
} from './separate-consent.js';
import { webhookEvent } from './webhooks.js';
import type { ProtectionsService } from '../protections/protections.service.js';
import { representationDetail } from '../representatives/representation.js';
import type { RepresentativesService } from '../representatives/representatives.service.js';
import type { Representation } from '../representatives/representatives.types.js';

export interface AuthorizeUseInput {
  principal: Principal;
  subjectKey: string;
  purposeCode: string;
  recordTypes: string[];
  requestedFields: Record<string, string[] | 'all'>;
  consentToken?: string | undefined;
  consentId?: string | undefined;
  now: Date;
}

export interface ConsentGrant {
  consentId: string;
  version: number;
  mode: ConsentMode;
  grantedFields: Record<string, string[] | 'all'>;
  /** The records' period the citizen consented to; the release withholds what lies outside it. */
  dataRange?: DataRange | null;
  /** A dry run's count of the uses left before this one (the use itself included). */
  usesLeft?: number;
  /** PIPA arts. 23/24 items agreed to apart; the query refuses flagged items without it. */
  separateAgreement?: SeparateAgreement | null;
}

export interface ConsentsDeps {
  repo: ConsentsRepo;
  organisations: Pick<OrganisationsService, 'assertEntitled' | 'getOrganisation' | 'getPurpose'>;
  catalog: Pick<Catalog, 'has' | 'get'>;
  keys: KeyStore;
  /** SUBJECT_PEPPER as UTF-8 bytes. */
  pepper: Uint8Array;
  /** Our external base URL: consent token `iss`, citizen links. */
  publicUrl: string;
  /** Outside production: loopback http redirect and webhook URIs are accepted. */
  allowLoopbackHttp: boolean;
  requestTtlSeconds: number;
  tokenTtlSeconds: number;
  /** Validity of attested and statutory counter records (single use). */
  counterValidityMinutes?: number;
  /** Counts consent requests against the budgets below (server/limits/, in PostgreSQL). */
  rateLimiter: RateLimiter;
  /** Per client (per agency at the counter) per minute; per named citizen per hour, whoever asks. */
  requestLimits: { perMinute: number; perSubjectPerHour: number };
  /** Protection orders: a barred requester's request is refused, audited, undisclosed. */
  protections?: Pick<ProtectionsService, 'refuseConsentRequestIfBarred'>;
  /** Representatives: who may decide for a named subject (server/representatives). */
  representation?: Pick<RepresentativesService, 'actingFor'>;
  now?: () => Date;
}

const DAY_MS = 86_400_000;
const PERIOD_DAYS: Record<PeriodUnit, number> = { day: 1, week: 7, month: 30, year: 365 };
const SHORT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_PAGE = 100;

export const consentTokenAudience = (publicUrl: string) => `${publicUrl.replace(/\/$/, '')}/v1/queries`;

export function newShortCode(): string {
  const bytes = randomBytes(8);
  return [...bytes].map((b) => SHORT_CODE_ALPHABET[b % 32]).join('');
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

function checkUri(value: string, allowLoopbackHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not an absolute URL';
  }
  if (url.hash) return 'must not have a fragment';
  if (url.username || url.password) return 'must not hold credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined;
  return allowLoopbackHttp ? 'must be https (or http on a loopback address)' : 'must be https';
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function statusError(record: ConsentRecord): AppError {
  switch (record.status) {
    case 'REVOKED':
      return new ForbiddenError('consent_revoked', 'The citizen revoked this consent.');
    case 'EXHAUSTED':
      return new ForbiddenError('consent_exhausted', 'Every use this consent allows has been made.');
    case 'PAUSED':
      return new ForbiddenError('forbidden', 'The citizen paused this consent.');
    case 'EXPIRED':
      return new ForbiddenError('forbidden', 'This consent has expired.');
    case 'REJECTED':
      return new ForbiddenError('forbidden', 'The citizen refused this request.');
    case 'REQUESTED':
      return new ForbiddenError('forbidden', 'The citizen has not decided on this request yet.');
    default:
      return new ForbiddenError('forbidden', 'This consent cannot be used now.');
  }
}

export function createConsentsService(deps: ConsentsDeps) {
  const { repo, organisations, catalog } = deps;
  const clock = deps.now ?? (() => new Date());
  const tokenCtx: TokenContext = {
    keys: deps.keys,
    issuer: deps.publicUrl.replace(/\/$/, ''),
    audience: consentTokenAudience(deps.publicUrl),
  };
  const counterMinutes = deps.counterValidityMinutes ?? 30;
  const limits = deps.requestLimits;
  const base = deps.publicUrl.replace(/\/$/, '');

  const inTx = <T>(trx: Tx | undefined, work: (trx: Tx) => Promise<T>): Promise<T> =>
    trx ? work(trx) : repo.transaction(work);

  /** The use that reaches max_uses moves the record to EXHAUSTED in the same transaction. */
  const exhaust = (trx: Tx, counted: ConsentRecord, at: Date) =>
    transition(trx, counted, {
      status: 'EXHAUSTED',
      type: 'exhausted',
      actor: 'system',
      reason: `All ${counted.maxUses} allowed uses were made.`,
      at,
    });

  /** Writes the next version of a locked record, its event and (API requesters) a webhook. */
  async function transition(
    trx: Tx,
    current: ConsentRecord,
    change: {
      status: ConsentStatus;
      type: ConsentEventType;
      actor: string;
      reason?: string | null;
      patch?: Partial<ConsentRecord>;
      detail?: Record<string, unknown>;
      at: Date;
    },
  ): Promise<ConsentRecord> {
    const next: ConsentRecord = {
      ...current,
      ...change.patch,
      status: change.status,
      statusReason: change.reason ?? null,
      version: current.version + 1,
      updatedAt: change.at,
    };
    next.recHash = recordHash(next);
    await repo.replace(next, trx);
    await recordEvent(
      trx,
      next,
      change.type,
      change.actor,
      change.reason ?? null,
      change.detail ?? {},
      change.at,
    );
    return next;
  }

  async function recordEvent(
    trx: Tx,
    record: ConsentRecord,
    type: ConsentEventType,
    actor: string,
    reason: string | null,
    detail: Record<string, unknown>,
    at: Date,
  ): Promise<void> {
    const event: Omit<ConsentEvent, 'id'> = {
      consentId: record.id,
      version: record.version,
      at,
      type,
      state: record.status,
      actor,
      reason,
      detail,
    };
    const eventId = await repo.insertEvent(event, trx);
    if (record.webhookUrl && record.clientId && type !== 'requested') {
      await repo.enqueueDelivery(
        {
          consentId: record.id,
          eventId,
          url: record.webhookUrl,
          audience: record.clientId,
          payload: webhookEvent(record, event),
          at,
        },
        trx,
      );
    }
  }

  function dueForExpiry(record: ConsentRecord, now: Date): string | undefined {
    if (record.status === 'REQUESTED' && record.requestExpiresAt <= now)
      return 'The request was not answered in time.';
    if (
      (record.status === 'ACTIVE' || record.status === 'PAUSED') &&
      record.validUntil &&
      record.validUntil <= now
    ) {
      return 'The consent reached the end of its validity.';
    }
    return undefined;
  }

  /** Lazy expiry: a record read after its end is moved to EXPIRED first (with event and webhook). */
  async function fresh(record: ConsentRecord, now = clock()): Promise<ConsentRecord> {
    if (!dueForExpiry(record, now)) return record;
    return repo.transaction(async (trx) => {
      const locked = (await repo.getForUpdate(record.id, trx))!;
      const reason = dueForExpiry(locked, now);
      if (!reason) return locked;
      return transition(trx, locked, {
        status: 'EXPIRED',
        type: 'expired',
        actor: 'system',
        reason,
        at: now,
      });
    });
  }

  /** A named subject other than the signed-in citizen, represented by them under a grant in force. */
  async function representationIn(
    citizen: CitizenPrincipal,
    record: ConsentRecord,
    now: Date,
  ): Promise<Representation | undefined> {
    if (!deps.representation || !record.subjectNamed || !record.subjectKey) return undefined;
    if (record.subjectKey === citizen.subjectKey) return undefined;
    return deps.representation.actingFor(citizen.subjectKey, record.subjectKey, record.recordTypes, now);
  }

  async function load(id: string): Promise<ConsentRecord> {
    const record = await repo.get(id);
    if (!record) throw new NotFoundError('No such consent.');
    return fresh(record);
  }

  function requestView(record: ConsentRecord): ConsentRequestView {
    return {
      id: record.id,
      status: record.status,
      version: record.version,
      mode: record.mode,
      purpose: record.purposeCode,
      recordTypes: record.recordTypes,
      citizenUrl: `${base}/consent/${record.id}`,
      shortCode: record.status === 'REQUESTED' ? record.shortCode : null,
      shortUrl:
        record.status === 'REQUESTED' && record.shortCode ? `${base}/consent/c/${record.shortCode}` : null,
      expiresAt: record.requestExpiresAt.toISOString(),
      validFrom: iso(record.validFrom),
      validUntil: iso(record.validUntil),
      fieldsGranted: record.fieldsGranted,
      usage: record.usage,
      useCount: record.useCount,
      statusReason: record.statusReason,
      updatedAt: record.updatedAt.toISOString(),
    };
  }

  async function citizenView(record: ConsentRecord, withEvents: boolean): Promise<CitizenConsentView> {
    const [org, purpose] = await Promise.all([
      organisations.getOrganisation(record.requesterOrg),
      organisations.getPurpose(record.purposeCode),
    ]);
    const view: CitizenConsentView = {
      id: record.id,
      status: record.status,
      version: record.version,
      mode: record.mode,
      requester: { org: org.id, class: org.class, names: org.names },
      clerkId: record.clerkId,
      purpose: { code: purpose.code, names: purpose.names, legalBasis: record.legalBasis },
      recordTypes: record.recordTypes,
      fieldsGranted: record.fieldsGranted,
      dataRange: record.dataRange,
      usage: record.usage,
      useCount: record.useCount,
      lastUsedAt: iso(record.lastUsedAt),
      dataLife: record.dataLife,
      validFrom: iso(record.validFrom),
      validUntil: iso(record.validUntil),
      collectionMethod: record.collectionMethod,
      documentReference: record.documentReference,
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
    };
    if (withEvents) {
      view.events = (await repo.events(record.id)).map((e) => ({
        at: e.at.toISOString(),
        type: e.type,
        state: e.state,
        actor: e.actor,
        reason: e.reason,
      }));
    }
    return view;
  }

  /** Checks one request against the catalog and the purpose's bounds; collects every problem. */
  async function checkRequest(
    requester: ClientPrincipal | ClerkPrincipal,
    input: ConsentRequestInput,
  ): Promise<{
    organisation: Organisation;
    purpose: Purpose;
    subjectKey: string | null;
    fieldsRequested: Record<string, RequestedFields>;
    usage: Usage;
  }> {
    const issues: FieldIssue[] = [];
    let subjectKey: string | null = null;
    if (input.subject) {
      const canonical = canonicaliseIdentifier(input.subject.scheme, input.subject.id, '/subject/id');
      subjectKey = keyOfSubject(deps.pepper, canonical);
    }
    const { organisation, purpose } = await organisations.assertEntitled(requester.orgId, input.purpose);
    if (purpose.consentBasis === 'statutory') {
      issues.push({
        pointer: '/purpose',
        message: 'this purpose has a statutory basis; no consent is asked for it',
      });
    }

    const fieldsRequested: Record<string, RequestedFields> = {};
    input.records.forEach((r, i) => {
      const at = `/records/${i}`;
      if (fieldsRequested[r.recordType]) {
        issues.push({ pointer: `${at}/recordType`, message: 'record type listed twice' });
        return;
      }
      if (!catalog.has(r.recordType)) {
        issues.push({ pointer: `${at}/recordType`, message: `unknown record type ${r.recordType}` });
        return;
      }
      if (!purpose.recordTypes.includes(r.recordType)) {
        issues.push({
          pointer: `${at}/recordType`,
          message: `purpose ${purpose.code} does not cover ${r.recordType}`,
        });
        return;
      }
      const type = catalog.get(r.recordType);
      if (type.consentClass !== 'consent-required' || type.subjectKind !== 'person') {
        issues.push({
          pointer: `${at}/recordType`,
          message: `${r.recordType} is not a personal record a citizen consents to (${type.consentClass})`,
        });
        return;
      }
      const known = type.schema.properties;
      const required = r.fields.required;
      const optional = r.fields.optional ?? [];
      const seen = new Set<string>();
      for (const [kind, list] of [
        ['required', required],
        ['optional', optional],
      ] as const) {
        list.forEach((field, j) => {
          if (!Object.hasOwn(known, field)) {
            issues.push({
              pointer: `${at}/fields/${kind}/${j}`,
              message: `${r.recordType} has no field ${field}`,
            });
          } else if (seen.has(field)) {
            issues.push({ pointer: `${at}/fields/${kind}/${j}`, message: `field ${field} listed twice` });
          }
          seen.add(field);
        });
      }
      if (seen.size === 0) issues.push({ pointer: `${at}/fields`, message: 'ask for at least one field' });
      fieldsRequested[r.recordType] = { required: [...new Set(required)], optional: [...new Set(optional)] };
    });

    const { bounds } = purpose;
    if (input.durationDays > bounds.maxConsentDays) {
      issues.push({
        pointer: '/durationDays',
        message: `at most ${bounds.maxConsentDays} days for purpose ${purpose.code}`,
      });
    }
    let usage: Usage;
    if (input.usage.fetch === 'once') {
      usage = { fetch: 'once', maxUses: 1 };
    } else if (input.usage.fetch === 'limited') {
      usage = { fetch: 'limited', maxUses: input.usage.maxUses };
      if (input.usage.maxUses > bounds.maxUses) {
        issues.push({
          pointer: '/usage/maxUses',
          message: `at most ${bounds.maxUses} uses for purpose ${purpose.code}`,
        });
      }
    } else {
      const { unit, value } = input.usage.frequency;
      const periods = Math.max(1, Math.ceil(input.durationDays / PERIOD_DAYS[unit]));
      usage = { fetch: 'periodic', frequency: { unit, value }, maxUses: periods * value };
      if (usage.maxUses > bounds.maxUses) {
        issues.push({
          pointer: '/usage/frequency',
          message: `${value} per ${unit} for ${input.durationDays} days is ${usage.maxUses} uses; purpose ${purpose.code} allows at most ${bounds.maxUses}`,
        });
      }
    }
    if (input.dataRange) {
      const span = daysBetween(input.dataRange.from, input.dataRange.to);
      if (!Number.isFinite(span) || span < 0) {
        issues.push({ pointer: '/dataRange', message: 'from must be a date on or before to' });
      } else if (span > bounds.maxDataRangeDays) {
        issues.push({
          pointer: '/dataRange',
          message: `at most ${bounds.maxDataRangeDays} days of records for purpose ${purpose.code}`,
        });
      }
    }

    if (requester.kind === 'clerk') {
      if (input.redirectUri)
        issues.push({ pointer: '/redirectUri', message: 'counter requests have no redirect' });
      if (input.webhookUrl)
        issues.push({ pointer: '/webhookUrl', message: 'counter requests have no webhook' });
    } else {
      if (input.redirectUri) {
        const registered = await repo.redirectUris(requester.clientId);
        if (registered.length) {
          if (!registered.includes(input.redirectUri))
            issues.push({ pointer: '/redirectUri', message: 'not registered for this client' });
        } else if (!deps.allowLoopbackHttp) {
          issues.push({ pointer: '/redirectUri', message: 'this client has no registered redirect URI' });
        } else {
          const problem = checkUri(input.redirectUri, true);
          if (problem) issues.push({ pointer: '/redirectUri', message: problem });
        }
      }
      if (input.webhookUrl) {
        const problem = checkUri(input.webhookUrl, deps.allowLoopbackHttp);
        if (problem) issues.push({ pointer: '/webhookUrl', message: problem });
      }
    }
    if (issues.length) throw new ValidationError('The consent request is not acceptable.', issues);
    return { organisation, purpose, subjectKey, fieldsRequested, usage };
  }

  async function counterRecord(
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
    const now = input.now ?? clock();
    const { clerk } = input;
    if (clerk?.kind !== 'clerk')
      throw new ForbiddenError('forbidden', 'Only a clerk records counter consent.');
    const issues: FieldIssue[] = [];
    if (!/^[0-9a-f]{64}$/.test(input.subjectKey))
      issues.push({ pointer: '/subject', message: 'not a subject key' });
    const { organisation, purpose } = await organisations.assertEntitled(clerk.orgId, input.purposeCode);
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
      validUntil: new Date(now.getTime() + counterMinutes * 60_000),
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
        ? { separateAgreement: attestedAgreement(catalog, recordTypes, now) }
        : {}),
      recHash: '',
      createdAt: now,
      updatedAt: now,
    };
    record.recHash = recordHash(record);
    await repo.transaction(async (trx) => {
      await repo.insert(record, trx);
      await recordEvent(
        trx,
        record,
        mode,
        `clerk:${clerk.clerkId}`,
        mode === 'statutory' ? purpose.legalBasis : null,
        mode === 'attested' ? { documentReference: reference } : { legalBasis: purpose.legalBasis },
        now,
      );
    });
    return { id: record.id };
  }

  function citizenOwns(record: ConsentRecord, citizen: CitizenPrincipal): boolean {
    return record.subjectKey !== null && record.subjectKey === citizen.subjectKey;
  }

  async function citizenChange(
    citizen: CitizenPrincipal,
    id: string,
    from: ConsentStatus[],
    to: ConsentStatus,
    type: ConsentEventType,
    reason: string | undefined,
  ): Promise<CitizenConsentView> {
    const now = clock();
    const existing = await repo.get(id);
    if (!existing || !citizenOwns(existing, citizen)) throw new NotFoundError('No such consent.');
    await fresh(existing, now);
    const updated = await repo.transaction(async (trx) => {
      const locked = (await repo.getForUpdate(id, trx))!;
      if (!from.includes(locked.status)) {
        throw new ConflictError(`The consent is ${locked.status}; it cannot be ${type} now.`);
      }
      const detail = type === 'revoked' ? { useCount: locked.useCount } : {};
      return transition(trx, locked, {
        status: to,
        type,
        actor: 'citizen',
        reason: reason ?? null,
        detail,
        at: now,
      });
    });
    return citizenView(updated, true);
  }

  return {
    /** POST /v1/consent-requests: a client (API) or a clerk (counter, citizen mode) asks a citizen. */
    async createRequest(
      requester: ClientPrincipal | ClerkPrincipal,
      input: ConsentRequestInput,
    ): Promise<ConsentRequestView> {
      const now = clock();
      const checked = await checkRequest(requester, input);
      if (checked.subjectKey && deps.protections) {
        await deps.protections.refuseConsentRequestIfBarred(requester, checked.subjectKey, {
          purposeCode: checked.purpose.code,
          legalBasis: checked.purpose.legalBasis,
          recordTypes: Object.keys(checked.fieldsRequested),
        });
      }
      // Counted once the request is acceptable; a refused one stores nothing.
      const budgets: RateBudget[] = [
        requester.kind === 'client'
          ? { key: `consent-request:client:${requester.clientId}`, window: 'minute', limit: limits.perMinute }
          : { key: `consent-request:org:${requester.orgId}`, window: 'minute', limit: limits.perMinute },
      ];
      if (checked.subjectKey) {
        budgets.push({
          key: `consent-request:subject:${checked.subjectKey}`,
          window: 'hour',
          limit: limits.perSubjectPerHour,
        });
      }
      await deps.rateLimiter.admit(budgets, now);
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
        requestExpiresAt: new Date(now.getTime() + deps.requestTtlSeconds * 1000),
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
      const actor =
        requester.kind === 'client' ? `client:${requester.clientId}` : `clerk:${requester.clerkId}`;
      await repo.transaction(async (trx) => {
        await repo.insert(record, trx);
        await recordEvent(trx, record, 'requested', actor, null, {}, now);
      });
      return requestView(record);
    },

    /** GET /v1/consent-requests/{id}: only the requesting client, or a clerk of the requesting agency. */
    async getRequest(requester: ClientPrincipal | ClerkPrincipal, id: string): Promise<ConsentRequestView> {
      const record = await repo.get(id);
      const mine =
        record &&
        record.requesterOrg === requester.orgId &&
        (requester.kind === 'clerk' ? record.clerkId !== null : record.clientId === requester.clientId);
      if (!record || !mine) throw new NotFoundError('No such consent request.');
      return requestView(await fresh(record));
    },

    /** The approval screen's data: the record (fresh) with requester and purpose. */
    async forApproval(
      id: string,
    ): Promise<{ record: ConsentRecord; organisation: Organisation; purpose: Purpose }> {
      const record = await load(id);
      const [organisation, purpose] = await Promise.all([
        organisations.getOrganisation(record.requesterOrg),
        organisations.getPurpose(record.purposeCode),
      ]);
      return { record, organisation, purpose };
    },

    /** The grant under which this citizen decides a request about someone else, if any. */
    representationFor: (citizen: CitizenPrincipal, record: ConsentRecord) =>
      representationIn(citizen, record, clock()),

    async findByShortCode(code: string): Promise<ConsentRecord | undefined> {
      return repo.findByShortCode(code.toUpperCase());
    },

    /**
     * The citizen's decision on a REQUESTED record. Only the subject may decide: a named subject must be the
     * signed-in citizen (else subject_mismatch); an unnamed one becomes the signed-in citizen. Approval
     * grants the required fields plus the optional ones the citizen kept, and stores how they signed in.
     */
    async decide(
      citizen: CitizenPrincipal,
      id: string,
      decision: {
        approve: boolean;
        keepOptional: Record<string, string[]>;
        language?: string | undefined;
        /** The separate steps ticked (PIPA arts. 23, 24); unticked, their items are not granted. */
        separate?: readonly SeparateKind[];
        /** A counter visit allowed for less than asked: never longer, never more uses (else 400). */
        shorten?: { durationDays?: number | undefined; maxUses?: number | undefined };
      },
    ): Promise<ConsentRecord> {
      const now = clock();
      const existing = await load(id);
      if (existing.status !== 'REQUESTED') {
        throw new ConflictError(`This request is ${existing.status}; it can no longer be decided.`);
      }
      return repo.transaction(async (trx) => {
        const locked = (await repo.getForUpdate(id, trx))!;
        if (locked.status !== 'REQUESTED' || locked.requestExpiresAt <= now) {
          throw new ConflictError('This request can no longer be decided.');
        }
        const onBehalf = await representationIn(citizen, locked, now);
        if (locked.subjectNamed && locked.subjectKey !== citizen.subjectKey && !onBehalf) {
          throw new ForbiddenError('subject_mismatch', 'This request is about someone else.');
        }
        const actor = onBehalf ? 'representative' : 'citizen';
        const represented = onBehalf ? { representation: representationDetail(onBehalf) } : {};
        const collection = {
          subjectKey: onBehalf ? onBehalf.principal.subjectKey : citizen.subjectKey,
          acr: citizen.acr ?? null,
          amr: citizen.amr ?? null,
          authTime: citizen.authTime === undefined ? null : new Date(citizen.authTime * 1000),
          language: decision.language ?? locked.language,
        };
        if (!decision.approve) {
          return transition(trx, locked, {
            status: 'REJECTED',
            type: 'rejected',
            actor,
            reason: 'The citizen refused the request.',
            patch: collection,
            detail: represented,
            at: now,
          });
        }
        const kept: GrantedFields = {};
        for (const rt of locked.recordTypes) {
          const asked = locked.fieldsRequested[rt]!;
          const keep = new Set(decision.keepOptional[rt] ?? []);
          kept[rt] = [...asked.required, ...asked.optional.filter((f) => keep.has(f))];
        }
        const separate = applySeparateDecision(catalog, kept, new Set(decision.separate ?? []), now);
        const granted = separate.granted;
        const days = decision.shorten?.durationDays ?? locked.durationDays;
        const uses = decision.shorten?.maxUses ?? locked.maxUses;
        const shortened = days !== locked.durationDays || uses !== locked.maxUses;
        if (
          shortened &&
          (locked.clerkId === null ||
            locked.usage.fetch === 'periodic' ||
            !Number.isInteger(days) ||
            !Number.isInteger(uses) ||
            days < 1 ||
            days > locked.durationDays ||
            uses < 1 ||
            uses > locked.maxUses)
        ) {
          throw new ValidationError(
            'A counter visit may only be allowed for less time or fewer uses than asked.',
          );
        }
        return transition(trx, locked, {
          status: 'ACTIVE',
          type: 'approved',
          actor,
          patch: {
            ...collection,
            fieldsGranted: granted,
            separateAgreement: separate.agreement,
            validFrom: now,
            validUntil: new Date(now.getTime() + days * DAY_MS),
            ...(shortened
              ? {
                  durationDays: days,
                  maxUses: uses,
                  usage:
                    uses === 1
                      ? { fetch: 'once' as const, maxUses: 1 }
                      : { fetch: 'limited' as const, maxUses: uses },
                }
              : {}),
          },
          detail: {
            ...represented,
            declined: Object.fromEntries(
              locked.recordTypes.map((rt) => [
                rt,
                locked.fieldsRequested[rt]!.optional.filter((f) => !(granted[rt] as string[]).includes(f)),
              ]),
            ),
            ...separateEventDetail(separate),
            ...(shortened ? { shortened: { durationDays: days, maxUses: uses } } : {}),
          },
          at: now,
        });
      });
    },

    /** POST /v1/consents/{id}/token: only the requesting client, only while ACTIVE; re-issuable. */
    async issueToken(
      client: ClientPrincipal,
      id: string,
    ): Promise<{
      token: string;
      tokenType: 'consent+jwt';
      expiresAt: string;
      consentId: string;
      version: number;
    }> {
      const now = clock();
      const existing = await repo.get(id);
      if (!existing || existing.clientId !== client.clientId || existing.requesterOrg !== client.orgId) {
        throw new NotFoundError('No such consent.');
      }
      const record = await fresh(existing, now);
      if (record.status !== 'ACTIVE') throw statusError(record);
      const { token, claims } = await issueConsentToken(tokenCtx, {
        record,
        clientId: client.clientId,
        cnfJkt: client.cnfJkt,
        pepper: deps.pepper,
        now,
        ttlSeconds: deps.tokenTtlSeconds,
      });
      return {
        token,
        tokenType: 'consent+jwt',
        expiresAt: new Date(claims.exp * 1000).toISOString(),
        consentId: record.id,
        version: record.version,
      };
    },

    async authorizeUse(
      input: AuthorizeUseInput,
      options: { trx?: unknown; dryRun?: boolean; checked?: ConsentGrant } = {},
    ): Promise<ConsentGrant> {
      const { principal, now } = input;
      // The caller's dry run of this same input already passed every check against this version:
      // the terms cannot have changed while the version is the same, and countUse re-checks state,
      // validity and the use count. Anything else (raced, changed) takes the full path below,
      // which says why.
      if (options.checked && options.trx) {
        const grant = options.checked;
        const trx = options.trx as Tx;
        const counted = await repo.countUse(grant.consentId, grant.version, now, trx);
        if (counted) {
          if (counted.useCount >= counted.maxUses) await exhaust(trx, counted, now);
          return grant;
        }
      }
      let consentId: string;
      let claims: Awaited<ReturnType<typeof verifyConsentToken>> | undefined;
      if (principal.kind === 'client') {
        if (!input.consentToken) throw new ForbiddenError('consent_required', 'A consent token is required.');
        claims = await verifyConsentToken(tokenCtx, input.consentToken, now);
        if (claims.client_id !== principal.clientId || claims.org !== principal.orgId) {
          throw new ConsentInvalidError('The consent token was issued to another client.');
        }
        if (claims.cnf?.jkt !== undefined && claims.cnf.jkt !== principal.cnfJkt) {
          throw new ConsentInvalidError('The consent token is bound to another key.');
        }
        consentId = claims.cid;
      } else if (principal.kind === 'clerk') {
        if (!input.consentId)
          throw new ForbiddenError('consent_required', 'A consent reference is required.');
        consentId = input.consentId;
      } else {
        throw new ForbiddenError('forbidden', 'Only clients and clerks query records.');
      }

      // A dry run (the gateway's check before it reads any registry) makes every check of a real
      // use, the use count included, from one read and without a transaction; it counts nothing.
      const checked = async (trx: Tx | undefined) => {
        const record = await repo.get(consentId, trx);
        const requesterMatches =
          record !== undefined &&
          record.requesterOrg === principal.orgId &&
          (principal.kind === 'client' ? record.clientId === principal.clientId : record.clerkId !== null);
        if (!record || !requesterMatches)
          throw new ConsentInvalidError('No such consent for this requester.');
        if (record.subjectKey === null || record.subjectKey !== input.subjectKey) {
          throw new ForbiddenError('subject_mismatch', 'The consent is about another subject.');
        }
        if (claims && claims.sub !== pairwiseSubject(deps.pepper, input.subjectKey, principal.orgId)) {
          throw new ForbiddenError('subject_mismatch', 'The consent token is about another subject.');
        }
        if (record.status !== 'ACTIVE') throw statusError(record);
        if (!record.validFrom || !record.validUntil || now < record.validFrom || now >= record.validUntil) {
          throw new ForbiddenError('forbidden', 'The query is outside the consent’s validity.');
        }
        if (record.recHash !== recordHash(record)) {
          throw new ConsentInvalidError('The consent record does not match its hash.');
        }
        if (claims && (claims.cver !== record.version || claims.rec_hash !== record.recHash)) {
          throw new ConsentInvalidError(
            'The consent has changed since this token was issued; fetch a new one.',
          );
        }
        if (input.purposeCode !== record.purposeCode) {
          throw new ForbiddenError('forbidden', `The consent does not cover purpose ${input.purposeCode}.`);
        }
        if (input.recordTypes.length === 0)
          throw new ForbiddenError('forbidden', 'No record type requested.');
        const granted: Record<string, string[] | 'all'> = {};
        for (const rt of Object.keys(input.requestedFields)) {
          if (!input.recordTypes.includes(rt)) {
            throw new ForbiddenError('forbidden', `Fields were requested for ${rt}, which is not queried.`);
          }
        }
        for (const rt of input.recordTypes) {
          if (
            !record.recordTypes.includes(rt) ||
            !record.fieldsGranted ||
            record.fieldsGranted[rt] === undefined
          ) {
            throw new ForbiddenError('forbidden', `The consent does not cover record type ${rt}.`);
          }
          const allowed = record.fieldsGranted[rt]!;
          const asked = input.requestedFields[rt] ?? 'all';
          if (asked === 'all') {
            granted[rt] = allowed === 'all' ? 'all' : [...allowed];
            continue;
          }
          if (allowed !== 'all') {
            const outside = asked.filter((f) => !allowed.includes(f));
            if (outside.length) {
              throw new ForbiddenError(
                'forbidden',
                `The consent does not cover ${rt} fields: ${outside.join(', ')}.`,
              );
            }
          }
          granted[rt] = [...new Set(asked)];
        }
        return { record, granted };
      };
      if (options.dryRun) {
        const { record, granted } = await checked((options.trx as Tx | undefined) ?? undefined);
        // countUse's condition; everything else it re-checks was checked above.
        if (record.useCount >= record.maxUses) {
          throw new ForbiddenError('consent_exhausted', 'Every use this consent allows has been made.');
        }
        return {
          consentId: record.id,
          version: record.version,
          mode: record.mode,
          grantedFields: granted,
          dataRange: record.dataRange,
          usesLeft: record.maxUses - record.useCount,
          separateAgreement: record.separateAgreement ?? null,
        };
      }

      return inTx(options.trx, async (trx) => {
        const { record, granted } = await checked(trx);
        const counted = await repo.countUse(record.id, record.version, now, trx);
        if (!counted) {
          // Lost a race (revoked, paused or exhausted meanwhile): say why, from the row as it is now.
          const current = await repo.get(record.id, trx);
          if (current && current.status !== 'ACTIVE') throw statusError(current);
          if (current && current.version !== record.version) {
            throw new ConsentInvalidError('The consent changed during this request.');
          }
          throw new ForbiddenError('consent_exhausted', 'Every use this consent allows has been made.');
        }
        if (counted.useCount >= counted.maxUses) await exhaust(trx, counted, now);
        return {
          consentId: record.id,
          version: record.version,
          mode: record.mode,
          grantedFields: granted,
          dataRange: record.dataRange,
          separateAgreement: record.separateAgreement ?? null,
        };
      });
    },

    /**
     * The use a dry run checked, as a guard the caller's audit append is conditional on (one
     * statement instead of a transaction). None for the last use: exhausting the consent writes its
     * event and webhook in the same transaction, so that use goes through `authorizeUse({ trx })`.
     * If the guard matches nothing (revoked, paused or changed meanwhile), nothing was written:
     * call `authorizeUse({ trx })` to learn why.
     */
    useGuard(grant: ConsentGrant, now: Date): StatementGuard | undefined {
      if (grant.usesLeft === undefined || grant.usesLeft <= 1) return undefined;
      return repo.useGuard(grant.consentId, grant.version, now);
    },

    /** Counter mode `attested`: the clerk records the citizen's signed paper form (single use, short validity). */
    recordAttestedConsent(input: {
      clerk: ClerkPrincipal;
      subjectKey: string;
      purposeCode: string;
      recordTypes: string[];
      documentReference: string;
      separateAgreement?: boolean;
      now?: Date;
    }): Promise<{ id: string }> {
      return counterRecord('attested', input);
    },

    /** Counter mode `statutory`: only when the purpose's legal basis permits access without consent. */
    recordStatutoryBasis(input: {
      clerk: ClerkPrincipal;
      subjectKey: string;
      purposeCode: string;
      recordTypes: string[];
      now?: Date;
    }): Promise<{ id: string }> {
      return counterRecord('statutory', input);
    },

    async listMine(
      citizen: CitizenPrincipal,
      page: { limit?: number | undefined; cursor?: string | undefined },
    ): Promise<{ items: CitizenConsentView[]; next: string | null }> {
      const limit = Math.min(Math.max(page.limit ?? 20, 1), MAX_PAGE);
      let after: SubjectPageCursor | undefined;
      if (page.cursor) {
        try {
          after = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8')) as SubjectPageCursor;
          if (
            typeof after.rank !== 'number' ||
            typeof after.id !== 'string' ||
            typeof after.createdAt !== 'string'
          )
            throw new Error('bad cursor');
        } catch {
          throw new ValidationError('The cursor is not valid.', [
            { pointer: '/cursor', message: 'not a cursor' },
          ]);
        }
      }
      const rows = await repo.listForSubject(citizen.subjectKey, { limit, after });
      const now = clock();
      const items = await Promise.all(
        rows.slice(0, limit).map(async (r) => citizenView(await fresh(r, now), false)),
      );
      const last = rows.length > limit ? rows[limit - 1]! : undefined;
      const next = last
        ? Buffer.from(
            JSON.stringify({ rank: last.rank, createdAt: last.createdAt.toISOString(), id: last.id }),
            'utf8',
          ).toString('base64url')
        : null;
      return { items, next };
    },

    async getMine(citizen: CitizenPrincipal, id: string): Promise<CitizenConsentView> {
      const record = await repo.get(id);
      if (!record || !citizenOwns(record, citizen)) throw new NotFoundError('No such consent.');
      return citizenView(await fresh(record), true);
    },

    pause: (citizen: CitizenPrincipal, id: string, reason?: string) =>
      citizenChange(citizen, id, ['ACTIVE'], 'PAUSED', 'paused', reason),
    resume: (citizen: CitizenPrincipal, id: string, reason?: string) =>
      citizenChange(citizen, id, ['PAUSED'], 'ACTIVE', 'resumed', reason),
    revoke: (citizen: CitizenPrincipal, id: string, reason?: string) =>
      citizenChange(citizen, id, ['ACTIVE', 'PAUSED'], 'REVOKED', 'revoked', reason),

    /** The sweep: moves every record past its end to EXPIRED; returns how many. */
    async expireDue(limit = 200): Promise<number> {
      const now = clock();
      const ids = await repo.dueForExpiry(now, limit);
      let expired = 0;
      for (const id of ids) {
        const record = await repo.get(id);
        if (record && (await fresh(record, now)).status === 'EXPIRED' && record.status !== 'EXPIRED')
          expired++;
      }
      return expired;
    },

    events: (id: string) => repo.events(id),
    get: (id: string) => repo.get(id),
    /** Registers an exact redirect URI for a client (operators; tests). */
    registerRedirectUri: (clientId: string, uri: string) => repo.addRedirectUri(clientId, uri),
    tokenContext: tokenCtx,
  };
}

export type ConsentsService = ReturnType<typeof createConsentsService>;
