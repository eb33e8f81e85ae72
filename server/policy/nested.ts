// Forms over nested paths. A rule may give a form to a JSON Pointer below a top-level field it
// releases in full, with `*` for any array item or any property (`/members/*/residentRegistrationNumber`).
// The most specific path wins: the one matching the node exactly, and among those the one whose
// first differing segment is a name rather than `*`. A node no path names inherits `full` from the
// field, except an identifier (`x-sensitivity: identifier`) inside it: another person's number in a
// household or family entry is withheld unless the rule names it, so a new identifier in the catalog
// never leaves unreviewed.
import { applyForm, FormInputError, formMismatch, releasedSchema, type FormContext } from './forms.js';
import type {
  FieldForm,
  NestedNode,
  PolicyFieldSchema,
  PolicyRecordSchema,
  PolicyRule,
} from './policy.types.js';

export function isNestedPath(key: string): boolean {
  return key.startsWith('/');
}

export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function joinPath(segments: readonly string[]): string {
  return segments.map((s) => `/${s.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

const PASS: NestedNode = { kind: 'pass' };

interface Pattern {
  readonly key: string;
  readonly segments: readonly string[];
  readonly form: FieldForm;
}

function patternsOf(rule: Pick<PolicyRule, 'nested'>): Pattern[] {
  return Object.entries(rule.nested).map(([key, form]) => ({ key, segments: pathSegments(key), form }));
}

function matches(pattern: readonly string[], path: readonly string[]): boolean {
  return pattern.length === path.length && pattern.every((s, i) => s === '*' || s === path[i]);
}

/** Negative when a is more specific: at the first segment where they differ, a name beats `*`. */
function bySpecificity(a: Pattern, b: Pattern): number {
  for (let i = 0; i < a.segments.length; i++) {
    const sa = a.segments[i] === '*';
    const sb = b.segments[i] === '*';
    if (sa !== sb) return sa ? 1 : -1;
  }
  return 0;
}

function isContainer(schema: PolicyFieldSchema): boolean {
  return (schema.type === 'array' && schema.items !== undefined) || schema.properties !== undefined;
}

function build(schema: PolicyFieldSchema, path: string[], patterns: readonly Pattern[]): NestedNode {
  const explicit = patterns.filter((p) => matches(p.segments, path)).sort(bySpecificity)[0];
  if (explicit && explicit.form.form !== 'full') {
    return { kind: 'form', path: joinPath(path), form: explicit.form, byDefault: false };
  }
  if (schema.type === 'array' && schema.items) {
    const items = build(schema.items, [...path, '*'], patterns);
    return items.kind === 'pass' ? PASS : { kind: 'array', items };
  }
  if (schema.properties) {
    const properties: Record<string, NestedNode> = {};
    for (const [name, child] of Object.entries(schema.properties))
      properties[name] = build(child, [...path, name], patterns);
    return Object.values(properties).every((n) => n.kind === 'pass') ? PASS : { kind: 'object', properties };
  }
  if (!explicit && path.length > 1 && schema['x-sensitivity'] === 'identifier') {
    return { kind: 'form', path: joinPath(path), form: { form: 'deny' }, byDefault: true };
  }
  return PASS;
}

/** What happens inside top-level field `name` when the rule releases it in full. */
export function nestedNode(
  rule: Pick<PolicyRule, 'nested'>,
  name: string,
  schema: PolicyFieldSchema | undefined,
): NestedNode {
  if (!schema) return PASS;
  return build(schema, [name], patternsOf(rule));
}

export interface NestedDecision {
  readonly path: string;
  readonly form: FieldForm;
  /** Withheld by the identifier default rather than by a path the rule names. */
  readonly byDefault: boolean;
}

/** Every node of the tree that is not copied as it is, in schema order. */
export function nestedDecisions(node: NestedNode): NestedDecision[] {
  switch (node.kind) {
    case 'pass':
      return [];
    case 'form':
      return [{ path: node.path, form: node.form, byDefault: node.byDefault }];
    case 'array':
      return nestedDecisions(node.items);
    case 'object':
      return Object.values(node.properties).flatMap(nestedDecisions);
  }
}

const OMIT = Symbol('omit');

function walk(node: NestedNode, value: unknown, ctx: FormContext): unknown {
  switch (node.kind) {
    case 'pass':
      return value;
    case 'form': {
      if (node.form.form === 'deny' || node.form.form === 'predicate') return OMIT;
      if (value === undefined || value === null) return OMIT;
      try {
        return applyForm(node.form, value, ctx);
      } catch (err) {
        // An entry the form cannot read loses that part rather than showing a guessed value.
        if (err instanceof FormInputError) return OMIT;
        throw err;
      }
    }
    case 'array': {
      // A value of the wrong shape is left for the release schema to refuse.
      if (!Array.isArray(value)) return value;
      return value.map((item) => walk(node.items, item, ctx)).filter((item) => item !== OMIT);
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const sub = node.properties[key];
        // Only the parts the catalog declares leave; a provider's extra key is dropped here.
        if (!sub) continue;
        const released = walk(sub, child, ctx);
        if (released !== OMIT) out[key] = released;
      }
      return out;
    }
  }
}

/** The released value of a top-level field released in full, with its nested forms applied. */
export function applyNested(node: NestedNode, value: unknown, ctx: FormContext): unknown {
  return node.kind === 'pass' ? value : walk(node, value, ctx);
}

/** The released value's JSON Schema: the field's own, reshaped where a nested form applies. */
export function nestedReleaseSchema(node: NestedNode, schema: PolicyFieldSchema): object | false {
  switch (node.kind) {
    case 'pass':
      return { ...schema };
    case 'form':
      return node.form.form === 'deny' ? false : releasedSchema(node.form, schema);
    case 'array':
      return { ...schema, items: nestedReleaseSchema(node.items, schema.items ?? {}) };
    case 'object': {
      const properties: Record<string, object | false> = {};
      for (const [name, child] of Object.entries(node.properties)) {
        const shaped = nestedReleaseSchema(child, schema.properties?.[name] ?? {});
        if (shaped !== false) properties[name] = shaped;
      }
      // A part under a form may be dropped when the value cannot take it, so only copied parts stay required.
      const required = (schema.required ?? []).filter((r) => {
        const kind = node.properties[r]?.kind;
        return kind !== undefined && kind !== 'form';
      });
      return { ...schema, properties, required };
    }
  }
}

export interface NestedIssue {
  readonly key: string;
  readonly message: string;
}

/** Schema nodes a path names, or why it names none. */
function resolve(
  schema: PolicyRecordSchema,
  segments: readonly string[],
): { nodes: PolicyFieldSchema[] } | { error: string } {
  const first = schema.properties[segments[0] ?? ''];
  if (!first) return { error: `has no field "${segments[0]}"` };
  let nodes: PolicyFieldSchema[] = [first];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    const at = joinPath(segments.slice(0, i));
    const next: PolicyFieldSchema[] = [];
    for (const node of nodes) {
      if (node.type === 'array' && node.items) {
        if (segment !== '*') return { error: `${at} is a list: name its items with *` };
        next.push(node.items);
      } else if (node.properties) {
        if (segment === '*') next.push(...Object.values(node.properties));
        else if (node.properties[segment]) next.push(node.properties[segment]);
        else return { error: `has no ${joinPath(segments.slice(0, i + 1))}` };
      } else return { error: `${at} is a ${String(node.type)}, with nothing inside` };
    }
    nodes = next;
  }
  return { nodes };
}

/**
 * Problems with a rule's nested paths against the record schema: a path the schema lacks (unknown
 * path = error), a parent not released in full, a form the node's type cannot take, a predicate
 * (top-level only), and a path below another path's non-full form, which would never apply.
 */
export function nestedIssues(
  rule: Pick<PolicyRule, 'fields' | 'nested' | 'recordType'>,
  schema: PolicyRecordSchema,
): NestedIssue[] {
  const issues: NestedIssue[] = [];
  const patterns = patternsOf(rule);
  for (const p of patterns) {
    const at = (message: string): void => {
      issues.push({ key: p.key, message });
    };
    const top = p.segments[0] ?? '';
    const parent = rule.fields[top];
    if (top === '*') {
      at('a nested path starts with a top-level field name, not *');
      continue;
    }
    if (!parent || parent.form !== 'full') {
      at(
        `"${top}" is ${parent ? `released as ${parent.form}` : 'not released'}; nested forms apply only under a field released in full`,
      );
      continue;
    }
    if (p.form.form === 'predicate') {
      at('predicates are top-level outputs; give a nested path a value form');
      continue;
    }
    const resolved = resolve(schema, p.segments);
    if ('error' in resolved) {
      at(`${rule.recordType} ${resolved.error}`);
      continue;
    }
    if (p.form.form !== 'full' && p.form.form !== 'deny') {
      for (const node of resolved.nodes) {
        const mismatch = isContainer(node)
          ? p.form.form === 'hash'
            ? undefined
            : `${p.form.form} applies to a value, not to a whole ${String(node.type)}`
          : formMismatch(p.form, node);
        if (mismatch) {
          at(mismatch);
          break;
        }
      }
    }
    if (p.form.form !== 'full') {
      for (const q of patterns) {
        const below =
          q.segments.length > p.segments.length &&
          p.segments.every((s, i) => s === '*' || q.segments[i] === '*' || q.segments[i] === s);
        if (below)
          issues.push({
            key: q.key,
            message: `never applies: ${p.key} gives the whole value as ${p.form.form}`,
          });
      }
    }
  }
  return issues;
}

/** Schema paths of the identifiers nested in top-level field `name` (`/members/*` + `/residentRegistrationNumber`). */
export function identifierPaths(name: string, schema: PolicyFieldSchema | undefined): string[] {
  const out: string[] = [];
  const visit = (s: PolicyFieldSchema, path: string[]): void => {
    if (s.type === 'array' && s.items) visit(s.items, [...path, '*']);
    else if (s.properties) for (const [k, c] of Object.entries(s.properties)) visit(c, [...path, k]);
    else if (path.length > 1 && s['x-sensitivity'] === 'identifier') out.push(joinPath(path));
  };
  if (schema) visit(schema, [name]);
  return out;
}

/**
 * What the release and explain name under a field released in full: every node a form changes or
 * withholds, and every nested identifier a path releases as it is (the tree has no node for those).
 */
export function namedDecisions(
  rule: Pick<PolicyRule, 'nested'>,
  name: string,
  schema: PolicyFieldSchema | undefined,
): NestedDecision[] {
  const decisions = nestedDecisions(nestedNode(rule, name, schema));
  const full = identifierPaths(name, schema)
    .filter((path) => !decisions.some((d) => path === d.path || path.startsWith(`${d.path}/`)))
    .map((path): NestedDecision => ({ path, form: { form: 'full' }, byDefault: false }));
  return [...decisions, ...full];
}
