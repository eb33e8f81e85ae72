/** How a citizen is keyed everywhere: HMAC-SHA256(pepper, canonical resident registration number). */
import { subjectKey } from '../audit/commitment.js';
import { canonicaliseIdentifier } from '../catalog/identifiers/index.js';

export function citizenSubjectKey(pepper: string, nationalId: string): string {
  return subjectKey(Buffer.from(pepper, 'utf8'), canonicaliseIdentifier('rrn', nationalId));
}
