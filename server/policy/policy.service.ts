/**
 * Use cases over a loaded PolicySet: explain() for `GET /v1/policy/explain`, the start-up
 * cross-check of policies against the record catalog, and createPolicyService, which the
 * composition root builds once at start-up (and which refuses to exist on a bad policy).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { RecordTypeUnknownError, ValidationError } from '../errors.js';
import { datingFields } from './data-range.js';
import { namedDecisions } from './nested.js';
import { applyRelease, planRelease, type FieldSelection } from './policy.engine.js';
import { PolicyFileError, type PolicyIssue } from './policy.errors.js';
import { loadPolicies } from './policy.loader.js';
import { matchingRules, type RequesterQuery } from './policy.match.js';
import { policyOutcomes, predicateSources, ruleIssues, ruleProblems } from './policy.outcome.js';
import type {
  DataRangeBounds,
  FieldForm,
  PolicyRecordSchema,
  PolicyRule,
  PolicyRef,
  PolicySet,
  ReleasePlan,
  ReleaseResult,
  Requester,
  RequesterSelector,
  RuleRef,
} from './policy.types.js';
import { predicates as defaultPredicates, type PredicateRegistry } from './predicates.js';

/** The policies shipped with the code: policies/*.yaml at the repository root. */
export const DEFAULT_POLICY_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

export interface ExplainQuery {
  /** An organisation (with its class, so class rules apply too), or a class alone. */
  readonly requester: RequesterQuery;
  readonly purpose: string;
  readonly recordType: string;
  /** The record type's schema; without it only the fields the rule names are listed. */
  readonly recordSchema?: PolicyRecordSchema;
  /** The purpose's reach back in days; explain names what it withholds. */
  readonly maxDataRangeDays?: number;
}

export interface FieldExplanation {
  /** A top-level field, a predicate output, or a nested path under a field released in full. */
  readonly name: string;
  /** What the policy allows; consent and the request may still withhold a released field. */
  readonly outcome: 'released' | 'withheld';
  readonly form?: FieldForm;
  readonly reason?: 'no_rule' | 'policy_denied';
  readonly sources: readonly string[];
  /** The deciding rule, or null when no rule matched (default deny). */
  readonly rule: RuleRef | null;
  readonly detail: string;
  /** For a released field with dated values: what is withheld as outside_data_range, and by which dates. */
  readonly dataRange?: FieldDataRange;
}

export interface FieldDataRange {
  readonly reason: 'outside_data_range';
  // The dates that place values in time: `/addressHistory/*` entries by `/addressHistory/*/movedInDate`.
  readonly datedBy: readonly string[];
  readonly maxDays: number | null;
}

export interface CandidateRule extends RuleRef {
  readonly policy: PolicyRef;
  readonly requester: RequesterSelector;
  readonly purpose: string;
  readonly chosen: boolean;
}

export interface Explanation {
  readonly requester: RequesterQuery;
  readonly purpose: string;
  readonly recordType: string;
  readonly policy: PolicyRef | null;
  readonly rule: RuleRef | null;
  /** Every matching rule, most specific first, to show why the chosen one won. */
  readonly candidates: readonly CandidateRule[];
  readonly fields: readonly FieldExplanation[];
}

