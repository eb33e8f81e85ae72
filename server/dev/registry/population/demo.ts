/**
 * The dev identity provider's demo citizens inside the population: each heads the first household
 * of their own block, far above any seeded index, with their published name, birth date, sex and
 * national ID; the rest of their household is generated around them like anyone else's.
 */
import { DEMO_CITIZENS } from '../../demo-identities.js';
import { SURNAMES } from '../generate-pools.js';
import { daysFromIsoDate } from './calendar.js';
import type { HouseholdRole, Identity, Sex } from './people.js';

export const DEMO_INDEX_BASE = 1_900_000_000;

/** Korean names of the demo citizens, by login. */
export const DEMO_NAMES: Readonly<Record<string, readonly [string, string]>> = {
  'citizen-minjun': ['김민준', 'KIM MINJUN'],
  'citizen-seoyeon': ['이서연', 'LEE SEOYEON'],
  'citizen-jihoon': ['박지훈', 'PARK JIHOON'],
  'citizen-haeun': ['최하은', 'CHOI HAEUN'],
  'citizen-dohyun': ['정도현', 'JUNG DOHYUN'],
  'citizen-youngsook': ['강영숙', 'KANG YOUNGSOOK'],
};

type Shape = readonly (readonly HouseholdRole[])[];

// Households that fit each demo citizen's age: a single father living with his two children and
// his mother, a young couple with a baby, students living alone, a family of four, a couple.
const SHAPES: Readonly<Record<string, Shape>> = {
  'citizen-minjun': [['head', 'child', 'child', 'parent']],
  'citizen-seoyeon': [['head', 'spouse', 'child'], ['head']],
  'citizen-jihoon': [['head'], ['head'], ['head'], ['head']],
  'citizen-haeun': [['head'], ['head'], ['head'], ['head']],
  'citizen-dohyun': [['head', 'spouse', 'child', 'child']],
  'citizen-youngsook': [['head', 'spouse'], ['head'], ['head']],
};

export interface DemoHead {
  readonly login: string;
  /** Position among the demo citizens. */
  readonly number: number;
  readonly shape: Shape;
  readonly sex: Sex;
  readonly birth: number;
  readonly identity: Identity;
  readonly surnameIndex: number;
}

const CITIZENS = DEMO_CITIZENS.filter((c) => c.national_id);

const HEADS: readonly DemoHead[] = CITIZENS.map((citizen, number) => {
  const rrn = citizen.national_id!;
  const [name, nameRomanised] = DEMO_NAMES[citizen.sub] ?? [
    citizen.name,
    citizen.name.toUpperCase().replace(/-/g, ''),
  ];
  const g = Number(rrn.charAt(6));
  const century = g === 9 || g === 0 ? '18' : g <= 2 || g === 5 || g === 6 ? '19' : '20';
  const birthDate = citizen.birthdate ?? `${century}${rrn.slice(0, 2)}-${rrn.slice(2, 4)}-${rrn.slice(4, 6)}`;
  const sex: Sex = g % 2 === 1 ? 'male' : 'female';
  const surnameIndex = Math.max(
    0,
    SURNAMES.findIndex(([ko]) => name.startsWith(ko)),
  );
  return {
    login: citizen.sub,
    number,
    shape: SHAPES[citizen.sub] ?? [['head'], ['head'], ['head'], ['head']],
    sex,
    birth: daysFromIsoDate(birthDate),
    identity: { name, nameRomanised, sex, birthDate, rrn },
    surnameIndex,
  };
});

/** Index of the n-th demo citizen. */
export const demoIndex = (n: number): number => DEMO_INDEX_BASE + n * 4;

export const DEMO_HEADS = HEADS;

/** The demo citizen heading the block starting at `start`, if any. */
export function demoHead(start: number): DemoHead | undefined {
  if (start < DEMO_INDEX_BASE || (start - DEMO_INDEX_BASE) % 4 !== 0) return undefined;
  return HEADS[(start - DEMO_INDEX_BASE) / 4];
}
