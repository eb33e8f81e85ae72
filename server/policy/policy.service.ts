/**
 * Read-only use cases over a loaded PolicySet: explain() for `GET /v1/policy/explain` and the
 * start-up cross-check of policies against the catalog's record schemas.
 */
import { ValidationError } from '../errors.js';
import { matchingRules, type RequesterQuery } from './policy.match.js';
import { policyOutcomes, ruleProblems } from './policy.outcome.js';
import type {
  FieldForm,
  PolicyRecordSchema,
  PolicyRef,
  PolicySet,
  RequesterSelector,
  RuleRef,
} from './policy.types.js';
import { predicates as defaultPredicates, type PredicateRegistry } from './predicates.js';

export interface ExplainQuery {
  /** An organisation (with its class, so class rules apply too), or a class alone. */
  readonly requester: RequesterQuery;
  readonly purpose: string;
  readonly recordType: string;
  /** The record type's schema; without it only the fields the rule names are listed. */
  readonly recordSchema?: PolicyRecordSchema;
}

export interface FieldExplanation {
  readonly name: string;
  /** What the policy allows; consent and the request may still withhold a released field. */
  readonly outcome: 'released' | 'withheld';
  readonly form?: FieldForm;
  readonly reason?: 'no_rule' | 'policy_denied';
  readonly sources: readonly string[];
  /** The deciding rule, or null when no rule matched (default deny). */
  readonly rule: RuleRef | null;
  readonly detail: string;
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
  const fields = policyOutcomes(chosen, schema, registry).map((o): FieldExplanation => ({
    name: o.name,
    outcome: o.form ? 'released' : 'withheld',
    ...(o.form ? { form: o.form } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    sources: o.sources,
    rule: ruleRef,
    detail: o.detail,
  }));
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

/**
 * Problems between policies and record schemas, for start-up to refuse on: rules naming fields
 * a record type lacks, forms on the wrong field type, and rules for record types not in the catalog.
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
