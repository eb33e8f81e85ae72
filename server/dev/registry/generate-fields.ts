import type { FieldSchema, ItemSchema, RecordSchema } from '../../catalog/catalog.types.js';
import {
  BUSINESS_ITEMS,
  BUSINESS_TYPES,
  COMPLEX_NAMES,
  FOREIGN_ADDRESSES,
  KSIC_CODES,
  MODEL_NAMES,
  ORGANISATION_NAMES,
  SCHOOL_NAMES,
  SHIP_NAMES,
  WORDS,
} from './generate-pools.js';
import { Random, isoDateFromDays, padNumber } from './generate-random.js';
import {
  foreignerNumberFor,
  syntheticPerson,
  type SyntheticCorporation,
  type SyntheticPerson,
} from './generate-subjects.js';

/** What the filler knows about the record being generated. */
export interface FillContext {
  readonly rng: Random;
  readonly person: SyntheticPerson;
  readonly corporation: SyntheticCorporation;
  readonly identifiers: {
    readonly parcelNumber: string;
    readonly vehicleRegistrationNumber: string;
    readonly vin: string;
    readonly shipNumber: string;
    readonly imoNumber: string;
    readonly applicationNumber: string;
  };
  /** Counter for relatives and other people who appear in the record. */
  related: number;
  /** Days (since 1970) between which the subject's past events fall. */
  readonly dates: { readonly from: number; readonly to: number };
}

type Schema = FieldSchema | ItemSchema;
type Hint = (ctx: FillContext, person: SyntheticPerson) => unknown;

// Ends of validity, due dates and the like lie after the reference day, within five years.
const FUTURE_KEY = /(Until|until|expiryDate|DueDate|dueDate)$/;
const OPTIONAL_PRESENT = 0.7;
// Object properties whose value is about the record's own subject rather than a relative.
const SELF_KEYS = new Set(['subject', 'adoptee', 'owner']);

const PORTS = ['부산항', '인천항', '목포항', '여수항', '포항항', '울산항', '제주항'];
const CLANS = ['김해', '밀양', '전주', '경주', '안동', '광산', '진주', '청주', '파평', '남양'];

const maskRrn = (rrn: string): string => `${rrn.slice(0, 6)}-${rrn.charAt(6)}******`;
const maskMiddle = (name: string): string =>
  name.length < 3 ? `${name.charAt(0)}*` : `${name.charAt(0)}*${name.slice(2)}`;

