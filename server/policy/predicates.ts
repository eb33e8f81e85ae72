/**
 * Yes/no facts we compute from a record so a requester learns the answer, never the value
 * (DESIGN §8). Each predicate declares the record fields it reads (its inputs, overridable per rule
 * with `from`), a JSON Schema for its arguments (checked when policies load), and takes the clock
 * as an argument so answers are reproducible in tests and audits.
 */
import { ageOn, calendarDate, isoDate, periodCovers } from './dates.js';

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

export interface PredicateInput {
  /** JSON type the record field must have; checked against the record schema when planning. */
  readonly type: JsonType;
  readonly description: string;
}

export interface PredicateDefinition {
  readonly name: string;
  readonly description: string;
  /** Input role → expected field; the role name is also the default record field. */
  readonly inputs: Readonly<Record<string, PredicateInput>>;
  /** JSON Schema (2020-12) for the `args` object. */
  readonly args: Readonly<Record<string, unknown>>;
  evaluate(
    inputs: Readonly<Record<string, unknown>>,
    args: Readonly<Record<string, unknown>>,
    now: Date,
  ): boolean;
}

/** The record holds the field but not in a shape the predicate can answer from. */
export class PredicateInputError extends Error {
  constructor(predicate: string, role: string) {
    super(`predicate ${predicate}: input ${role} is not usable`);
    this.name = 'PredicateInputError';
  }
}

const noArgs = { type: 'object', additionalProperties: false, maxProperties: 0 } as const;

function argsOf(properties: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties };
}

// Args are validated against `args` at load time, so the casts below only restate that schema.
function define<A>(def: {
  name: string;
  description: string;
  inputs: Record<string, PredicateInput>;
  args: Record<string, unknown>;
  evaluate(inputs: Readonly<Record<string, unknown>>, args: A, now: Date): boolean;
}): PredicateDefinition {
  return { ...def, evaluate: (inputs, args, now) => def.evaluate(inputs, args as A, now) };
}

function ageInput(name: string, inputs: Readonly<Record<string, unknown>>, now: Date): number {
  const age = ageOn(inputs['birthDate'], now);
  if (age === undefined) throw new PredicateInputError(name, 'birthDate');
  return age;
}

function arrayInput(name: string, role: string, inputs: Readonly<Record<string, unknown>>): unknown[] {
  const value = inputs[role];
  if (!Array.isArray(value)) throw new PredicateInputError(name, role);
  return value;
}

function numberInput(name: string, role: string, inputs: Readonly<Record<string, unknown>>): number {
  const value = inputs[role];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new PredicateInputError(name, role);
  return value;
}

function flagInput(name: string, role: string, inputs: Readonly<Record<string, unknown>>): boolean {
  const value = inputs[role];
  if (typeof value !== 'boolean') throw new PredicateInputError(name, role);
  return value;
}

const SEIZURES = ['seizure', 'provisional-seizure', 'auction-commencement'];

function tokens(text: string): string[] {
  return text
    .trim()
    .split(/\s+/u)
    .filter((t) => t !== '');
}

function field(item: unknown, key: string): unknown {
  return typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
}

const birthDate = { type: 'string', description: 'date of birth (YYYY-MM-DD)' } as const;

