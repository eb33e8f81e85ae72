/**
 * Is every purpose covered? For each purpose, each record type it lists and each requester class
 * entitled to it, there must be a rule written for exactly that purpose and class (not inherited
 * from a family or `*` rule) that names every field of the record type, denials included — so a
 * reviewer sees a decision for every field and a new catalog field cannot slip out unreviewed.
 * Likewise every identifier nested in a field the rule releases in full must be named by a nested
 * path: the default withholds it, but a reviewer should have decided (mask, hash, full or deny).
 * Used by `npm run policy:check` and the coverage test.
 */
import { nestedDecisions, nestedNode } from './nested.js';
import type { PolicyCatalog } from './policy.service.js';
import type { PolicyRule, PolicySet, RequesterClass } from './policy.types.js';

export interface CoveragePurpose {
  readonly code: string;
  readonly recordTypes: readonly string[];
  /** Requester classes with at least one organisation entitled to the purpose. */
  readonly classes: readonly RequesterClass[];
}

export type CoverageGap =
  | {
      readonly kind: 'no_rule';
      readonly purpose: string;
      readonly recordType: string;
      readonly class: RequesterClass;
    }
  | {
      readonly kind: 'fields_unlisted';
      readonly purpose: string;
      readonly recordType: string;
      readonly class: RequesterClass;
      readonly rule: string;
      readonly file: string;
      readonly fields: readonly string[];
    }
  | {
      readonly kind: 'identifiers_unlisted';
      readonly purpose: string;
      readonly recordType: string;
      readonly class: RequesterClass;
      readonly rule: string;
      readonly file: string;
      /** Nested identifier paths withheld by default because no path names them. */
      readonly fields: readonly string[];
    };

export function describeGap(gap: CoverageGap): string {
  const what = `${gap.class} × ${gap.purpose} × ${gap.recordType}`;
  if (gap.kind === 'no_rule') return `${what}: no rule for exactly this class and purpose`;
  if (gap.kind === 'fields_unlisted')
    return `${what}: ${gap.file} rule ${gap.rule} does not list ${gap.fields.join(', ')}`;
  return `${what}: ${gap.file} rule ${gap.rule} releases identifiers of persons inside a field without naming them: ${gap.fields.join(', ')}`;
}

/** Nested identifiers in fields the rule releases in full that no path of the rule names. */
export function unnamedIdentifiers(rule: PolicyRule, catalog: PolicyCatalog): string[] {
  const properties = catalog.get(rule.recordType).schema.properties;
  return Object.entries(rule.fields)
    .filter(([, form]) => form.form === 'full')
    .flatMap(([name]) => nestedDecisions(nestedNode(rule, name, properties[name])))
    .filter((d) => d.byDefault)
    .map((d) => d.path);
}

function exactRule(
  set: PolicySet,
  cls: RequesterClass,
  purpose: string,
  recordType: string,
): PolicyRule | undefined {
  return (set.byRecordType.get(recordType) ?? []).find(
    (r) => 'class' in r.requester && r.requester.class === cls && r.purpose === purpose,
  );
}

export function coverageGaps(
  set: PolicySet,
  catalog: PolicyCatalog,
  purposes: readonly CoveragePurpose[],
): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  for (const purpose of purposes) {
    for (const recordType of purpose.recordTypes) {
      for (const cls of purpose.classes) {
        const rule = exactRule(set, cls, purpose.code, recordType);
        if (!rule) {
          gaps.push({ kind: 'no_rule', purpose: purpose.code, recordType, class: cls });
          continue;
        }
        if (!catalog.has(recordType)) continue; // reported by catalogIssues
        const unlisted = Object.keys(catalog.get(recordType).schema.properties).filter(
          (f) => !(f in rule.fields),
        );
        if (unlisted.length > 0) {
          gaps.push({
            kind: 'fields_unlisted',
            purpose: purpose.code,
            recordType,
            class: cls,
            rule: rule.id,
            file: rule.file,
            fields: unlisted,
          });
        }
        const unnamed = unnamedIdentifiers(rule, catalog);
        if (unnamed.length > 0) {
          gaps.push({
            kind: 'identifiers_unlisted',
            purpose: purpose.code,
            recordType,
            class: cls,
            rule: rule.id,
            file: rule.file,
            fields: unnamed,
          });
        }
      }
    }
  }
  return gaps;
}

/** Purposes with the classes entitled to them, from organisations and their entitlements. */
export function coveragePurposes(registry: {
  readonly organisations: readonly { readonly id: string; readonly class: RequesterClass }[];
  readonly purposes: readonly { readonly code: string; readonly recordTypes: readonly string[] }[];
  readonly entitlements: Readonly<Record<string, readonly string[]>>;
}): CoveragePurpose[] {
  const classOf = new Map(registry.organisations.map((o) => [o.id, o.class]));
  return registry.purposes.map((p) => {
    const classes = new Set<RequesterClass>();
    for (const [orgId, codes] of Object.entries(registry.entitlements)) {
      const cls = classOf.get(orgId);
      if (cls && codes.includes(p.code)) classes.add(cls);
    }
    return { code: p.code, recordTypes: p.recordTypes, classes: [...classes].sort() };
  });
}