const HINTS: Record<string, Hint> = {
  residentRegistrationNumber: (_c, p) => p.rrn,
  foreignerRegistrationNumber: (_c, p) => foreignerNumberFor(p),
  registrationNumberMasked: (_c, p) => maskRrn(p.rrn),
  holderRegistrationNumberMasked: (_c, p) => maskRrn(p.rrn),
  headNameMasked: (_c, p) => maskMiddle(p.name),
  nameRomanised: (_c, p) => p.nameRomanised.toUpperCase(),
  birthDate: (_c, p) => p.birthDate,
  sex: (_c, p) => p.sex,
  businessRegistrationNumber: (c) => c.corporation.brn,
  corporateRegistrationNumber: (c) => c.corporation.crn,
  tradeName: (c) => c.corporation.tradeName,
  companyName: (c) => c.corporation.tradeName,
  workplaceName: (c) => c.corporation.tradeName,
  payerName: (c) => c.corporation.tradeName,
  headOffice: (c) => c.corporation.address.full,
  businessAddress: (c) => c.corporation.address.full,
  factoryAddress: (c) => c.corporation.address.full,
  workplaceManagementNumber: (c) => `${c.corporation.brn}0`,
  mortgageeName: (c) => c.rng.pick(ORGANISATION_NAMES),
  rightHolderName: (c) => c.rng.pick(ORGANISATION_NAMES),
  parcelNumber: (c) => c.identifiers.parcelNumber,
  vehicleRegistrationNumber: (c) => c.identifiers.vehicleRegistrationNumber,
  vin: (c) => c.identifiers.vin,
  shipNumber: (c) => c.identifiers.shipNumber,
  imoNumber: (c) => c.identifiers.imoNumber,
  applicationNumber: (c) => c.identifiers.applicationNumber,
  shipName: (c) => c.rng.pick(SHIP_NAMES),
  modelName: (c) => c.rng.pick(MODEL_NAMES),
  buildingName: (c) => c.rng.pick(COMPLEX_NAMES),
  complexName: (c) => c.rng.pick(COMPLEX_NAMES),
  schoolName: (c) => c.rng.pick(SCHOOL_NAMES),
  institutionName: (c) => `${c.person.address.district} 지역자활센터`,
  addressAbroad: (c) => c.rng.pick(FOREIGN_ADDRESSES),
  location: (c) =>
    `${c.person.address.province} ${c.person.address.district} ${c.person.address.dong} ${Number(c.identifiers.parcelNumber.slice(11, 15))}`,
  siteLocation: (c) =>
    `${c.person.address.province} ${c.person.address.district} ${c.person.address.dong} ${Number(c.identifiers.parcelNumber.slice(11, 15))}`,
  roadAddress: (_c, p) => p.address.full,
  passportNumber: (c) => `M${padNumber(c.rng.int(100_000_000), 8)}`,
  licenceNumber: (c) =>
    `${padNumber(11 + c.rng.int(18), 2)}-${padNumber(c.rng.int(100), 2)}-${padNumber(c.rng.int(1_000_000), 6)}-${padNumber(c.rng.int(100), 2)}`,
  registrationBase: (_c, p) => `${p.address.province} ${p.address.district}`,
  permanentDomicile: (_c, p) => `${p.address.province} ${p.address.district}`,
  clan: (c) => c.rng.pick(CLANS),
  lotNumber: (c) => {
    const main = Number(c.identifiers.parcelNumber.slice(11, 15));
    const sub = Number(c.identifiers.parcelNumber.slice(15));
    return sub ? `${main}-${sub}` : String(main);
  },
  baseLocation: (_c, p) => p.address.full,
  authority: (c, p) =>
    c.rng.pick([`${p.address.district}청`, `${p.address.district} 세무서`, '국민건강보험공단']),
  issuingAuthority: (_c, p) => p.address.province,
  educationOffice: (_c, p) => `${p.address.province}교육청`,
  portOfRegistry: (c) => c.rng.pick(PORTS),
  homePort: (c) => c.rng.pick(PORTS),
  mission: (c) =>
    c.rng.pick(['주로스앤젤레스 총영사관', '주일본국 대사관', '주시드니 총영사관', '주밴쿠버 총영사관']),
  builder: (c) => c.rng.pick(['현대중공업', '삼성중공업', '한화오션', '대선조선']),
  manufacturer: (c) => c.rng.pick(['현대건설기계', 'HD현대인프라코어', '볼보그룹코리아', '두산산업차량']),
  callSign: (c) => `D${String.fromCharCode(65 + c.rng.int(26))}${padNumber(c.rng.int(10_000), 4)}`,
  share: (c) => c.rng.pick(['1/1', '1/2', '1/3', '2/3']),
  industryCodes: (c) => c.rng.pick(KSIC_CODES),
  businessTypes: (c) => c.rng.pick(BUSINESS_TYPES),
  businessItems: (c) => c.rng.pick(BUSINESS_ITEMS),
};

const ADDRESS_KEYS = /^(address|residenceAddress|lastDomesticAddress|ownerAddress)$/;

function personFor(ctx: FillContext, key: string, current: SyntheticPerson): SyntheticPerson {
  if (SELF_KEYS.has(key)) return ctx.person;
  ctx.related += 1;
  // Other people named in a record come from the subject's own block of four (already generated),
  // so their numbers are valid and they exist in the population.
  const start = ctx.person.index - (ctx.person.index % 4);
  return syntheticPerson(start + ((ctx.person.index - start + ctx.related) % 4), current.seed);
}

