/**
 * What the policy alone says about each field of a record type for one rule: the step shared by
 * planRelease (which then intersects with consent and request) and explain (which stops here).
 */
import { formMismatch } from './forms.js';
import { escapePointer } from './pointer.js';
import { nestedIssues } from './nested.js';
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

/** A problem with one rule, at a JSON pointer inside the rule's policy file. */
export interface RuleIssue {
  readonly pointer: string;
  readonly message: string;
}

/**
 * Issues that make a rule unusable with this record schema. Checked on every plan (fail closed)
 * and at start-up against the catalog.
 */
export function ruleIssues(
  rule: PolicyRule,
  schema: PolicyRecordSchema,
  registry: PredicateRegistry,
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const at = (name: string, message: string): void => {
    issues.push({ pointer: `${rule.pointer}/fields/${name}`, message });
  };
  for (const [name, form] of Object.entries(rule.fields)) {
    const field = schema.properties[name];
    if (form.form === 'predicate') {
      if (field) at(name, `predicate output must not reuse record field "${name}"`);
      const def = registry.get(form.name);
      if (!def) {
        at(name, `unknown predicate ${form.name}`);
        continue;
      }
      for (const [role, source] of Object.entries(predicateSources(form, registry))) {
        const input = schema.properties[source];
        const want = def.inputs[role]?.type;
        if (!input) at(name, `${form.name} reads "${source}", which ${rule.recordType} lacks`);
        else if (input.type !== want && !(numeric(want) && numeric(input.type))) {
          at(name, `${form.name} needs "${source}" as ${want}, not ${String(input.type)}`);
        }
      }
      continue;
    }
    if (!field) {
      at(name, `${rule.recordType} has no field "${name}"`);
      continue;
    }
    if (form.form === 'deny') continue;
    const mismatch = formMismatch(form, field);
    if (mismatch) at(name, mismatch);
  }
  for (const i of nestedIssues(rule, schema)) at(escapePointer(i.key), i.message);
  return issues;
}

/** ruleIssues as "<file> <pointer>: <message>" lines, for logs and PolicyConfigError. */
export function ruleProblems(
  rule: PolicyRule,
  schema: PolicyRecordSchema,
  registry: PredicateRegistry,
): string[] {
  return ruleIssues(rule, schema, registry).map((i) => `${rule.file} ${i.pointer}: ${i.message}`);
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
