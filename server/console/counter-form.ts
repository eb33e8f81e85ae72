/** The counter form read from a urlencoded body: trimmed strings, known choices only, a consent id only as a UUID. */
import type { CounterForm } from './console.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (v): v is string => typeof v === 'string',
  );

export function readCounterForm(body: Record<string, unknown>): CounterForm {
  const identifiers: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('identifier:')) identifiers[key.slice('identifier:'.length)] = str(value);
  }
  const consentMode = str(body.consentMode);
  return {
    purpose: str(body.purpose),
    records: list(body.records),
    subjectScheme: str(body.subjectScheme),
    subjectId: str(body.subjectId),
    identifiers,
    mode: str(body.mode) === 'fact-check' ? 'fact-check' : 'full',
    consentMode:
      consentMode === 'citizen' || consentMode === 'attested' || consentMode === 'statutory'
        ? consentMode
        : '',
    documentReference: str(body.documentReference),
    separateAgreement: str(body.separateAgreement) === 'yes',
    consentId: UUID.test(str(body.consentId)) ? str(body.consentId) : '',
  };
}
