/**
 * Yes/no facts we compute from a record so a requester learns the answer, never the value
 * (DESIGN §8). Each predicate declares the record fields it reads (its inputs, overridable per rule
 * with `from`), a JSON Schema for its arguments (checked when policies load), and takes the clock
 * as an argument so answers are reproducible in tests and audits.
 */
import { ageOn, isoDate, periodCovers } from './dates.js';

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
  define<Record<string, never>>({
    name: 'business_active',
    description: 'The business is operating (not suspended or closed).',
    inputs: { businessStatus: { type: 'string', description: 'active | suspended | closed' } },
    args: noArgs,
    evaluate: (inputs) => inputs['businessStatus'] === 'active',
  }),
  define<Record<string, never>>({
    name: 'tax_arrears',
    description: 'The taxpayer owes overdue national tax.',
    inputs: { arrearsAmount: { type: 'integer', description: 'overdue tax in KRW' } },
    args: noArgs,
    evaluate: (inputs) => numberInput('tax_arrears', 'arrearsAmount', inputs) > 0,
  }),
  define<Record<string, never>>({
    name: 'disability_registered',
    description: 'The person is on the disability register today.',
    inputs: {
      disabilityRegistration: {
        type: 'object',
        description: '{ registeredOn, cancelledOn? } of the registration',
      },
    },
    args: noArgs,
    evaluate: (inputs, _args, now) => {
      const reg = inputs['disabilityRegistration'];
      if (isoDate(field(reg, 'registeredOn')) === undefined) {
        throw new PredicateInputError('disability_registered', 'disabilityRegistration');
      }
      return periodCovers(field(reg, 'registeredOn'), field(reg, 'cancelledOn'), now);
    },
  }),
  define<Record<string, never>>({
    name: 'insured_now',
    description: 'The person has national health insurance coverage today.',
    inputs: { coveragePeriods: { type: 'array', description: 'periods { from, until? } of coverage' } },
    args: noArgs,
    evaluate: (inputs, _args, now) =>
      arrayInput('insured_now', 'coveragePeriods', inputs).some((p) =>
        periodCovers(field(p, 'from'), field(p, 'until'), now),
      ),
  }),
  define<{ pnu: string }>({
    name: 'owns_parcel',
    description: 'The subject owns the parcel with land identifier `pnu`.',
    inputs: { parcels: { type: 'array', description: 'owned parcels, each { pnu, ... }' } },
    args: argsOf({ pnu: { type: 'string', pattern: '^[0-9]{19}$' } }),
    evaluate: (inputs, { pnu }) =>
      arrayInput('owns_parcel', 'parcels', inputs).some((p) => field(p, 'pnu') === pnu),
  }),
  define<{ n: number }>({
    name: 'household_size_gte',
    description: 'The household (head included) has at least `n` members.',
    inputs: { householdMembers: { type: 'array', description: 'members of the household, head included' } },
    args: argsOf({ n: { type: 'integer', minimum: 1, maximum: 100 } }),
    evaluate: (inputs, { n }) => arrayInput('household_size_gte', 'householdMembers', inputs).length >= n,
  }),
  define<{ amount: number }>({
    name: 'income_below',
    description: 'Assessed annual income is below `amount` KRW.',
    inputs: { annualIncome: { type: 'integer', description: 'assessed annual income in KRW' } },
    args: argsOf({ amount: { type: 'number', minimum: 0 } }),
    evaluate: (inputs, { amount }) => numberInput('income_below', 'annualIncome', inputs) < amount,
  }),
  define<Record<string, never>>({
    name: 'vehicle_seized',
    description: 'A seizure (압류) on the vehicle is in force today.',
    inputs: { seizures: { type: 'array', description: 'seizures { registeredOn, releasedOn? }' } },
    args: noArgs,
    evaluate: (inputs, _args, now) =>
      arrayInput('vehicle_seized', 'seizures', inputs).some((s) =>
        periodCovers(field(s, 'registeredOn'), field(s, 'releasedOn'), now),
      ),
  }),
  define<{ date: string }>({
    name: 'resident_since_before',
    description: 'The subject moved in to the current address before `date` (e.g. residence requirements).',
    inputs: { moveInDate: { type: 'string', description: 'move-in date at the current address' } },
    args: argsOf({ date: { type: 'string', format: 'date' } }),
    evaluate: (inputs, { date }) => {
      const moved = isoDate(inputs['moveInDate']);
      if (moved === undefined) throw new PredicateInputError('resident_since_before', 'moveInDate');
      return moved < date;
    },
  }),
];

export type PredicateRegistry = ReadonlyMap<string, PredicateDefinition>;

export const predicates: PredicateRegistry = new Map(definitions.map((d) => [d.name, d]));
