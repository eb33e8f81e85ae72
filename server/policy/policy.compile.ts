/**
 * Turns parsed policy documents into a PolicySet: schema validation, checks the schema cannot
 * express (predicate names and arguments, bracket order, duplicate rules across files), and
 * normalisation of shorthand forms. Pure, so tests and the loader share it.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import policySchema from '../../policies/policy.schema.json' with { type: 'json' };
import { strictAjv } from './ajv.js';
import { maskPresets, type MaskPreset } from './forms.js';
import { isNestedPath } from './nested.js';
import { escapePointer } from './pointer.js';
import { PolicyFileError, type PolicyIssue } from './policy.errors.js';
import type { FieldForm, PolicyFile, PolicyRule, PolicySet, RequesterSelector } from './policy.types.js';
import { predicates as defaultPredicates, type PredicateRegistry } from './predicates.js';

export interface PolicyDocument {
  readonly file: string;
  readonly data: unknown;
  /** Line of a JSON pointer in the source text, when the loader knows it. */
  readonly lineOf?: (pointer: string) => number | undefined;
}

export interface CompileOptions {
  readonly predicates?: PredicateRegistry;
}

const ajv = strictAjv();
const validatePolicy = ajv.compile(policySchema);
const argValidators = new WeakMap<object, ValidateFunction>();

function argsValidator(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  let v = argValidators.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    argValidators.set(schema, v);
  }
  return v;
}

export { escapePointer };

function errorPointer(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties' && typeof p['additionalProperty'] === 'string') {
    return `${e.instancePath}/${escapePointer(p['additionalProperty'])}`;
  }
  if (e.keyword === 'propertyNames' && typeof p['propertyName'] === 'string') {
    return `${e.instancePath}/${escapePointer(p['propertyName'])}`;
  }
  return e.instancePath;
}

function errorMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return 'is not allowed here';
  if (e.keyword === 'enum') return `must be one of ${(p['allowedValues'] as unknown[]).join(', ')}`;
  if (e.keyword === 'propertyNames') return 'is not a valid field name';
  return e.message ?? e.keyword;
}

