import type { IdentifierSchemeId } from './identifiers/index.js';

export type SubjectKind = 'person' | 'corporation' | 'object';
/** consent-required: the subject must consent; no-subject-fee: object records, a fee instead; statutory-only: only purposes whose legal basis allows access without consent. */
export type ConsentClass = 'consent-required' | 'no-subject-fee' | 'statutory-only';
export type AccessMode = 'full' | 'fact-check' | 'citizen-selectable';
export type Sensitivity = 'public' | 'personal' | 'identifier' | 'sensitive';

export const sensitivities: readonly Sensitivity[] = ['public', 'personal', 'identifier', 'sensitive'];

export interface Names {
  readonly en: string;
  readonly ko: string;
  readonly ja: string;
}

export interface Description {
  readonly en: string;
  readonly ja: string;
}

/** A holding agency (DESIGN §3 "holder"): the agency whose registry keeps a record type (holders.json). */
export interface Holder {
  readonly id: string;
  readonly names: Names;
  /** What its registries keep, in a few words. */
  readonly keeps: Names;
}

/** A document form a registry issues, limited to some fields (e.g. family certificate general/detailed/specific). */
export interface DisclosureVariant {
  readonly id: string;
  readonly names: Names;
  readonly description: Description;
  /** Top-level record fields this variant shows. */
  readonly fields: readonly string[];
  readonly default?: boolean;
  /** The requester must tell the citizen why it needs this fuller variant. */
  readonly justificationRequired?: boolean;
}

/** A yes/no question the record can answer without revealing the underlying values. */
export interface FactCheck {
  readonly id: string;
  readonly description: Description;
  /** Top-level record fields the answer is derived from. */
  readonly basis: readonly string[];
}

/** Fields the citizen cannot untick when the record type is citizen-selectable. */
export interface CitizenSelection {
  readonly mandatoryFields: readonly string[];
}

/** A JSON Schema 2020-12 field; every field carries a description and a sensitivity. */
export interface FieldSchema {
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  readonly description: string;
  readonly 'x-sensitivity': Sensitivity;
  readonly format?: string;
  /** Data-range dating (record-type.schema.json): on | from | until. */
  readonly 'x-date'?: 'on' | 'from' | 'until';
  /** PIPA arts. 23 and 24 (record-type.schema.json): the citizen agrees to it in a separate step. */
  readonly 'x-separate-consent'?: 'sensitive' | 'unique-identifier';
  readonly enum?: readonly (string | number)[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly properties?: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: false;
  readonly items?: ItemSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
}

export type ItemSchema = Omit<FieldSchema, 'description' | 'x-sensitivity'> & {
  readonly description?: string;
  readonly 'x-sensitivity'?: Sensitivity;
};

export interface RecordSchema {
  readonly $schema: 'https://json-schema.org/draft/2020-12/schema';
  readonly type: 'object';
  readonly additionalProperties: false;
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, FieldSchema>>;
}

export interface RecordType {
  readonly id: string;
  readonly version: number;
  readonly names: Names;
  readonly description: Description;
  readonly category: string;
  /** The holding agency; the gateway fetches the record from this holder's registry. */
  readonly holder: Holder;
  readonly subjectKind: SubjectKind;
  readonly identifierScheme: IdentifierSchemeId;
  readonly consentClass: ConsentClass;
  readonly accessModes: readonly AccessMode[];
  readonly disclosureVariants: readonly DisclosureVariant[];
  readonly factChecks: readonly FactCheck[];
  readonly citizenSelection?: CitizenSelection;
  readonly schema: RecordSchema;
}

export interface Category {
  readonly id: string;
  readonly names: Names;
}

/** A record type as written in its file: the holder is named by its code. */
export type RecordTypeEntry = Omit<RecordType, 'holder'> & { readonly holder: string };

/** One file in record-types/: a category and its record types. */
export interface CategoryFile {
  readonly category: Category;
  readonly recordTypes: readonly RecordTypeEntry[];
}

export interface CatalogFilter {
  readonly category?: string;
  readonly subjectKind?: SubjectKind;
  /** Case-insensitive text match on id and names in every language. */
  readonly q?: string;
}

export interface RecordValidationIssue {
  readonly pointer: string;
  readonly message: string;
  /** For a missing required property: its name (the pointer is the object that lacks it). */
  readonly missing?: string;
}

/** Validates one record of a type; returns the issues, empty when the record is valid. */
export type RecordValidator = (record: unknown) => readonly RecordValidationIssue[];

export interface Catalog {
  list(filter?: CatalogFilter): readonly RecordType[];
  get(id: string): RecordType;
  has(id: string): boolean;
  categories(): readonly Category[];
  validator(id: string): RecordValidator;
  /** Every holding agency, in the order of holders.json; each holds at least one record type. */
  holders(): readonly Holder[];
  /** Throws when the code names no holder. */
  holder(id: string): Holder;
  readonly size: number;
}

/** A rule JSON Schema cannot express, broken at `pointer` inside the file. */
export interface CatalogProblem {
  pointer: string;
  message: string;
}
