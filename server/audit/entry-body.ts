/**
 * The audit entry's canonical body and the rules an entry must meet before the log accepts it. A
 * failure here is a bug in the caller (it built an entry the log must not hold), never an outage.
 */
import { ValidationError } from '../errors.js';
import type { AuditEntryBody, AuditEntryInput, UndescribedValue } from './audit.types.js';
import { CODE, UNDESCRIBED } from './refusal-values.js';

const SUBJECT_KEY = /^[0-9a-f]{64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
// A released field: a code, or a nested policy path such as /members/*/residentRegistrationNumber.
const FIELD_NAME = /^[A-Za-z0-9._:/*-]{1,200}$/;

export function check(ok: boolean, pointer: string, message: string): void {
  if (!ok) throw new ValidationError(`${pointer}: ${message}`, [{ pointer, message }]);
}

/** A value stands in as UNDESCRIBED exactly when its hash is given, and only on a refusal. */
function checkUndescribed(input: AuditEntryInput, member: 'purpose' | 'recordType', code: string): void {
  const raw: UndescribedValue | undefined = input.undescribed?.[member];
  const pointer = `/undescribed/${member}`;
  check((code === UNDESCRIBED) === Boolean(raw), pointer, `given exactly when ${member} is ${UNDESCRIBED}`);
  if (!raw) return;
  check(input.outcome === 'denied', pointer, 'only a refusal records a value by hash');
  check(typeof raw.sha256 === 'string' && SHA256_HEX.test(raw.sha256), `${pointer}/sha256`, 'lowercase hex');
  check(Number.isSafeInteger(raw.bytes) && raw.bytes >= 0, `${pointer}/bytes`, 'a byte count');
}

/** Builds the canonical body; throws ValidationError on an entry the log must not accept. */
export function entryBody(input: AuditEntryInput, createdAt: Date): AuditEntryBody {
  check(typeof input.requestId === 'string' && CODE.test(input.requestId), '/requestId', 'required code');
  check(SUBJECT_KEY.test(input.subjectKey), '/subjectKey', 'must be a lowercase hex HMAC-SHA256');
  check(['released', 'denied', 'provider_error'].includes(input.outcome), '/outcome', 'unknown outcome');
  check(
    input.outcome === 'released' || (typeof input.reasonCode === 'string' && CODE.test(input.reasonCode)),
    '/reasonCode',
    'required unless released',
  );
  check(CODE.test(input.requester?.org ?? ''), '/requester/org', 'required');
  check(CODE.test(input.purposeCode), '/purposeCode', 'required');
  check(CODE.test(input.recordType), '/recordType', 'required');
  checkUndescribed(input, 'purpose', input.purposeCode);
  checkUndescribed(input, 'recordType', input.recordType);
  check(
    input.unattributed === undefined || (input.unattributed && input.outcome === 'denied'),
    '/unattributed',
    'only a refusal may lack a subject',
  );
  check(
    input.holder == null || (input.outcome === 'provider_error' && CODE.test(input.holder)),
    '/holder',
    'names the failing holder of a provider error only',
  );
  // A release needs its justification; a refused attempt may have none (that can be why it was refused).
  check(
    input.outcome !== 'released' || Boolean(input.legalBasis || input.consent),
    '/legalBasis',
    'a release needs a legal basis or a consent',
  );
  check(
    Array.isArray(input.fields) && input.fields.every((f) => FIELD_NAME.test(f.name) && CODE.test(f.form)),
    '/fields',
    'each field needs a name and a form',
  );
  check(
    input.embargoUntil == null || !Number.isNaN(input.embargoUntil.getTime()),
    '/embargoUntil',
    'invalid date',
  );
  const requester: AuditEntryBody['requester'] = { org: input.requester.org };
  if (input.requester.clientId) requester.clientId = input.requester.clientId;
  if (input.requester.clerkRef) requester.clerkRef = input.requester.clerkRef;
  const body: AuditEntryBody = {
    v: 1,
    requestId: input.requestId,
    subjectKey: input.subjectKey,
    createdAt: createdAt.toISOString(),
    outcome: input.outcome,
    requester,
    purpose: input.purposeCode,
    recordType: input.recordType,
    fields: input.fields.map((f) => ({ name: f.name, form: f.form })),
  };
  if (input.reasonCode) body.reasonCode = input.reasonCode;
  if (input.legalBasis) body.legalBasis = input.legalBasis;
  if (input.consent) {
    body.consent = { mode: input.consent.mode };
    if (input.consent.id) body.consent.id = input.consent.id;
  }
  if (input.embargoUntil) body.embargoUntil = input.embargoUntil.toISOString();
  const undescribed = input.undescribed;
  if (undescribed?.purpose || undescribed?.recordType) {
    body.undescribed = {};
    for (const member of ['purpose', 'recordType'] as const) {
      const raw = undescribed[member];
      if (raw) body.undescribed[member] = { sha256: raw.sha256, bytes: raw.bytes };
    }
  }
  if (input.unattributed) body.unattributed = true;
  if (input.holder) body.holder = input.holder;
  return body;
}