function fillString(schema: Schema, key: string, ctx: FillContext, person: SyntheticPerson): string {
  if (schema.enum) return String(ctx.rng.pick(schema.enum));
  if (schema.format === 'date' || schema.format === 'date-time') {
    const { from, to } = ctx.dates;
    const day = FUTURE_KEY.test(key)
      ? to + 1 + ctx.rng.int(1_800)
      : from + ctx.rng.int(Math.max(1, to - from));
    return schema.format === 'date' ? isoDateFromDays(day) : `${isoDateFromDays(day)}T09:00:00Z`;
  }
  if (ADDRESS_KEYS.test(key)) return person.address.full;
  if (key === 'name' || key.endsWith('Name') || key === 'nameKorean') return person.name;
  if (schema.pattern)
    throw new Error(`The synthetic registry has no generator for patterned field "${key}".`);
  return ctx.rng.pick(WORDS);
}

const YEAR_KEY = /(^y|Y)ear$/;

function fillNumber(schema: Schema, key: string, ctx: FillContext, integer: boolean): number {
  if (schema.enum) return Number(ctx.rng.pick(schema.enum));
  // Years within the synthetic history rather than anywhere the schema allows.
  if (YEAR_KEY.test(key)) {
    const first = Number(isoDateFromDays(ctx.dates.from).slice(0, 4));
    const last = Number(isoDateFromDays(ctx.dates.to).slice(0, 4));
    return Math.max(
      schema.minimum ?? first,
      Math.min(schema.maximum ?? last, first + ctx.rng.int(last - first + 1)),
    );
  }
  const min = schema.minimum ?? 0;
  const amount = schema.description?.includes('KRW') ?? false;
  const cap = amount ? 500_000_000 : 1000;
  const max = Math.min(schema.maximum ?? min + cap, min + cap, Math.max(min, 0) + cap);
  const low = Math.max(min, amount && min < 0 ? -100_000_000 : min);
  if (integer) return low + ctx.rng.int(Math.max(1, max - low + 1));
  return Math.round((low + (ctx.rng.next() / 4294967296) * (max - low)) * 100) / 100;
}

export function fillValue(schema: Schema, key: string, ctx: FillContext, person: SyntheticPerson): unknown {
  const hint = HINTS[key];
  if (hint && schema.type !== 'array' && schema.type !== 'object') {
    const value = hint(ctx, person);
    if (!schema.enum || schema.enum.includes(value as string)) return value;
  }
  switch (schema.type) {
    case 'string':
      return fillString(schema, key, ctx, person);
    case 'integer':
      return fillNumber(schema, key, ctx, true);
    case 'number':
      return fillNumber(schema, key, ctx, false);
    case 'boolean':
      return ctx.rng.chance(0.5);
    case 'object':
      return fillObject(schema, ctx, personFor(ctx, key, person));
    case 'array': {
      const items = schema.items as ItemSchema;
      const count = Math.max(schema.minItems ?? 1, 1 + ctx.rng.int(3));
      const out: unknown[] = [];
      for (let i = 0; i < count; i++) {
        if (items.type === 'object') out.push(fillObject(items, ctx, personFor(ctx, key, person)));
        else out.push(hint ? hint(ctx, person) : fillValue(items, key, ctx, person));
      }
      return out;
    }
  }
}

export function fillObject(
  schema: Schema | RecordSchema,
  ctx: FillContext,
  person: SyntheticPerson,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [key, field] of Object.entries(schema.properties ?? {})) {
    if (!required.has(key) && !ctx.rng.chance(OPTIONAL_PRESENT)) continue;
    out[key] = fillValue(field, key, ctx, person);
  }
  return out;
}
