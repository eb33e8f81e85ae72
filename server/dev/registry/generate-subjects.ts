import { brnCheckDigit, crnCheckDigit } from '../../catalog/identifiers/business-number.js';
import { frnCheckDigit, rrnCheckDigit } from '../../catalog/identifiers/registration-number.js';
import { imoCheckDigit, SHIP_PORT_CODES } from '../../catalog/identifiers/ship.js';
import { USAGE_LETTERS, vinCheckCharacter } from '../../catalog/identifiers/vehicle.js';
import {
  DISTRICTS,
  GIVEN_FIRST,
  GIVEN_SECOND,
  SURNAMES,
  TRADE_NAME_PARTS,
  type District,
} from './generate-pools.js';
import { Random, daysFromIsoDate, isoDateFromDays, padNumber } from './generate-random.js';

export const DEFAULT_SEED = 20_240_601;

export type Sex = 'male' | 'female';
export type HouseholdRole = 'head' | 'spouse' | 'child';

export interface SyntheticAddress {
  readonly province: string;
  readonly district: string;
  readonly dong: string;
  readonly road: string;
  readonly buildingNumber: number;
  readonly full: string;
  /** Parcel number of the building site (valid PNU). */
  readonly parcelNumber: string;
  readonly plateRegion: string;
}

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
  readonly representativeIndex: number;
  readonly address: SyntheticAddress;
}

export type SyntheticSubject = SyntheticPerson | SyntheticCorporation;

// Households of four: head, spouse, two children. Members share the address.
const HOUSEHOLD_SIZE = 4;
const EPOCH_1945 = daysFromIsoDate('1945-01-01');
const EPOCH_1992 = daysFromIsoDate('1992-01-01');
const LAST_CHILD_BIRTH = daysFromIsoDate('2023-12-31');
const SALT_HOUSEHOLD = 0x686f7573;
const SALT_CORPORATION = 0x636f7270;

function syntheticAddress(rng: Random, index: number): SyntheticAddress {
  const district = DISTRICTS[rng.int(DISTRICTS.length)] as District;
  const [dong, dongCode] = rng.pick(district.dongs);
  const road = rng.pick(district.roads);
  const buildingNumber = 1 + rng.int(400);
  // Lot numbers are spread by the index so parcels of different subjects rarely coincide.
  const mainLot = 1 + (index % 9000);
  const subLot = rng.int(30);
  return {
    province: district.province,
    district: district.name,
    dong,
    road,
    buildingNumber,
    full: `${district.province} ${district.name} ${road} ${buildingNumber} (${dong})`,
    parcelNumber: `${district.code}${dongCode}1${padNumber(mainLot, 4)}${padNumber(subLot, 4)}`,
    plateRegion: district.plateRegion,
  };
}

interface Household {
  readonly headBirth: number;
  readonly address: SyntheticAddress;
}

// Seeding walks indices in order, so the four members of a household arrive together; remembering
// the last household saves three of every four address computations. Still a pure function.
let lastHousehold: { key: string; value: Household } | undefined;

function householdOf(household: number, seed: number): Household {
  const key = `${seed}:${household}`;
  if (lastHousehold?.key === key) return lastHousehold.value;
  const home = new Random(seed, household, SALT_HOUSEHOLD);
  const headBirth = EPOCH_1945 + home.int(EPOCH_1992 - EPOCH_1945);
  const value = { headBirth, address: syntheticAddress(home, household) };
  lastHousehold = { key, value };
  return value;
}

/**
 * Synthetic person number i. RRNs are unique for the first 1.6 M indices: persons with the same
 * i mod 100 000 share the serial digits, so their birth dates are forced apart (mod 16 days).
 */
export function syntheticPerson(index: number, seed: number = DEFAULT_SEED): SyntheticPerson {
  const household = Math.floor(index / HOUSEHOLD_SIZE);
  const slot = index % HOUSEHOLD_SIZE;
  const { headBirth, address } = householdOf(household, seed);
  const rng = new Random(seed, index);

  const role: HouseholdRole = slot === 0 ? 'head' : slot === 1 ? 'spouse' : 'child';
  const headMale = (household & 1) === 0;
  const sex: Sex =
    role === 'head'
      ? headMale
        ? 'male'
        : 'female'
      : role === 'spouse'
        ? headMale
          ? 'female'
          : 'male'
        : rng.chance(0.5)
          ? 'male'
          : 'female';
  let days =
    role === 'child'
      ? Math.min(headBirth + 9000 + rng.int(4000), LAST_CHILD_BIRTH)
      : headBirth + rng.int(2000) - 1000;
  const group = Math.floor(index / 100_000) % 16;
  days = days - (((days % 16) + 16) % 16) + group;

  const birthDate = isoDateFromDays(days);
  const year = Number(birthDate.slice(0, 4));
  const genderDigit = (year >= 2000 ? 3 : 1) + (sex === 'male' ? 0 : 1);
  const first12 = `${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${birthDate.slice(8, 10)}${genderDigit}${padNumber(index % 100_000, 5)}`;

  const [surname, surnameRoman] = SURNAMES[rng.int(SURNAMES.length)] as readonly [string, string];
  const [g1, r1] = rng.pick(GIVEN_FIRST[sex]);
  const [g2, r2] = rng.pick(GIVEN_SECOND[sex]);
  return {
    kind: 'person',
    index,
    seed,
    name: surname + g1 + g2,
    nameRomanised: `${surnameRoman} ${r1}${r2}`,
    sex,
    birthDate,
    rrn: first12 + rrnCheckDigit(first12),
    household,
    householdRole: role,
    address,
  };
}

/** Synthetic corporation number i; BRN and CRN are unique for the first 9 M indices. */
export function syntheticCorporation(index: number, seed: number = DEFAULT_SEED): SyntheticCorporation {
  const rng = new Random(seed, index, SALT_CORPORATION);
  const taxOffice = 101 + (Math.floor(index / 10_000) % 899);
  const brn9 = `${taxOffice}81${padNumber(index % 10_000, 4)}`;
  const crn12 = `${1101 + (Math.floor(index / 1_000_000) % 50)}11${padNumber(index % 1_000_000, 6)}`;
  const incorporation = daysFromIsoDate('1970-01-01') + rng.int(19_000);
  return {
    kind: 'corporation',
    index,
    seed,
    tradeName: `${rng.pick(TRADE_NAME_PARTS.form)}${rng.pick(TRADE_NAME_PARTS.prefix)}${rng.pick(TRADE_NAME_PARTS.suffix)}`,
    brn: brn9 + brnCheckDigit(brn9),
    crn: crn12 + crnCheckDigit(crn12),
    incorporationDate: isoDateFromDays(incorporation),
    representativeIndex: index * HOUSEHOLD_SIZE,
    address: syntheticAddress(rng, index),
  };
}

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
