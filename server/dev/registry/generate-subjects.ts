import { brnCheckDigit, crnCheckDigit } from '../../catalog/identifiers/business-number.js';
import { frnCheckDigit } from '../../catalog/identifiers/registration-number.js';
import { imoCheckDigit, SHIP_PORT_CODES } from '../../catalog/identifiers/ship.js';
import { USAGE_LETTERS, vinCheckCharacter } from '../../catalog/identifiers/vehicle.js';
import { TRADE_NAME_PARTS } from './generate-pools.js';
import { Random, isoDateFromDays, padNumber } from './generate-random.js';
import { REFERENCE_DAY, daysFromIsoDate, plusYears } from './population/calendar.js';
import { householdOf, type HouseholdRole, type Sex } from './population/households.js';
import { addressOfParcel, parcelNumberFor, type SyntheticAddress } from './population/parcels.js';

export type { HouseholdRole, Sex } from './population/households.js';
export type { SyntheticAddress } from './population/parcels.js';

export const DEFAULT_SEED = 20_240_601;

export interface SyntheticPerson {
  readonly kind: 'person';
  readonly index: number;
  readonly seed: number;
  readonly name: string;
  readonly nameRomanised: string;
  readonly sex: Sex;
  readonly birthDate: string;
  /** Canonical resident registration number, legacy check digit valid. */
  readonly rrn: string;
  /** Index of the household's head. */
  readonly household: number;
  readonly householdRole: HouseholdRole;
  readonly address: SyntheticAddress;
}

export interface SyntheticCorporation {
  readonly kind: 'corporation';
  readonly index: number;
  readonly seed: number;
  readonly tradeName: string;
  readonly brn: string;
  readonly crn: string;
  readonly incorporationDate: string;
  /** The founder and representative: the head of block `index` (person 4 × index), an adult. */
  readonly representativeIndex: number;
  readonly address: SyntheticAddress;
}

export type SyntheticSubject = SyntheticPerson | SyntheticCorporation;

const SALT_CORPORATION = 0x636f7270;
const EPOCH_1970 = daysFromIsoDate('1970-01-01');

/**
 * Synthetic person number i, a member of the household generated for their block of four.
 * RRNs are unique for the first 1.6 M indices (see rrnDay in population/households.ts).
 */
export function syntheticPerson(index: number, seed: number = DEFAULT_SEED): SyntheticPerson {
  const { household, member } = householdOf(index, seed);
  return {
    kind: 'person',
    index,
    seed,
    name: member.name,
    nameRomanised: member.nameRomanised,
    sex: member.sex,
    birthDate: member.birthDate,
    rrn: member.rrn,
    household: household.id,
    householdRole: member.role,
    address: household.address,
  };
}

/** Business and corporate registration numbers of corporation i (unique for the first 9 M). */
export function corporationNumbers(index: number): { brn: string; crn: string } {
  const taxOffice = 101 + (Math.floor(index / 10_000) % 899);
  const brn9 = `${taxOffice}81${padNumber(index % 10_000, 4)}`;
  const crn12 = `${1101 + (Math.floor(index / 1_000_000) % 50)}11${padNumber(index % 1_000_000, 6)}`;
  return { brn: brn9 + brnCheckDigit(brn9), crn: crn12 + crnCheckDigit(crn12) };
}

export const tradeNameFor = (rng: Random): string =>
  `${rng.pick(TRADE_NAME_PARTS.form)}${rng.pick(TRADE_NAME_PARTS.prefix)}${rng.pick(TRADE_NAME_PARTS.suffix)}`;

const recentCorporations = new Map<string, SyntheticCorporation>();

/** Synthetic corporation number i; BRN and CRN are unique for the first 9 M indices. */
export function syntheticCorporation(index: number, seed: number = DEFAULT_SEED): SyntheticCorporation {
  const key = `${seed}:${index}`;
  const known = recentCorporations.get(key);
  if (known) return known;
  const rng = new Random(seed, index, SALT_CORPORATION);
  const { brn, crn } = corporationNumbers(index);
  const founder = householdOf(index * 4, seed).member;
  // Founded once the representative was 20 (heads are at least 19, so never under 18), not before 1970.
  const from = Math.max(EPOCH_1970, Math.min(plusYears(founder.birth, 20), REFERENCE_DAY - 30));
  const incorporation = from + rng.int(Math.max(1, REFERENCE_DAY - 30 - from));
  const corporation: SyntheticCorporation = {
    kind: 'corporation',
    index,
    seed,
    tradeName: tradeNameFor(rng),
    brn,
    crn,
    incorporationDate: isoDateFromDays(incorporation),
    representativeIndex: index * 4,
    address: addressOfParcel(parcelNumberFor('business', index)),
  };
  if (recentCorporations.size >= 256) recentCorporations.delete(recentCorporations.keys().next().value!);
  recentCorporations.set(key, corporation);
  return corporation;
}

/** Day corporation c was incorporated. */
export const incorporationDay = (c: number, seed: number): number =>
  daysFromIsoDate(syntheticCorporation(c, seed).incorporationDate);

/** A foreigner registration number for the person, for record types keyed by one. */
export function foreignerNumberFor(person: SyntheticPerson): string {
  const g = (person.birthDate < '2000' ? 5 : 7) + (person.sex === 'male' ? 0 : 1);
  const first12 = `${person.rrn.slice(0, 6)}${g}${person.rrn.slice(7, 12)}`;
  return first12 + frnCheckDigit(first12);
}

/** The business a person runs as sole proprietor (BRN type code 01–79 marks individuals). */
export function businessNumberForPerson(person: SyntheticPerson): string {
  const brn9 = `${101 + (Math.floor(person.index / 100_000) % 899)}${padNumber(1 + (person.index % 79), 2)}${padNumber(Math.floor(person.index / 79) % 10_000, 4)}`;
  return brn9 + brnCheckDigit(brn9);
}

/** Object identifiers of things a subject owns, derived from its index. */
export function vehiclePlateFor(index: number): string {
  const serial = 1 + (index % 9999);
  const rest = Math.floor(index / 9999);
  const letter = USAGE_LETTERS.charAt(rest % 32);
  const type = 100 + (Math.floor(rest / 32) % 600);
  return `${type}${letter}${padNumber(serial, 4)}`;
}

const VIN_YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';
const VIN_PLANTS = 'AUCS';

export function vinFor(index: number): string {
  const vds = `D${'ABCDEFGH'.charAt(index % 8)}${'123456789'.charAt(index % 9)}1${'ABCDEFGH'.charAt(Math.floor(index / 8) % 8)}`;
  const year = VIN_YEAR_CODES.charAt(index % VIN_YEAR_CODES.length);
  const draft = `KMH${vds}0${year}${VIN_PLANTS.charAt(index % 4)}${padNumber(index % 1_000_000, 6)}`;
  return draft.slice(0, 8) + vinCheckCharacter(draft) + draft.slice(9);
}

export function shipNumberFor(index: number): string {
  const port = SHIP_PORT_CODES[index % SHIP_PORT_CODES.length] as string;
  const year = padNumber(Math.floor(index / SHIP_PORT_CODES.length) % 100, 2);
  return `${port}-${year}${padNumber(1 + (Math.floor(index / 1200) % 9999), 4)}`;
}

export function imoFor(index: number): string {
  const first6 = `9${padNumber(index % 100_000, 5)}`;
  return first6 + imoCheckDigit(first6);
}

export function ipApplicationNumberFor(index: number, rightCode = '10'): string {
  return `${rightCode}${2000 + (index % 24)}${padNumber(1 + (index % 9_999_999), 7)}`;
}
