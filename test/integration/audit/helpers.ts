import { createHmac } from 'node:crypto';
import type { AuditEntryInput } from '../../../server/audit/audit.types.js';

const PEPPER = 'test-pepper-of-at-least-thirty-two-characters';

/** The subject key a citizen with this (synthetic) national ID would have. */
export function subjectOf(nationalId: string): string {
  return createHmac('sha256', PEPPER).update(nationalId).digest('hex');
}

let counter = 0;

export function entryFor(subjectKey: string, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  counter++;
  return {
    requestId: `req-${process.pid}-${counter}`,
    subjectKey,
    outcome: 'released',
    requester: { org: 'org-bank-a', clientId: 'client-1' },
    purposeCode: 'loan.mortgage-screening',
    consent: { id: `consent-${counter}`, mode: 'citizen' },
    recordType: 'resident.registration-abstract',
    fields: [
      { name: 'name', form: 'full' },
      { name: 'address', form: 'generalise' },
    ],
    ...overrides,
  };
}
