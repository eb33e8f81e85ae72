/**
 * Field-level release policy (DESIGN §8). A policy file holds rules; a rule maps
 * (requester, purpose, record type) to a form per top-level field and, under a field released in
 * full, per nested path (JSON Pointer with `*` for any array item or property). Everything here is
 * plain data so the engine stays pure and explain() can show exactly what decided an outcome.
 */

export type RequesterClass = 'agency' | 'public-institution' | 'bank';
export const requesterClasses: readonly RequesterClass[] = ['agency', 'public-institution', 'bank'];

export interface Requester {
  readonly orgId: string;
  readonly class: RequesterClass;
}

/** A rule targets either a whole class or one organisation (which beats its class). */
export type RequesterSelector = { readonly class: RequesterClass } | { readonly org: string };

export type GeneraliseTo = 'year' | 'age_band' | 'district' | 'bracket';

export type FieldForm =
  | { readonly form: 'deny' }
  | { readonly form: 'full' }
  | { readonly form: 'hash' }
  | {
      readonly form: 'mask';
      readonly keepStart: number;
      readonly keepEnd: number;
      readonly char: string;
      /** Characters left as they are and not counted (e.g. the hyphen of a resident number). */
      readonly preserve: string;
    }
  | { readonly form: 'truncate'; readonly length: number }
  | { readonly form: 'generalise'; readonly to: 'year' }
  | { readonly form: 'generalise'; readonly to: 'age_band'; readonly width: number; readonly max: number }
  | { readonly form: 'generalise'; readonly to: 'district'; readonly depth: number }
  | { readonly form: 'generalise'; readonly to: 'bracket'; readonly bounds: readonly number[] }
  | {
      readonly form: 'predicate';
      readonly name: string;
      readonly args: Readonly<Record<string, unknown>>;
      /** Predicate input role → record field it reads (defaults to the role's own name). */
      readonly from: Readonly<Record<string, string>>;
    };

export type FormName = FieldForm['form'];

export interface PolicyRef {
  readonly id: string;
  readonly version: string;
}

export interface PolicyRule {
  readonly id: string;
  readonly policy: PolicyRef;
  /** File the rule came from and its JSON pointer there, so explain() can point at the source. */
  readonly file: string;
  readonly pointer: string;
  readonly requester: RequesterSelector;
  /** Exact code, `prefix.*`, or `*`. */
  readonly purpose: string;
  readonly recordType: string;
  /** Top-level record fields and predicate outputs. */
  readonly fields: Readonly<Record<string, FieldForm>>;
  // Nested paths (`/members/*/residentRegistrationNumber`) under top-level fields released in full.
  readonly nested: Readonly<Record<string, FieldForm>>;
}

export interface PolicyFile {
  readonly file: string;
  readonly id: string;
  readonly version: string;
  readonly description?: string;
  readonly rules: readonly PolicyRule[];
}

export interface PolicySet {
  readonly files: readonly PolicyFile[];
  /** Rules by record type; rule resolution only ever looks at one record type. */
  readonly byRecordType: ReadonlyMap<string, readonly PolicyRule[]>;
}

/**
 * The part of a record type's JSON Schema the engine needs. The catalog's RecordSchema is
 * assignable to it; kept structural so the policy engine does not depend on catalog internals.
 */
export interface PolicyFieldSchema {
  readonly type?: string;
  readonly format?: string;
  readonly description?: string;
  readonly 'x-sensitivity'?: string;
  /** The date that places this value (or its array entry) in time; see the catalog README. */
  readonly 'x-date'?: DateRole;
  readonly properties?: Readonly<Record<string, PolicyFieldSchema>>;
  readonly required?: readonly string[];
  readonly items?: PolicyFieldSchema;
}

/** on: the event's date; from/until: a period's start and (open when empty) end. */
export type DateRole = 'on' | 'from' | 'until';

export interface PolicyRecordSchema {
  readonly properties: Readonly<Record<string, PolicyFieldSchema>>;
  readonly required?: readonly string[];
}

export type WithheldReason =
  | 'no_rule'
  | 'policy_denied'
  | 'not_requested'
  | 'not_consented'
  | 'not_in_record'
  | 'unknown_field'
  | 'outside_data_range';

/** The span of records a release may reach: the purpose's maxDataRangeDays and the consent's range. */
export interface DataRangeBounds {
  /** Days back from the clock date (purpose bounds). */
  readonly maxDays?: number;
  /** The consent's range, civil dates, both ends included. */
  readonly from?: string;
  readonly to?: string;
}

export interface WithheldField {
  // A top-level field, a predicate output, or a nested path (`/members/*/residentRegistrationNumber`).
  readonly name: string;
  readonly reason: WithheldReason;
}

export interface ReleasedField {
  readonly name: string;
  readonly form: FieldForm;
}

export interface PlannedField extends ReleasedField {
  /** Record fields this output is computed from (itself, or a predicate's inputs). */
  readonly sources: readonly string[];
}

export interface ReleasePlan {
  readonly requester: Requester;
  readonly purpose: string;
  readonly recordType: string;
  readonly policy: PolicyRef | null;
  readonly rule: RuleRef | null;
  readonly release: readonly PlannedField[];
  readonly withheld: readonly WithheldField[];
  /** Nested decisions under released top-level fields, by top-level field name. */
  readonly nested: Readonly<Record<string, NestedNode>>;
  /** What the release names under each field released in full: nested paths and their forms. */
  readonly nestedFields: Readonly<
    Record<string, readonly { readonly path: string; readonly form: FieldForm }[]>
  >;
  readonly dataRange: DataRangeBounds | null;
  /** The record type's schema: where the data window finds each value's date. */
  readonly recordSchema: PolicyRecordSchema;
  /** JSON Schema every released record of this plan must satisfy (additionalProperties: false). */
  readonly releaseSchema: Readonly<Record<string, unknown>>;
}

export interface RuleRef {
  readonly id: string;
  readonly file: string;
  readonly pointer: string;
}

export interface ReleaseResult {
  readonly released: Readonly<Record<string, unknown>>;
  readonly withheld: readonly WithheldField[];
  readonly policy: PolicyRef | null;
  readonly fields: readonly ReleasedField[];
}

/**
 * What happens inside a top-level field released in full: a form at a node (applied to its whole
 * value), or a walk into an object's properties or an array's items. `pass` copies the value.
 */
export type NestedNode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'form'; readonly path: string; readonly form: FieldForm; readonly byDefault: boolean }
  | { readonly kind: 'object'; readonly properties: Readonly<Record<string, NestedNode>> }
  | { readonly kind: 'array'; readonly items: NestedNode };
