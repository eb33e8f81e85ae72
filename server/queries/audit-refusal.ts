/**
 * Every refused query is audited (DESIGN invariant 5, issue 17), whatever the request holds and
 * wherever it was refused: by the query use case (consent, entitlement, an unknown record type, a
 * rate limit) or at the edge before it (body parser, input rule, contract validator, access layer,
 * idempotency). Both call this one writer, so the entries follow one rule:
 *
 *   one `denied` entry per named record, or one if none can be named.
 *
 * A record is named only when the use case read the request (it passed the contract, so `records`
 * is a list of 1 to 20 objects); a refusal at the edge names none. Values are described only as far
 * as they safely can be: a plain code as sent, anything else by hash and length (refusal-values.ts),
 * a subject only as its HMAC key, never the raw body. The requester must be a client or a clerk: an
 * anonymous or unauthenticated call has no organisation to record and is only logged and metered.
 *
 * An error whose entries are written is marked, so a later step never writes them twice.
 */
import type { AuditEntryInput } from '../audit/audit.types.js';
import { describeValue, NO_PURPOSE, NO_RECORD_TYPE, requesterSubjectId } from '../audit/refusal-values.js';
import type { ClerkPrincipal, ClientPrincipal, Principal } from '../auth/principal.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { canonicaliseIdentifier } from '../catalog/identifiers/index.js';
import { AppError, AuditUnavailableError } from '../errors.js';
import type { AuditPort } from './queries.ports.js';

/** The contract's bound on `records`; a longer or malformed list names no record. */
const MAX_NAMED_RECORDS = 20;

const AUDITED = Symbol('refusal audited');

export function markAudited<E extends AppError>(error: E): E {
  (error as unknown as Record<symbol, boolean>)[AUDITED] = true;
  return error;
}

export function wasAudited(error: unknown): boolean {
  return error instanceof AppError && (error as unknown as Record<symbol, boolean>)[AUDITED] === true;
}

export interface RefusingRequester {
  principal: ClientPrincipal | ClerkPrincipal;
  orgId: string;
  /** `client:<id>` or `clerk:<id>`: rate limits, harvesting counts and the pseudo subject. */
  key: string;
}

/** The requester a refusal can be recorded under; undefined for anyone but a client or a clerk. */
export function refusingRequester(principal: Principal | undefined): RefusingRequester | undefined {
  if (principal?.kind === 'client')
    return { principal, orgId: principal.orgId, key: `client:${principal.clientId}` };
  if (principal?.kind === 'clerk')
    return { principal, orgId: principal.orgId, key: `clerk:${principal.clerkId}` };
  return undefined;
}

export function requesterOfEntry(requester: RefusingRequester): AuditEntryInput['requester'] {
  const { principal } = requester;
  return {
    org: requester.orgId,
    ...(principal.kind === 'client' ? { clientId: principal.clientId } : {}),
    ...(principal.kind === 'clerk' ? { clerkRef: principal.clerkId } : {}),
  };
}

/**
 * A 503 says the log is down and nothing else. The audit service reports its own write failures
 * as AuditUnavailableError; an entry it refuses to accept is our bug, reported as one (500).
 */
function auditFailure(err: unknown): Error {
  if (err instanceof AuditUnavailableError) return err;
  if (err instanceof AppError)
    return new Error(`audit entry refused: ${err.detail ?? err.title}`, { cause: err });
  return new AuditUnavailableError(err);
}

export async function appendWith<T>(append: () => Promise<T>): Promise<T> {
  try {
    return await append();
  } catch (err) {
    throw auditFailure(err);
  }
}

export interface RefusalAuditDeps {
  audit: Pick<AuditPort, 'appendMany'>;
  catalog: Pick<Catalog, 'get'>;
  subjectKeyOf(canonicalId: string): string;
}

export interface Refusal {
  requestId: string;
  requester: RefusingRequester;
  /** The request as it arrived (anything, when the edge refused it). */
  request: unknown;
  reasonCode: string;
  /** The purpose, once the use case confirmed the requester is entitled to it. */
  purpose?: { code: string; legalBasis?: string | undefined };
  /** True when the use case read the request, so its records are named (see the rule above). */
  namesRecords: boolean;
}

