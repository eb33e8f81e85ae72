/**
 * Release = policy ∩ consent ∩ request ∩ data range, per field (DESIGN §2 invariant 2). planRelease
 * decides from metadata alone (nested forms included); applyRelease cuts one record to the data
 * window, turns it into what may leave and validates it against the plan's derived schema, so a
 * provider's extra or malformed values never pass.
 */
import type { BinaryLike, KeyObject } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { dataWindow, isOutside, windowField } from './data-range.js';
import { applyForm, FormInputError } from './forms.js';
import { applyNested, namedDecisions, nestedNode } from './nested.js';
import { PolicyConfigError, ReleaseViolationError } from './policy.errors.js';
import { resolveRule } from './policy.match.js';
import { policyOutcomes, ruleProblems } from './policy.outcome.js';
import type {
  DataRangeBounds,
  FieldForm,
  NestedNode,
  PlannedField,
  PolicyRecordSchema,
  PolicySet,
  ReleasedField,
  ReleasePlan,
  ReleaseResult,
  Requester,
  WithheldField,
} from './policy.types.js';
import {
  PredicateInputError,
  predicates as defaultPredicates,
  type PredicateRegistry,
} from './predicates.js';
import { deriveReleaseSchema, releaseValidator } from './release.schema.js';

export type FieldSelection = readonly string[] | 'all';

export interface PlanInput {
  readonly policySet: PolicySet;
  readonly requester: Requester;
  readonly purpose: string;
  readonly recordType: string;
  readonly recordSchema: PolicyRecordSchema;
  /** Field names the consent grants; 'all' for statutory access, where only the policy limits. */
  readonly consentedFields: FieldSelection;
  readonly requestedFields: FieldSelection;
  readonly predicates?: PredicateRegistry;
  /** How far back the release may reach; null or absent: no bound (explain, tests). */
  readonly dataRange?: DataRangeBounds | null;
}

function includes(selection: FieldSelection, name: string): boolean {
  return selection === 'all' || selection.includes(name);
}

export function planRelease(input: PlanInput): ReleasePlan {
  const registry = input.predicates ?? defaultPredicates;
  const rule = resolveRule(input.policySet, input.requester, input.purpose, input.recordType);
  if (rule) {
    const problems = ruleProblems(rule, input.recordSchema, registry);
    if (problems.length > 0) throw new PolicyConfigError(problems);
  }
  const release: PlannedField[] = [];
  const withheld: WithheldField[] = [];
  const known = new Set<string>();
  for (const outcome of policyOutcomes(rule, input.recordSchema, registry)) {
    known.add(outcome.name);
    if (!outcome.form) withheld.push({ name: outcome.name, reason: outcome.reason ?? 'policy_denied' });
    else if (!includes(input.requestedFields, outcome.name))
      withheld.push({ name: outcome.name, reason: 'not_requested' });
    else if (!includes(input.consentedFields, outcome.name))
      withheld.push({ name: outcome.name, reason: 'not_consented' });
    else release.push({ name: outcome.name, form: outcome.form, sources: outcome.sources });
  }
  if (input.requestedFields !== 'all') {
    for (const name of new Set(input.requestedFields)) {
      if (!known.has(name)) withheld.push({ name, reason: 'unknown_field' });
    }
  }
  const nested: Record<string, NestedNode> = {};
  const nestedFields: Record<string, { path: string; form: FieldForm }[]> = {};
  for (const field of release) {
    if (!rule || field.form.form !== 'full') continue;
    const schema = input.recordSchema.properties[field.name];
    const node = nestedNode(rule, field.name, schema);
    if (node.kind !== 'pass') nested[field.name] = node;
    const named = namedDecisions(rule, field.name, schema).map(({ path, form }) => ({ path, form }));
    if (named.length > 0) nestedFields[field.name] = named;
  }
  return {
    requester: input.requester,
    purpose: input.purpose,
    recordType: input.recordType,
    policy: rule ? rule.policy : null,
    rule: rule ? { id: rule.id, file: rule.file, pointer: rule.pointer } : null,
    release,
    withheld,
    nested,
    nestedFields,
    dataRange: input.dataRange ?? null,
    recordSchema: input.recordSchema,
    releaseSchema: deriveReleaseSchema(input.recordSchema, release, nested),
  };
}