export function explain(
  policySet: PolicySet,
  query: ExplainQuery,
  registry: PredicateRegistry = defaultPredicates,
): Explanation {
  if (query.requester.orgId === undefined && query.requester.class === undefined) {
    throw new ValidationError('Give a requester organisation or class.', [
      { pointer: '/requester', message: 'needs orgId or class' },
    ]);
  }
  const matches = matchingRules(policySet, query.requester, query.purpose, query.recordType);
  const chosen = matches[0]?.rule;
  const ruleRef = chosen ? { id: chosen.id, file: chosen.file, pointer: chosen.pointer } : null;
  // Without the record schema, the rule's own field names stand in for the record's properties.
  const schema: PolicyRecordSchema = query.recordSchema ?? {
    properties: Object.fromEntries(
      Object.entries(chosen?.fields ?? {})
        .filter(([, f]) => f.form !== 'predicate')
        .map(([name]) => [name, {}]),
    ),
  };
  const fields = policyOutcomes(chosen, schema, registry).flatMap((o): FieldExplanation[] => {
    const datedBy =
      o.form && o.form.form !== 'predicate' ? datingFields(o.name, schema.properties[o.name]) : [];
    const maxDays = query.maxDataRangeDays ?? null;
    const reach = maxDays === null ? 'the consent range' : `${maxDays} days back or the consent range`;
    const top: FieldExplanation = {
      name: o.name,
      outcome: o.form ? 'released' : 'withheld',
      ...(o.form ? { form: o.form } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
      sources: o.sources,
      rule: ruleRef,
      detail:
        datedBy.length === 0
          ? o.detail
          : `${o.detail}; values dated by ${datedBy.join(', ')} outside ${reach} are withheld (outside_data_range)`,
      ...(datedBy.length === 0 ? {} : { dataRange: { reason: 'outside_data_range', datedBy, maxDays } }),
    };
    if (!chosen || !ruleRef || o.form?.form !== 'full') return [top];
    return [top, ...explainNested(chosen, o.name, schema, ruleRef)];
  });
  return {
    requester: query.requester,
    purpose: query.purpose,
    recordType: query.recordType,
    policy: chosen ? chosen.policy : null,
    rule: ruleRef,
    candidates: matches.map(({ rule }) => ({
      id: rule.id,
      file: rule.file,
      pointer: rule.pointer,
      policy: rule.policy,
      requester: rule.requester,
      purpose: rule.purpose,
      chosen: rule === chosen,
    })),
    fields,
  };
}

/** The nested paths of a field released in full: what each becomes and what decided it. */
function explainNested(
  rule: PolicyRule,
  name: string,
  schema: PolicyRecordSchema,
  ruleRef: RuleRef,
): FieldExplanation[] {
  return namedDecisions(rule, name, schema.properties[name]).map((d) => ({
    name: d.path,
    outcome: d.form.form === 'deny' ? 'withheld' : 'released',
    ...(d.form.form === 'deny' ? { reason: 'policy_denied' as const } : { form: d.form }),
    sources: [d.path],
    rule: ruleRef,
    detail: d.byDefault
      ? `an identifier inside ${name}, which rule ${rule.id} releases in full: withheld unless the rule names it`
      : `rule ${rule.id}: ${d.form.form} at ${d.path} (the most specific path naming it)`,
  }));
}

/**
 * Problems between policies and bare record schemas: rules naming fields a record type lacks, forms
 * on the wrong field type, and rules for record types without a schema. Start-up uses
 * catalogIssues, which adds the fact-check rules and structured file + pointer issues.
 */
export function checkPoliciesAgainstCatalog(
  policySet: PolicySet,
  schemaOf: (recordType: string) => PolicyRecordSchema | undefined,
  registry: PredicateRegistry = defaultPredicates,
): string[] {
  const problems: string[] = [];
  for (const [recordType, rules] of policySet.byRecordType) {
    const schema = schemaOf(recordType);
    if (!schema) {
      for (const r of rules)
        problems.push(`${r.file} ${r.pointer}/recordType: unknown record type ${recordType}`);
      continue;
    }
    for (const r of rules) problems.push(...ruleProblems(r, schema, registry));
  }
  return problems;
}

/**
 * The part of a catalog record type the policy checks need. The catalog's RecordType is assignable
 * to it; structural so the engine does not depend on catalog internals.
 */
export interface PolicyCatalogEntry {
  readonly schema: PolicyRecordSchema;
  readonly accessModes: readonly string[];
  readonly factChecks: readonly { readonly id: string; readonly basis: readonly string[] }[];
}

export interface PolicyCatalog {
  has(id: string): boolean;
  get(id: string): PolicyCatalogEntry;
}

/** A record type offered only as yes/no fact checks (catalog access modes). */
export function isFactCheckOnly(entry: PolicyCatalogEntry): boolean {
  return entry.accessModes.length > 0 && entry.accessModes.every((m) => m === 'fact-check');
}

/**
 * Every way the policies disagree with the catalog, as file + JSON pointer issues:
 * - a rule for a record type the catalog lacks, a field the record type lacks, a form that cannot
 *   apply to the field's type, a predicate reading a missing or wrongly typed field;
 * - a predicate output named like one of the record type's catalog fact checks that reads fields
 *   outside that fact check's basis (the output *is* the fact check, so it must answer from it);
 * - on a fact-check-only record type, anything released other than outputs named after its fact
 *   checks.
 */
export function catalogIssues(
  policySet: PolicySet,
  catalog: PolicyCatalog,
  registry: PredicateRegistry = defaultPredicates,
): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (const [recordType, rules] of policySet.byRecordType) {
    for (const rule of rules) {
      const at = (pointer: string, message: string): void => {
        issues.push({ file: rule.file, pointer, message });
      };
      if (!catalog.has(recordType)) {
        at(`${rule.pointer}/recordType`, `unknown record type ${recordType}`);
        continue;
      }
      const entry = catalog.get(recordType);
      for (const i of ruleIssues(rule, entry.schema, registry)) at(i.pointer, i.message);
      const factChecks = new Map(entry.factChecks.map((f) => [f.id, f.basis]));
      const factCheckOnly = isFactCheckOnly(entry);
      for (const [name, form] of Object.entries(rule.fields)) {
        const pointer = `${rule.pointer}/fields/${name}`;
        const basis = factChecks.get(name);
        if (form.form === 'predicate' && basis) {
          const outside = Object.values(predicateSources(form, registry)).filter((f) => !basis.includes(f));
          if (outside.length > 0) {
            at(
              pointer,
              `answers catalog fact check ${name}, whose basis is ${basis.join(', ')}, but reads ${outside.join(', ')}`,
            );
          }
        }
        if (factCheckOnly && form.form !== 'deny' && !(form.form === 'predicate' && basis)) {
          at(
            pointer,
            `${recordType} is fact-check only: release only outputs named after its fact checks (${[...factChecks.keys()].join(', ')})`,
          );
        }
      }
    }
  }
  return issues;
}

