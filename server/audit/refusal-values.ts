/**
 * How a refusal records what the client sent when it cannot be recorded as sent. The log accepts
 * only plain codes in `purpose` and `recordType`; a client may send anything there, and its refusal
 * must still be recorded (DESIGN invariant 5). Such a value goes in as UNDESCRIBED beside its SHA-256
 * and byte length: a form no input can make invalid, and one a client can match against its own logs.
 */
import { createHash } from 'node:crypto';
import type { UndescribedValue } from './audit.types.js';

/** What the log accepts as a code (purpose, record type, reason, requester, field names). */
export const CODE = /^[A-Za-z0-9._:/-]{1,200}$/;

/** Stands for a value recorded only by hash. Purpose codes and record type ids begin with a letter. */
export const UNDESCRIBED = '-undescribed';

/**
 * The record type of a refused request that named none: a procedure under a refused purpose, or a
 * request refused at the edge, before its records were read (server/queries/audit-refusal.ts).
 */
export const NO_RECORD_TYPE = '-none';

/** The purpose of a refused request that named none (only the contract's refusals lack one). */
export const NO_PURPOSE = '-none';

export function isLoggableCode(value: unknown): value is string {
  return typeof value === 'string' && CODE.test(value);
}

/** The value as a code when it is one, otherwise UNDESCRIBED with its hash and length. */
export function describeValue(value: unknown): { code: string; undescribed?: UndescribedValue } {
  if (isLoggableCode(value)) return { code: value };
  // A non-string cannot pass the contract; hashing its JSON still records exactly what arrived.
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const bytes = Buffer.from(text, 'utf8');
  return {
    code: UNDESCRIBED,
    undescribed: { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length },
  };
}

/**
 * What the requester's pseudo subject is keyed from (through the same HMAC as every subject key):
 * refusals that name no subject we can attribute form one chain per requester in the subject index.
 * No identifier scheme is called `requester`, so it cannot meet a citizen's key.
 */
export function requesterSubjectId(requesterKey: string): string {
  return `requester:${requesterKey}`;
}
