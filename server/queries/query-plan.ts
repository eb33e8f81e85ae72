/**
 * A query's plan before anything is read: who asks (requester), which record types (named or the
 * purpose's procedure), each checked against the purpose and the catalog, with its canonical
 * identifier and the subject key its access is recorded under.
 */
import type { PendingProof } from '../auth/deferred-proof.js';
import type { Principal } from '../auth/principal.js';
import type { RecordType } from '../catalog/catalog.types.js';
import { canonicaliseIdentifier } from '../catalog/identifiers/index.js';
import { AppError, ForbiddenError, ValidationError } from '../errors.js';
import type { OrgClass, Purpose } from '../organisations/organisations.types.js';
import { refusingRequester, type RefusingRequester } from './audit-refusal.js';
import type { QueryDeps } from './queries.ports.js';
import type { QueryRequest, RecordRequest } from './queries.types.js';

export interface QueryContext {
  requestId: string;
  now: Date;
  /** The DPoP proof id authentication left for the admission statement to claim. */
  proof?: PendingProof;
}

export interface Requester extends RefusingRequester {
  /** Known once the organisation is confirmed active and entitled. */
  orgClass?: OrgClass;
}

export interface PlannedRecord {
  request: RecordRequest;
  type: RecordType;
  identifier: string;
  subjectKey: string;
}

/** Refusals with the code the caller sees; the audit log records the same code. */
export class Refusal extends Error {
  readonly error: AppError;
  constructor(error: AppError) {
    super(error.message);
    this.error = error;
  }
}

export function requesterOf(principal: Principal | undefined): Requester {
  const requester = refusingRequester(principal);
  if (requester) return requester;
  throw new ForbiddenError('forbidden', 'Only institutional clients and clerks may query records.');
}

export function needsConsent(type: RecordType): boolean {
  return type.consentClass !== 'no-subject-fee';
}

export function resolveRecords(req: QueryRequest, purpose: Purpose): RecordRequest[] {
  if (req.procedure) {
    if (req.records?.length) throw new ValidationError('Give either records or procedure, not both.');
    return purpose.recordTypes.map((recordType) => ({ recordType }));
  }
  if (!req.records?.length) throw new ValidationError('Name at least one record type, or procedure: true.');
  const seen = new Set<string>();
  req.records.forEach((r, i) => {
    if (seen.has(r.recordType)) {
      throw new ValidationError('A record type is listed twice.', [
        { pointer: `/records/${i}/recordType`, message: 'duplicate' },
      ]);
    }
    seen.add(r.recordType);
  });
  return req.records;
}

export function planRecords(
  deps: Pick<QueryDeps, 'catalog' | 'subjectKeyOf'>,
  req: QueryRequest,
  requests: RecordRequest[],
  purpose: Purpose,
): PlannedRecord[] {
  let subject: { scheme: string; canonical: string; key: string } | undefined;
  if (req.subject) {
    const canonical = canonicaliseIdentifier(req.subject.scheme, req.subject.id, '/subject/id');
    subject = { scheme: req.subject.scheme, canonical, key: deps.subjectKeyOf(canonical) };
  }
  return requests.map((request, i) => {
    const type = deps.catalog.get(request.recordType);
    if (!purpose.recordTypes.includes(type.id)) {
      throw new ForbiddenError('purpose_not_allowed', `Purpose ${purpose.code} does not cover ${type.id}.`, {
        recordType: type.id,
      });
    }
    if (req.mode === 'fact-check' && !type.accessModes.includes('fact-check')) {
      throw new ValidationError(`${type.id} answers no fact checks.`, [
        { pointer: `/records/${i}/recordType`, message: 'no fact-check mode' },
      ]);
    }
    if (req.mode === 'full' && !type.accessModes.includes('full')) {
      throw new ValidationError(`${type.id} is available as fact checks only.`, [
        { pointer: '/mode', message: 'use fact-check' },
      ]);
    }
    const declared = new Set(type.factChecks.map((f) => f.id));
    request.factChecks?.forEach((id, j) => {
      if (!declared.has(id)) {
        throw new ValidationError(`Unknown fact check ${id}.`, [
          { pointer: `/records/${i}/factChecks/${j}`, message: `not declared by ${type.id}` },
        ]);
      }
    });
    if (type.subjectKind === 'object') {
      if (!request.identifier) {
        throw new ValidationError(`${type.id} is looked up by ${type.identifierScheme}.`, [
          { pointer: `/records/${i}/identifier`, message: `required (${type.identifierScheme})` },
        ]);
      }
      const identifier = canonicaliseIdentifier(
        type.identifierScheme,
        request.identifier,
        `/records/${i}/identifier`,
      );
      // An object record's access is still about the citizen the query is for, when there is one.
      return {
        request,
        type,
        identifier,
        subjectKey: subject?.key ?? deps.subjectKeyOf(`${type.identifierScheme}:${identifier}`),
      };
    }
    if (!subject) {
      throw new ValidationError(`${type.id} is about a ${type.subjectKind}: give the subject.`, [
        { pointer: '/subject', message: 'required' },
      ]);
    }
    if (subject.scheme !== type.identifierScheme) {
      throw new ValidationError(
        `${type.id} is looked up by ${type.identifierScheme}, not ${subject.scheme}.`,
        [{ pointer: '/subject/scheme', message: `expected ${type.identifierScheme}` }],
      );
    }
    return { request, type, identifier: subject.canonical, subjectKey: subject.key };
  });
}
