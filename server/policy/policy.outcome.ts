/**
 * What the policy alone says about each field of a record type for one rule: the step shared by
 * planRelease (which then intersects with consent and request) and explain (which stops here).
 */
import { formMismatch } from './forms.js';
import type { FieldForm, PolicyRecordSchema, PolicyRule } from './policy.types.js';
import type { PredicateRegistry } from './predicates.js';

export interface PolicyOutcome {
  readonly name: string;
  /** undefined: the policy withholds the field. */
  readonly form?: Exclude<FieldForm, { form: 'deny' }>;
  readonly reason?: 'no_rule' | 'policy_denied';
  readonly sources: readonly string[];
  readonly detail: string;
}

const numeric = (type: string | undefined): boolean => type === 'integer' || type === 'number';

export type PredicateForm = Extract<FieldForm, { form: 'predicate' }>;

/** Record fields a predicate reads, by input role. */
export function predicateSources(form: PredicateForm, registry: PredicateRegistry): Record<string, string> {
  const def = registry.get(form.name);
  const sources: Record<string, string> = {};
  for (const role of Object.keys(def?.inputs ?? {})) sources[role] = form.from[role] ?? role;
  return sources;
}

/**
 * Problems that make a rule unusable with this record schema. Checked on every plan (fail closed)
 * and offered to start-up via checkPoliciesAgainstCatalog.
 */
export function ruleProblems(
  rule: PolicyRule,
  schema: PolicyRecordSchema,
  registry: PredicateRegistry,
): string[] {
  const problems: string[] = [];
  const where = (name: string): string => `${rule.file} ${rule.pointer}/fields/${name}`;
  for (const [name, form] of Object.entries(rule.fields)) {
    const field = schema.properties[name];
    if (form.form === 'predicate') {
      if (field) problems.push(`${where(name)}: predicate output must not reuse record field "${name}"`);
      const def = registry.get(form.name);
      if (!def) {
        problems.push(`${where(name)}: unknown predicate ${form.name}`);
        continue;
      }
      for (const [role, source] of Object.entries(predicateSources(form, registry))) {
        const input = schema.properties[source];
        const want = def.inputs[role]?.type;
        if (!input)
          problems.push(`${where(name)}: ${form.name} reads "${source}", which ${rule.recordType} lacks`);
        else if (input.type !== want && !(numeric(want) && numeric(input.type))) {
          problems.push(
            `${where(name)}: ${form.name} needs "${source}" as ${want}, not ${String(input.type)}`,
          );
        }
      }
      continue;
    }
    if (!field) {
      problems.push(`${where(name)}: ${rule.recordType} has no field "${name}"`);
      continue;
    }
    if (form.form === 'deny') continue;
    const mismatch = formMismatch(form, field);
    if (mismatch) problems.push(`${where(name)}: ${mismatch}`);
  }
  return problems;
}

/** Policy outcome for every record field and every predicate output the rule defines. */
export function policyOutcomes(
  rule: PolicyRule | undefined,
  schema: PolicyRecordSchema,
  registry: PredicateRegistry,
): PolicyOutcome[] {
  const names = [...Object.keys(schema.properties)];
  for (const [name, form] of Object.entries(rule?.fields ?? {})) {
    if (form.form === 'predicate' && !names.includes(name)) names.push(name);
  }
  return names.map((name): PolicyOutcome => {
    if (!rule)
      return { name, reason: 'no_rule', sources: [name], detail: 'no rule matches; denied by default' };
    const form = rule.fields[name];
    if (!form) {
      return {
        name,
        reason: 'policy_denied',
        sources: [name],
        detail: `rule ${rule.id} does not list the field`,
      };
    }
    if (form.form === 'deny') {
      return { name, reason: 'policy_denied', sources: [name], detail: `rule ${rule.id} denies the field` };
    }
    if (form.form === 'predicate') {
      const sources = Object.values(predicateSources(form, registry));
      return {
        name,
        form,
        sources,
        detail: `rule ${rule.id}: predicate ${form.name} over ${sources.join(', ')}`,
      };
    }
    return { name, form, sources: [name], detail: `rule ${rule.id}: ${form.form}` };
  });
}