type Loose = Record<string, unknown>;
const asObject = (value: unknown): Loose | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : undefined;

/** Records named by a request the use case read: 1 to 20 objects, otherwise none. */
function namedRecords(request: Loose | undefined): Loose[] | undefined {
  const records = request?.records;
  if (!Array.isArray(records) || records.length < 1 || records.length > MAX_NAMED_RECORDS) return undefined;
  const objects = records.map(asObject);
  return objects.every((r) => r !== undefined) ? (objects as Loose[]) : undefined;
}

export function refusalEntries(deps: RefusalAuditDeps, refusal: Refusal): AuditEntryInput[] {
  const { requester, purpose } = refusal;
  const request = asObject(refusal.request);
  const attempt = (f: () => string): string | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const subject = asObject(request?.subject);
  const subjectKey =
    typeof subject?.scheme === 'string' && typeof subject.id === 'string'
      ? attempt(() =>
          deps.subjectKeyOf(canonicaliseIdentifier(subject.scheme as string, subject.id as string)),
        )
      : undefined;
  const purposeValue = purpose
    ? { code: purpose.code }
    : request?.purpose === undefined
      ? { code: NO_PURPOSE }
      : describeValue(request.purpose);
  const records: Loose[] = (refusal.namesRecords ? namedRecords(request) : undefined) ?? [{}];
  return records.map((r): AuditEntryInput => {
    let key = subjectKey;
    if (!key && typeof r.identifier === 'string' && typeof r.recordType === 'string') {
      const { identifier, recordType } = r;
      key = attempt(() => {
        const scheme = deps.catalog.get(recordType).identifierScheme;
        return deps.subjectKeyOf(`${scheme}:${canonicaliseIdentifier(scheme, identifier)}`);
      });
    }
    const recordType = r.recordType === undefined ? { code: NO_RECORD_TYPE } : describeValue(r.recordType);
    const undescribed = {
      ...(purposeValue.undescribed ? { purpose: purposeValue.undescribed } : {}),
      ...(recordType.undescribed ? { recordType: recordType.undescribed } : {}),
    };
    return {
      requestId: refusal.requestId,
      subjectKey: key ?? deps.subjectKeyOf(requesterSubjectId(requester.key)),
      outcome: 'denied',
      reasonCode: refusal.reasonCode,
      requester: requesterOfEntry(requester),
      purposeCode: purposeValue.code,
      ...(purpose?.legalBasis ? { legalBasis: purpose.legalBasis } : {}),
      recordType: recordType.code,
      fields: [],
      ...(Object.keys(undescribed).length ? { undescribed } : {}),
      ...(key ? {} : { unattributed: true as const }),
    };
  });
}

/** The use case the edge calls (server/queries/refusal-audit.step.ts); the query service shares it. */
export function createRefusalAudit(deps: RefusalAuditDeps) {
  return {
    /**
     * Writes the refusal's entries and marks the error, unless it is not a refusal (status outside
     * 4xx), already audited, or by a requester who cannot be recorded. Throws AuditUnavailableError
     * when the log cannot be written.
     */
    async refused(
      principal: Principal | undefined,
      request: unknown,
      error: AppError,
      context: { requestId: string; purpose?: Refusal['purpose']; namesRecords?: boolean },
    ): Promise<void> {
      const requester = refusingRequester(principal);
      if (!requester || error.status < 400 || error.status >= 500 || wasAudited(error)) return;
      const entries = refusalEntries(deps, {
        requestId: context.requestId,
        requester,
        request,
        reasonCode: error.code,
        ...(context.purpose ? { purpose: context.purpose } : {}),
        namesRecords: context.namesRecords ?? false,
      });
      await appendWith(() => deps.audit.appendMany(entries));
      markAudited(error);
    },
  };
}

export type RefusalAudit = ReturnType<typeof createRefusalAudit>;
