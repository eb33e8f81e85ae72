/**
 * Which rule decides: among rules for the record type whose requester and purpose match, the most
 * specific wins: an organisation beats its class, then an exact purpose beats a `prefix.*` family
 * (longer prefix first), which beats `*`. The compiler rejects rules with the same key, so there
 * are no ties.
 */
import type { PolicyRule, PolicySet, RequesterClass } from './policy.types.js';

export interface RequesterQuery {
  readonly orgId?: string;
  readonly class?: RequesterClass;
}

const EXACT = 1000;
const ORG = 10_000;

/** Specificity of a purpose pattern for this purpose, or undefined if it does not match. */
export function purposeSpecificity(pattern: string, purpose: string): number | undefined {
  if (pattern === purpose) return EXACT;
  if (pattern === '*') return 0;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -2);
    if (purpose.startsWith(`${prefix}.`)) return prefix.split('.').length;
  }
  return undefined;
}

function requesterSpecificity(rule: PolicyRule, who: RequesterQuery): number | undefined {
  if ('org' in rule.requester) return rule.requester.org === who.orgId ? ORG : undefined;
  return rule.requester.class === who.class ? 0 : undefined;
}

export interface RuleMatch {
  readonly rule: PolicyRule;
  readonly specificity: number;
}

/** Every matching rule, most specific first; the first one decides. */
export function matchingRules(
  set: PolicySet,
  who: RequesterQuery,
  purpose: string,
  recordType: string,
): RuleMatch[] {
  const matches: RuleMatch[] = [];
  for (const rule of set.byRecordType.get(recordType) ?? []) {
    const r = requesterSpecificity(rule, who);
    const p = purposeSpecificity(rule.purpose, purpose);
    if (r !== undefined && p !== undefined) matches.push({ rule, specificity: r + p });
  }
  return matches.sort((a, b) => b.specificity - a.specificity);
}

export function resolveRule(
  set: PolicySet,
  who: RequesterQuery,
  purpose: string,
  recordType: string,
): PolicyRule | undefined {
  return matchingRules(set, who, purpose, recordType)[0]?.rule;
}