export interface PolicyServiceDeps {
  readonly policySet: PolicySet;
  readonly catalog: PolicyCatalog;
  /** HMAC key of pairwise hashes (POLICY_PAIRWISE_KEY). */
  readonly pairwiseKey: string | Buffer;
  readonly predicates?: PredicateRegistry;
}

export interface PolicySummary {
  readonly files: number;
  readonly rules: number;
  readonly purposes: number;
  readonly recordTypes: number;
}

export interface PlanRequest {
  readonly requester: Requester;
  readonly purpose: string;
  readonly recordType: string;
  readonly consentedFields: FieldSelection;
  readonly requestedFields: FieldSelection;
  /** The purpose's maxDataRangeDays and the consent's range; absent: no bound. */
  readonly dataRange?: DataRangeBounds | null;
}

export interface PolicyService {
  readonly policySet: PolicySet;
  summary(): PolicySummary;
  /** Policy outcome of every field (and nested path) of the record type; unknown record type → 404. */
  explain(query: Omit<ExplainQuery, 'recordSchema'>): Explanation;
  plan(request: PlanRequest): ReleasePlan;
  apply(plan: ReleasePlan, record: unknown, now: Date): ReleaseResult;
}

/**
 * Builds the policy service over a loaded PolicySet. Throws PolicyFileError naming every file and
 * JSON pointer at fault when a policy does not fit the catalog, so the process never serves with a
 * policy it cannot apply.
 */
const PLAN_CACHE_SIZE = 2_000;

export function createPolicyService(deps: PolicyServiceDeps): PolicyService {
  const registry = deps.predicates ?? defaultPredicates;
  const issues = catalogIssues(deps.policySet, deps.catalog, registry);
  if (issues.length > 0) throw new PolicyFileError(issues);
  const key: KeyObject = createSecretKey(
    typeof deps.pairwiseKey === 'string' ? Buffer.from(deps.pairwiseKey, 'utf8') : deps.pairwiseKey,
  );
  const schemaOf = (recordType: string): PolicyRecordSchema => {
    if (!deps.catalog.has(recordType)) throw new RecordTypeUnknownError(recordType);
    return deps.catalog.get(recordType).schema;
  };
  const rules = [...deps.policySet.byRecordType.values()].flat();
  const plans = new Map<string, ReleasePlan>();
  return {
    policySet: deps.policySet,
    summary: () => ({
      files: deps.policySet.files.length,
      rules: rules.length,
      purposes: new Set(rules.map((r) => r.purpose)).size,
      recordTypes: deps.policySet.byRecordType.size,
    }),
    explain: (query) =>
      explain(deps.policySet, { ...query, recordSchema: schemaOf(query.recordType) }, registry),
    plan: (request) => {
      // A query plans each record three or four times (the consented outputs, the released ones,
      // the release itself), and a plan depends only on the request and on the policy set loaded at
      // start: recent plans are kept (issue 18: 3–5 % of a query's gateway CPU).
      const id = JSON.stringify([
        request.requester,
        request.purpose,
        request.recordType,
        request.consentedFields,
        request.requestedFields,
        request.dataRange ?? null,
      ]);
      const kept = plans.get(id);
      if (kept) return kept;
      const made = planRelease({
        ...request,
        policySet: deps.policySet,
        recordSchema: schemaOf(request.recordType),
        predicates: registry,
      });
      if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
      plans.set(id, made);
      return made;
    },
    apply: (plan, record, now) => applyRelease(plan, record, { now, pairwiseKey: key, predicates: registry }),
  };
}

/** Loads policies/ (or `dir`) and builds the service; throws PolicyFileError on any bad policy. */
export function loadPolicyService(
  deps: Omit<PolicyServiceDeps, 'policySet'> & { readonly dir?: string },
): PolicyService {
  const policySet = loadPolicies(
    deps.dir ?? DEFAULT_POLICY_DIR,
    deps.predicates ? { predicates: deps.predicates } : {},
  );
  return createPolicyService({ ...deps, policySet });
}