/** Ajv's errors minus the noise of if/then wrappers and of the field-name check repeating itself. */
export function schemaIssues(
  errors: readonly ErrorObject[] | null | undefined,
): { pointer: string; message: string }[] {
  const seen = new Set<string>();
  const out: { pointer: string; message: string }[] = [];
  for (const e of errors ?? []) {
    if (e.keyword === 'if' || (e.keyword === 'pattern' && e.propertyName !== undefined)) continue;
    const issue = { pointer: errorPointer(e), message: errorMessage(e) };
    const key = `${issue.pointer}\0${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(issue);
    }
  }
  return out;
}

interface RawFormObject {
  form: FieldForm['form'];
  preset?: MaskPreset;
  keepStart?: number;
  keepEnd?: number;
  char?: string;
  preserve?: string;
  length?: number;
  to?: string;
  width?: number;
  max?: number;
  depth?: number;
  bounds?: number[];
  name?: string;
  args?: Record<string, unknown>;
  from?: Record<string, string>;
}

type RawForm = 'full' | 'deny' | 'hash' | RawFormObject;

interface RawRule {
  id: string;
  requester: { class?: string; org?: string };
  purpose: string;
  recordType: string;
  fields: Record<string, RawForm>;
}

interface RawPolicy {
  id: string;
  version: string;
  description?: string;
  rules: RawRule[];
}

// Only called on schema-valid input, so the required members below are present.
function normaliseForm(raw: RawForm): FieldForm {
  if (typeof raw === 'string') return { form: raw };
  switch (raw.form) {
    case 'mask': {
      const preset = raw.preset === undefined ? undefined : maskPresets[raw.preset];
      return {
        form: 'mask',
        keepStart: raw.keepStart ?? preset?.keepStart ?? 0,
        keepEnd: raw.keepEnd ?? preset?.keepEnd ?? 0,
        char: raw.char ?? '*',
        preserve: raw.preserve ?? preset?.preserve ?? '',
      };
    }
    case 'truncate':
      return { form: 'truncate', length: raw.length ?? 1 };
    case 'generalise':
      switch (raw.to) {
        case 'age_band':
          return { form: 'generalise', to: 'age_band', width: raw.width ?? 10, max: raw.max ?? 80 };
        case 'district':
          return { form: 'generalise', to: 'district', depth: raw.depth ?? 2 };
        case 'bracket':
          return { form: 'generalise', to: 'bracket', bounds: raw.bounds ?? [] };
        default:
          return { form: 'generalise', to: 'year' };
      }
    case 'predicate':
      return { form: 'predicate', name: raw.name ?? '', args: raw.args ?? {}, from: raw.from ?? {} };
    default:
      return { form: raw.form };
  }
}

function formIssues(form: FieldForm, registry: PredicateRegistry): { pointer: string; message: string }[] {
  if (form.form === 'generalise' && form.to === 'bracket') {
    const ascending = form.bounds.every((b, i) => i === 0 || b > (form.bounds[i - 1] as number));
    return ascending ? [] : [{ pointer: '/bounds', message: 'must be strictly ascending' }];
  }
  if (form.form !== 'predicate') return [];
  const def = registry.get(form.name);
  if (!def) {
    const known = [...registry.keys()].join(', ');
    return [{ pointer: '/name', message: `unknown predicate "${form.name}" (known: ${known})` }];
  }
  const issues: { pointer: string; message: string }[] = [];
  const validate = argsValidator(def.args);
  if (!validate(form.args)) {
    for (const i of schemaIssues(validate.errors))
      issues.push({ pointer: `/args${i.pointer}`, message: i.message });
  }
  for (const role of Object.keys(form.from)) {
    if (!(role in def.inputs)) {
      issues.push({
        pointer: `/from/${escapePointer(role)}`,
        message: `${form.name} has no input "${role}" (inputs: ${Object.keys(def.inputs).join(', ')})`,
      });
    }
  }
  return issues;
}

function selector(raw: RawRule['requester']): RequesterSelector {
  return raw.org !== undefined ? { org: raw.org } : { class: raw.class as 'agency' };
}

export function ruleKey(rule: Pick<PolicyRule, 'requester' | 'purpose' | 'recordType'>): string {
  const who = 'org' in rule.requester ? `org:${rule.requester.org}` : `class:${rule.requester.class}`;
  return `${who} ${rule.purpose} ${rule.recordType}`;
}

function issueAt(
  doc: PolicyDocument | undefined,
  file: string,
  pointer: string,
  message: string,
): PolicyIssue {
  const line = doc?.lineOf?.(pointer);
  return { file, pointer, message, ...(line === undefined ? {} : { line }) };
}

function compileOne(
  doc: PolicyDocument,
  registry: PredicateRegistry,
  issues: PolicyIssue[],
): PolicyFile | null {
  const at = (pointer: string, message: string): void => {
    issues.push(issueAt(doc, doc.file, pointer, message));
  };
  if (!validatePolicy(doc.data)) {
    for (const i of schemaIssues(validatePolicy.errors)) at(i.pointer, i.message);
    return null;
  }
  const raw = doc.data as unknown as RawPolicy;
  const policy = { id: raw.id, version: raw.version };
  const before = issues.length;
  const ruleIds = new Map<string, number>();
  const rules = raw.rules.map((r, index): PolicyRule => {
    const pointer = `/rules/${index}`;
    const twin = ruleIds.get(r.id);
    if (twin !== undefined) at(`${pointer}/id`, `duplicates the id of /rules/${twin}`);
    ruleIds.set(r.id, index);
    const fields: Record<string, FieldForm> = {};
    const nested: Record<string, FieldForm> = {};
    for (const [name, rawForm] of Object.entries(r.fields)) {
      const form = normaliseForm(rawForm);
      const base = `${pointer}/fields/${escapePointer(name)}`;
      for (const i of formIssues(form, registry)) at(`${base}${i.pointer}`, i.message);
      if (isNestedPath(name)) nested[name] = form;
      else fields[name] = form;
    }
    return {
      id: r.id,
      policy,
      file: doc.file,
      pointer,
      requester: selector(r.requester),
      purpose: r.purpose,
      recordType: r.recordType,
      fields,
      nested,
    };
  });
  if (issues.length > before) return null;
  return { file: doc.file, ...policy, ...(raw.description ? { description: raw.description } : {}), rules };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Validates and indexes policy documents; throws PolicyFileError listing every problem. */
export function compilePolicies(docs: readonly PolicyDocument[], options: CompileOptions = {}): PolicySet {
  const registry = options.predicates ?? defaultPredicates;
  const issues: PolicyIssue[] = [];
  const files: PolicyFile[] = [];
  for (const doc of docs) {
    const file = compileOne(doc, registry, issues);
    if (file) files.push(file);
  }
  const ids = new Map<string, string>();
  const keys = new Map<string, PolicyRule>();
  for (const file of files) {
    const other = ids.get(file.id);
    const doc = docs.find((d) => d.file === file.file);
    if (other !== undefined) issues.push(issueAt(doc, file.file, '/id', `policy id also used by ${other}`));
    ids.set(file.id, file.file);
    for (const rule of file.rules) {
      const twin = keys.get(ruleKey(rule));
      if (twin) {
        const message = `same requester, purpose and record type as ${twin.file} ${twin.pointer}`;
        issues.push(issueAt(doc, file.file, rule.pointer, message));
      } else keys.set(ruleKey(rule), rule);
    }
  }
  if (issues.length > 0) throw new PolicyFileError(issues);
  const byRecordType = new Map<string, PolicyRule[]>();
  for (const rule of files.flatMap((f) => f.rules)) {
    byRecordType.set(rule.recordType, [...(byRecordType.get(rule.recordType) ?? []), rule]);
  }
  return deepFreeze({ files, byRecordType });
}