const definitions: PredicateDefinition[] = [
  define<{ years: number }>({
    name: 'age_gte',
    description: 'The subject is at least `years` old today.',
    inputs: { birthDate },
    args: argsOf({ years: { type: 'integer', minimum: 0, maximum: 150 } }),
    evaluate: (inputs, { years }, now) => ageInput('age_gte', inputs, now) >= years,
  }),
  define<{ years: number }>({
    name: 'age_lt',
    description: 'The subject is younger than `years` today.',
    inputs: { birthDate },
    args: argsOf({ years: { type: 'integer', minimum: 0, maximum: 150 } }),
    evaluate: (inputs, { years }, now) => ageInput('age_lt', inputs, now) < years,
  }),
  define<{ region: string }>({
    name: 'resident_of',
    description:
      'The registered address lies in `region` (its leading address units, e.g. "서울특별시" or "서울특별시 종로구").',
    inputs: { address: { type: 'string', description: 'current registered address' } },
    args: argsOf({ region: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } }),
    evaluate: (inputs, { region }) => {
      const address = inputs['address'];
      if (typeof address !== 'string') throw new PredicateInputError('resident_of', 'address');
      const have = tokens(address);
      const want = tokens(region);
      return want.length > 0 && want.every((t, i) => have[i] === t);
    },
  }),
  define<{ date: string }>({
    name: 'resident_since_before',
    description: 'The subject moved in to the current address before `date` (e.g. residence requirements).',
    inputs: { movedInDate: { type: 'string', description: 'move-in date at the current address' } },
    args: argsOf({ date: { type: 'string', format: 'date' } }),
    evaluate: (inputs, { date }) => {
      const moved = isoDate(inputs['movedInDate']);
      if (moved === undefined) throw new PredicateInputError('resident_since_before', 'movedInDate');
      return moved < date;
    },
  }),
  define<{ n: number }>({
    name: 'household_size_gte',
    description: 'The household (head included) has at least `n` members.',
    inputs: { members: { type: 'array', description: 'members of the household, head included' } },
    args: argsOf({ n: { type: 'integer', minimum: 1, maximum: 100 } }),
    evaluate: (inputs, { n }) => arrayInput('household_size_gte', 'members', inputs).length >= n,
  }),
  define<{ n: number }>({
    name: 'count_gte',
    description:
      'A list in the record has at least `n` entries (e.g. owns land: parcels ≥ 1; has children: children ≥ 1).',
    inputs: { items: { type: 'array', description: 'the list counted' } },
    args: argsOf({ n: { type: 'integer', minimum: 1, maximum: 1000 } }),
    evaluate: (inputs, { n }) => arrayInput('count_gte', 'items', inputs).length >= n,
  }),
  define<Record<string, never>>({
    name: 'business_active',
    description: 'The business is operating (not suspended or closed).',
    inputs: { status: { type: 'string', description: 'active | suspended | closed' } },
    args: noArgs,
    evaluate: (inputs) => inputs['status'] === 'active',
  }),
  define<Record<string, never>>({
    name: 'tax_arrears',
    description:
      'The taxpayer has tax in arrears that is not deferred, as the payment certificate states (its hasArrears flag).',
    inputs: { hasArrears: { type: 'boolean', description: "the certificate's arrears flag" } },
    args: noArgs,
    evaluate: (inputs) => flagInput('tax_arrears', 'hasArrears', inputs),
  }),
  define<Record<string, never>>({
    name: 'tax_arrears_any',
    description: 'National or local tax is in arrears (the arrears-status check of both registers).',
    inputs: {
      nationalTaxArrears: { type: 'boolean', description: 'national tax in arrears' },
      localTaxArrears: { type: 'boolean', description: 'local tax in arrears' },
    },
    args: noArgs,
    evaluate: (inputs) =>
      flagInput('tax_arrears_any', 'nationalTaxArrears', inputs) ||
      flagInput('tax_arrears_any', 'localTaxArrears', inputs),
  }),
  define<{ amount: number }>({
    name: 'income_below',
    description: 'Certified total income for the attribution year is below `amount` KRW.',
    inputs: { totalIncome: { type: 'integer', description: 'total income in KRW' } },
    args: argsOf({ amount: { type: 'number', minimum: 0 } }),
    evaluate: (inputs, { amount }) => numberInput('income_below', 'totalIncome', inputs) < amount,
  }),
  define<Record<string, never>>({
    name: 'premiums_paid',
    description: 'Every health-insurance premium charged in the period has been paid.',
    inputs: {
      totalCharged: { type: 'integer', description: 'total charged in KRW' },
      totalPaid: { type: 'integer', description: 'total paid in KRW' },
    },
    args: noArgs,
    evaluate: (inputs) =>
      numberInput('premiums_paid', 'totalPaid', inputs) >=
      numberInput('premiums_paid', 'totalCharged', inputs),
  }),
  define<Record<string, never>>({
    name: 'disability_registered',
    description:
      'The person is on the disability register (the certificate names one of the statutory types).',
    inputs: { disabilityType: { type: 'string', description: 'statutory disability type' } },
    args: noArgs,
    evaluate: (inputs) => {
      const type = inputs['disabilityType'];
      if (typeof type !== 'string') throw new PredicateInputError('disability_registered', 'disabilityType');
      return type.trim() !== '';
    },
  }),
  define<Record<string, never>>({
    name: 'insured_now',
    description: 'A coverage period (health or employment insurance) contains today.',
    inputs: { periods: { type: 'array', description: 'coverage periods { acquisitionDate, lossDate? }' } },
    args: noArgs,
    evaluate: (inputs, _args, now) =>
      arrayInput('insured_now', 'periods', inputs).some((p) =>
        periodCovers(field(p, 'acquisitionDate'), field(p, 'lossDate'), now),
      ),
  }),
  define<{ pnu: string }>({
    name: 'owns_parcel',
    description: 'The subject owns the parcel with land identifier `pnu`.',
    inputs: { parcels: { type: 'array', description: 'owned parcels, each { parcelNumber, ... }' } },
    args: argsOf({ pnu: { type: 'string', pattern: '^[0-9]{19}$' } }),
    evaluate: (inputs, { pnu }) =>
      arrayInput('owns_parcel', 'parcels', inputs).some((p) => field(p, 'parcelNumber') === pnu),
  }),
  define<Record<string, never>>({
    name: 'vehicle_seized',
    description: 'A seizure (압류) on the vehicle has not been released.',
    inputs: { seizures: { type: 'array', description: 'seizures { date, authority, released }' } },
    args: noArgs,
    evaluate: (inputs) =>
      arrayInput('vehicle_seized', 'seizures', inputs).some((s) => field(s, 'released') !== true),
  }),
  define<Record<string, never>>({
    name: 'has_mortgage',
    description:
      'An uncancelled mortgage is registered (court-register other-rights section, vehicle, machinery or ship mortgages).',
    inputs: { mortgages: { type: 'array', description: 'registrations { purpose?, cancelled? }' } },
    args: noArgs,
    evaluate: (inputs) =>
      arrayInput('has_mortgage', 'mortgages', inputs).some((m) => {
        const purpose = field(m, 'purpose');
        return (purpose === undefined || purpose === 'mortgage') && field(m, 'cancelled') !== true;
      }),
  }),
  define<Record<string, never>>({
    name: 'title_seized',
    description:
      'The ownership section (갑구) records a seizure, provisional seizure or auction (the register keeps cancelled entries struck through; this reads them as recorded).',
    inputs: { ownership: { type: 'array', description: 'ownership registrations { purpose, ... }' } },
    args: noArgs,
    evaluate: (inputs) =>
      arrayInput('title_seized', 'ownership', inputs).some((r) =>
        SEIZURES.includes(String(field(r, 'purpose'))),
      ),
  }),
  define<Record<string, never>>({
    name: 'valid_today',
    description: 'A validity or entitlement period has not ended: its end date is today or later.',
    inputs: { validUntil: { type: 'string', description: 'last day of validity (YYYY-MM-DD)' } },
    args: noArgs,
    evaluate: (inputs, _args, now) => {
      const until = isoDate(inputs['validUntil']);
      if (until === undefined) throw new PredicateInputError('valid_today', 'validUntil');
      return until >= calendarDate(now);
    },
  }),
  define<{ value: boolean }>({
    name: 'flag_is',
    description:
      'A yes/no field of the record has the given `value` (e.g. ID card valid, licence not revoked).',
    inputs: { flag: { type: 'boolean', description: 'the yes/no field' } },
    args: argsOf({ value: { type: 'boolean' } }),
    evaluate: (inputs, { value }) => flagInput('flag_is', 'flag', inputs) === value,
  }),
  define<{ values: string[] }>({
    name: 'status_in',
    description:
      'A coded field of the record is one of `values` (e.g. licence status valid, service completed).',
    inputs: { status: { type: 'string', description: 'the coded field' } },
    args: argsOf({
      values: {
        type: 'array',
        minItems: 1,
        maxItems: 20,
        uniqueItems: true,
        items: { type: 'string', minLength: 1, maxLength: 100 },
      },
    }),
    evaluate: (inputs, { values }) => {
      const status = inputs['status'];
      if (typeof status !== 'string') throw new PredicateInputError('status_in', 'status');
      return values.includes(status);
    },
  }),
];

export type PredicateRegistry = ReadonlyMap<string, PredicateDefinition>;

export const predicates: PredicateRegistry = new Map(definitions.map((d) => [d.name, d]));
