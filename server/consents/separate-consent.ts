/**
 * Sensitive information and unique identifiers, asked for apart (Personal Information Protection
 * Act arts. 23 and 24). The catalog flags such top-level fields (`x-separate-consent`:
 * `sensitive` for health, disability, criminal records…; `unique-identifier` for resident
 * registration, passport, driving-licence and foreigner registration numbers). The law wants a
 * consent to them given separately from the consent to the rest, naming each item:
 *
 * - on the approval screen, each class is its own step with its own tick box listing the items;
 *   an item whose box is not ticked is not granted (the rest of the consent stands);
 * - the consent keeps what was agreed apart (`separateAgreement`), its event says so and the
 *   consent token carries it in `authorization_details`;
 * - at the counter, a clerk's attested paper form must state it (the form's own tick box);
 *   a statutory basis covers them (arts. 23(1)2 and 24(1)2: a law that requires or permits it);
 * - a query that would release a flagged item (or a yes/no answer computed from one) under a
 *   consent without that agreement is refused with `separate_consent_required`, and audited.
 */
import type { Catalog, RecordType } from '../catalog/catalog.types.js';
import { ForbiddenError } from '../errors.js';
import type { FieldsByType, GrantedFields, SeparateAgreement, SeparateKind } from './consents.types.js';

export type { FieldsByType, SeparateAgreement, SeparateKind };
export const SEPARATE_KINDS: readonly SeparateKind[] = ['sensitive', 'unique-identifier'];

const keyOf = (kind: SeparateKind): 'sensitive' | 'uniqueIdentifier' =>
  kind === 'sensitive' ? 'sensitive' : 'uniqueIdentifier';

/** The flagged top-level fields of a record type, by kind. */
export function flaggedFields(type: RecordType): Record<SeparateKind, string[]> {
  const out: Record<SeparateKind, string[]> = { sensitive: [], 'unique-identifier': [] };
  for (const [name, field] of Object.entries(type.schema.properties)) {
    const kind = field['x-separate-consent'];
    if (kind) out[kind].push(name);
  }
  return out;
}

/** Among `fields` of each record type, the ones to ask for apart, by kind; empty kinds are left out. */
export function separateItems(
  catalog: Pick<Catalog, 'get'>,
  fields: Record<string, readonly string[]>,
): Partial<Record<SeparateKind, FieldsByType>> {
  const out: Partial<Record<SeparateKind, FieldsByType>> = {};
  for (const [rt, names] of Object.entries(fields)) {
    const flagged = flaggedFields(catalog.get(rt));
    for (const kind of SEPARATE_KINDS) {
      const asked = names.filter((n) => flagged[kind].includes(n));
      if (asked.length) (out[kind] ??= {})[rt] = asked;
    }
  }
  return out;
}

/**
 * The citizen's decision on the separate steps applied to what they granted: a flagged field stays
 * granted only if its kind's box was ticked. Returns the agreement to keep (null when nothing was
 * flagged or nothing was agreed) and what the unticked boxes took out.
 */
export function applySeparateDecision(
  catalog: Pick<Catalog, 'get'>,
  granted: GrantedFields,
  ticked: ReadonlySet<SeparateKind>,
  now: Date,
): { granted: GrantedFields; agreement: SeparateAgreement | null; declined: FieldsByType } {
  const lists = Object.fromEntries(
    Object.entries(granted).filter((e): e is [string, string[]] => e[1] !== 'all'),
  );
  const items = separateItems(catalog, lists);
  const agreement: SeparateAgreement = {
    sensitive: {},
    uniqueIdentifier: {},
    by: 'citizen',
    at: now.toISOString(),
  };
  const declined: FieldsByType = {};
  const out: GrantedFields = { ...granted };
  for (const kind of SEPARATE_KINDS) {
    for (const [rt, names] of Object.entries(items[kind] ?? {})) {
      if (ticked.has(kind)) {
        agreement[keyOf(kind)][rt] = names;
        continue;
      }
      out[rt] = (out[rt] as string[]).filter((f) => !names.includes(f));
      declined[rt] = [...(declined[rt] ?? []), ...names];
    }
  }
  const agreed = Object.keys(agreement.sensitive).length + Object.keys(agreement.uniqueIdentifier).length;
  return { granted: out, agreement: agreed ? agreement : null, declined };
}

/** A clerk's attested paper form that states the separate agreement covers every flagged field. */
export function attestedAgreement(
  catalog: Pick<Catalog, 'get'>,
  recordTypes: readonly string[],
  now: Date,
): SeparateAgreement | null {
  const all = Object.fromEntries(
    recordTypes.map((rt) => {
      const flagged = flaggedFields(catalog.get(rt));
      return [rt, [...flagged.sensitive, ...flagged['unique-identifier']]];
    }),
  );
  const items = separateItems(catalog, all);
  if (!items.sensitive && !items['unique-identifier']) return null;
  return {
    sensitive: items.sensitive ?? {},
    uniqueIdentifier: items['unique-identifier'] ?? {},
    by: 'attested-form',
    at: now.toISOString(),
  };
}

/** One released output of a record and the record fields it is computed from. */
export interface ReleasedOutput {
  name: string;
  sources: readonly string[];
}

/**
 * Refuses a release that would carry a flagged field (or an answer computed from one) the consent
 * has no separate agreement for. Statutory access is not asked: the law is the basis.
 */
export function assertSeparateAgreement(
  type: RecordType,
  mode: 'citizen' | 'attested' | 'statutory',
  agreement: SeparateAgreement | null | undefined,
  outputs: readonly ReleasedOutput[],
): void {
  if (mode === 'statutory') return;
  const flagged = flaggedFields(type);
  const missing: string[] = [];
  for (const kind of SEPARATE_KINDS) {
    const agreed = agreement?.[keyOf(kind)][type.id] ?? [];
    for (const out of outputs) {
      const needs = out.sources.filter((s) => flagged[kind].includes(s) && !agreed.includes(s));
      if (needs.length && !missing.includes(out.name)) missing.push(out.name);
    }
  }
  if (missing.length === 0) return;
  throw new ForbiddenError(
    'separate_consent_required',
    `${type.id}: ${missing.join(', ')} need the citizen's separate agreement (PIPA arts. 23, 24), which this consent does not record.`,
    { recordType: type.id, fields: missing },
  );
}

/** What the approval event records of the separate steps: what was agreed apart, what was not. */
export function separateEventDetail(decided: {
  agreement: SeparateAgreement | null;
  declined: FieldsByType;
}): Record<string, unknown> {
  return {
    ...(decided.agreement
      ? {
          separateAgreement: {
            sensitive: decided.agreement.sensitive,
            uniqueIdentifier: decided.agreement.uniqueIdentifier,
          },
        }
      : {}),
    ...(Object.keys(decided.declined).length ? { separatelyDeclined: decided.declined } : {}),
  };
}