export interface ApplyOptions {
  /** The clock for predicates and age bands; never Date.now() inside the engine. */
  readonly now: Date;
  /** HMAC key for pairwise hashes; required when the plan hashes a field. */
  readonly pairwiseKey?: BinaryLike | KeyObject;
  readonly predicates?: PredicateRegistry;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** The released value, or undefined when the record has no usable value for it. */
function releaseValue(
  field: PlannedField,
  record: Readonly<Record<string, unknown>>,
  plan: ReleasePlan,
  options: ApplyOptions,
  registry: PredicateRegistry,
): unknown {
  const ctx = {
    now: options.now,
    requesterId: plan.requester.orgId,
    ...(options.pairwiseKey === undefined ? {} : { pairwiseKey: options.pairwiseKey }),
  };
  const { form } = field;
  try {
    if (form.form === 'predicate') {
      const def = registry.get(form.name);
      if (!def) throw new PolicyConfigError([`unknown predicate ${form.name}`]);
      const inputs: Record<string, unknown> = {};
      for (const role of Object.keys(def.inputs)) {
        const value = record[form.from[role] ?? role];
        if (!present(value)) return undefined;
        inputs[role] = value;
      }
      return def.evaluate(inputs, form.args, options.now);
    }
    if (form.form === 'deny') return undefined;
    const value = record[field.name];
    if (!present(value)) return undefined;
    const nested = plan.nested[field.name];
    if (form.form === 'full' && nested) return applyNested(nested, value, ctx);
    return applyForm(form, value, ctx);
  } catch (err) {
    // A value the form cannot read is no answer rather than a guessed one.
    if (err instanceof PredicateInputError || err instanceof FormInputError) return undefined;
    throw err;
  }
}

/**
 * The record cut to the plan's data window: entries and dated fields outside it removed, and the
 * paths that lost something. Predicates read the cut record too, so no answer reaches further back.
 */
function withinRange(
  plan: ReleasePlan,
  record: Readonly<Record<string, unknown>>,
  now: Date,
): { source: Readonly<Record<string, unknown>>; outside: Set<string> } {
  const outside = new Set<string>();
  if (!plan.dataRange) return { source: record, outside };
  const window = dataWindow(plan.dataRange, now);
  const source: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    const cut = windowField(name, plan.recordSchema.properties[name], value, window, outside);
    if (!isOutside(cut)) source[name] = cut;
  }
  return { source, outside };
}

export function applyRelease(plan: ReleasePlan, record: unknown, options: ApplyOptions): ReleaseResult {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new ValidationError('A record must be a JSON object.');
  }
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new TypeError('applyRelease needs a valid clock reading (now)');
  }
  if (options.pairwiseKey === undefined && plan.release.some((f) => f.form.form === 'hash')) {
    throw new PolicyConfigError([
      `policy ${plan.policy?.id ?? '?'} hashes a field but no pairwise key is set`,
    ]);
  }
  const registry = options.predicates ?? defaultPredicates;
  const { source, outside } = withinRange(plan, record as Readonly<Record<string, unknown>>, options.now);
  const released: Record<string, unknown> = {};
  const fields: ReleasedField[] = [];
  const withheld: WithheldField[] = [...plan.withheld];
  for (const field of plan.release) {
    const value = releaseValue(field, source, plan, options, registry);
    if (value === undefined) {
      const dated = outside.has(`/${field.name}`);
      withheld.push({ name: field.name, reason: dated ? 'outside_data_range' : 'not_in_record' });
      continue;
    }
    released[field.name] = value;
    fields.push({ name: field.name, form: field.form });
    if (field.form.form === 'predicate') continue;
    // Nested paths are named under the field that carries them, so the release says what each part became.
    for (const d of plan.nestedFields[field.name] ?? []) {
      if (d.form.form === 'deny') withheld.push({ name: d.path, reason: 'policy_denied' });
      else fields.push({ name: d.path, form: d.form });
    }
    for (const path of outside) {
      if (path.startsWith(`/${field.name}/`)) withheld.push({ name: path, reason: 'outside_data_range' });
    }
  }
  const validate = releaseValidator(plan.releaseSchema);
  if (!validate(released)) {
    throw new ReleaseViolationError(
      (validate.errors ?? []).map((e) => ({ pointer: e.instancePath, message: e.message ?? e.keyword })),
    );
  }
  return { released, withheld, policy: plan.policy, fields };
}
