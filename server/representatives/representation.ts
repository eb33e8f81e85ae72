/** How a representative's decision is recorded in the consent's event: both parties, by name and key. */
import type { Representation } from './representatives.types.js';

export function representationDetail(r: Representation): Record<string, unknown> {
  return {
    grantId: r.grantId,
    kind: r.kind,
    representative: { subjectKey: r.representative.subjectKey, name: r.representative.name },
    principal: { subjectKey: r.principal.subjectKey, name: r.principal.name },
  };
}
