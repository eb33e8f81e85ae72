/**
 * Persons as members of households. Indices come in blocks of four consecutive persons; a block's
 * seed picks how the four are split into households (a family of four, a couple and a single, four
 * singles …) and tells each household's story: the head's birth, the spouse's, the marriage, the
 * children born after it, a grandparent who moved in. Any person is regenerated from (seed, index)
 * by regenerating their block, so nothing is stored per person.
 */
import { rrnCheckDigit } from '../../../catalog/identifiers/registration-number.js';
import { GIVEN_FIRST, GIVEN_SECOND, SURNAMES } from '../generate-pools.js';
import { Random, padNumber } from '../generate-random.js';
import { REFERENCE_DAY, isoDateFromDays, plusYears } from './calendar.js';
import { demoHead, type DemoHead } from './demo.js';
import type { HouseholdRole, Identity, Sex } from './people.js';
import { addressOfParcel, parcelNumberFor, type SyntheticAddress } from './parcels.js';

export type { HouseholdRole, Identity, Sex };

export interface Member extends Identity {
  readonly index: number;
  readonly role: HouseholdRole;
  /** Birth as days since 1970-01-01. */
  readonly birth: number;
  /** Day the member was entered at the household's address. */
  readonly movedIn: number;
  readonly movedInReason: 'move-in' | 'birth' | 'marriage' | 'household-split' | 'household-merge';
  readonly surnameIndex: number;
}

export interface Household {
  /** The head's index. */
  readonly id: number;
  readonly members: readonly Member[];
  readonly address: SyntheticAddress;
  readonly formed: number;
  /** Head and spouse's wedding day. */
  readonly marriage?: number;
  /** A single parent's dissolved marriage to the children's other parent (not in the registry). */
  readonly former?: {
    readonly married: number;
    readonly divorced: number;
    readonly partner: Identity & { readonly surnameIndex: number };
  };
}

type Shape = readonly (readonly HouseholdRole[])[];

const SHAPES: readonly [number, Shape][] = [
  [30, [['head', 'spouse', 'child', 'child']]],
  [10, [['head', 'spouse', 'child', 'parent']]],
  [12, [['head', 'spouse', 'child'], ['head']]],
  [8, [['head', 'child', 'child'], ['head']]],
  [
    12,
    [
      ['head', 'spouse'],
      ['head', 'spouse'],
    ],
  ],
  [14, [['head', 'spouse'], ['head'], ['head']]],
  [14, [['head'], ['head'], ['head'], ['head']]],
];
const SHAPE_TOTAL = SHAPES.reduce((n, [w]) => n + w, 0);

const SALT_BLOCK = 0x626c6b31;
const DAY = 1;
const YEAR = 365;

export function blockShape(rng: Random): Shape {
  let r = rng.int(SHAPE_TOTAL);
  for (const [w, shape] of SHAPES) {
    if (r < w) return shape;
    r -= w;
  }
  return SHAPES[0]![1];
}

/** Birth day for someone aged between min and max (inclusive) on the reference day. */
function bornAged(rng: Random, min: number, max: number): number {
  const youngest = plusYears(REFERENCE_DAY, -min);
  const oldest = plusYears(REFERENCE_DAY, -(max + 1)) + DAY;
  return oldest + rng.int(youngest - oldest + 1);
}

const between = (rng: Random, lo: number, hi: number): number => (hi <= lo ? lo : lo + rng.int(hi - lo + 1));

/**
 * RRNs reuse the serial digits every 100 000 indices; moving each birth to the day ≡ group
 * (mod 16) keeps them unique for the first 1.6 M indices. The shift is at most 15 days either way.
 */
function rrnDay(day: number, index: number): number {
  const group = Math.floor(index / 100_000) % 16;
  return day - (((day % 16) + 16) % 16) + group;
}

export function rrnFor(birthDate: string, sex: Sex, serial: number): string {
  const century = Number(birthDate.slice(0, 4)) >= 2000 ? 3 : 1;
  const first12 = `${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${birthDate.slice(8, 10)}${century + (sex === 'male' ? 0 : 1)}${padNumber(serial % 100_000, 5)}`;
  return first12 + rrnCheckDigit(first12);
}

export function identityFor(
  rng: Random,
  sex: Sex,
  birth: number,
  serial: number,
  surnameIndex = rng.int(SURNAMES.length),
): Identity & { surnameIndex: number } {
  const [surname, surnameRoman] = SURNAMES[surnameIndex] as readonly [string, string];
  const [g1, r1] = rng.pick(GIVEN_FIRST[sex]);
  const [g2, r2] = rng.pick(GIVEN_SECOND[sex]);
  const birthDate = isoDateFromDays(birth);
  return {
    name: surname + g1 + g2,
    nameRomanised: `${surnameRoman} ${r1}${r2}`,
    sex,
    birthDate,
    rrn: rrnFor(birthDate, sex, serial),
    surnameIndex,
  };
}

interface Draft {
  index: number;
  role: HouseholdRole;
  sex: Sex;
  birth: number;
  surname?: number;
}

function familyDrafts(
  rng: Random,
  first: number,
  roles: readonly HouseholdRole[],
  head: DemoHead | undefined,
): Draft[] {
  const spouse = roles.includes('spouse');
  const children = roles.filter((r) => r === 'child').length;
  const parent = roles.includes('parent');
  const headSex: Sex = head?.sex ?? (rng.chance(spouse ? 0.85 : children ? 0.2 : 0.5) ? 'male' : 'female');
  const [minAge, maxAge] = parent ? [35, 60] : children ? [30, 66] : spouse ? [24, 88] : [19, 88];
  const headBirth = head ? head.birth : bornAged(rng, minAge, maxAge);
  const drafts: Draft[] = [
    { index: first, role: 'head', sex: headSex, birth: head ? head.birth : rrnDay(headBirth, first) },
  ];
  if (spouse) {
    // Husbands tend to be a few years older; the spouse is at least 22 today.
    const gap = rng.int(6 * YEAR);
    const birth = Math.min(
      headSex === 'male' ? headBirth + gap : headBirth - gap,
      plusYears(REFERENCE_DAY, -22),
    );
    drafts.push({
      index: first + 1,
      role: 'spouse',
      sex: headSex === 'male' ? 'female' : 'male',
      birth: rrnDay(birth, first + 1),
    });
  }
  if (children) {
    const parents = drafts.map((d) => d.birth);
    const later = Math.max(...parents);
    const mother = drafts.find((d) => d.sex === 'female')?.birth ?? later;
    // Born at least 20 years after the younger parent, before the mother turns 43, 20+ days before the reference day.
    const lo = plusYears(later, 20);
    const hi = Math.max(lo, Math.min(plusYears(mother, 42), REFERENCE_DAY - 40));
    const births = Array.from({ length: children }, () => between(rng, lo, hi)).sort((a, b) => a - b);
    for (const birth of births) {
      const index = first + drafts.length;
      drafts.push({
        index,
        role: 'child',
        sex: rng.chance(0.51) ? 'male' : 'female',
        birth: rrnDay(birth, index),
      });
    }
  }
  if (parent) {
    const index = first + drafts.length;
    const sex: Sex = rng.chance(0.6) ? 'female' : 'male';
    drafts.push({
      index,
      role: 'parent',
      sex,
      birth: rrnDay(plusYears(headBirth, -(24 + rng.int(12))) - rng.int(YEAR), index),
    });
  }
  return drafts;
}

function household(
  rng: Random,
  seed: number,
  first: number,
  roles: readonly HouseholdRole[],
  head: DemoHead | undefined,
): Household {
  const drafts = familyDrafts(rng, first, roles, head);
  const [h, s] = [drafts[0]!, drafts.find((d) => d.role === 'spouse')];
  const kids = drafts.filter((d) => d.role === 'child');
  const father = h.sex === 'male' ? h : s?.sex === 'male' ? s : undefined;
  const lineSurname = rng.int(SURNAMES.length);
  let marriage: number | undefined;
  let former: Household['former'];
  let formed: number;
  const firstChild = kids[0]?.birth;
  if (s) {
    const later = Math.max(h.birth, s.birth);
    const lo = plusYears(later, 19);
    const hi = firstChild !== undefined ? firstChild - 60 : REFERENCE_DAY - 30;
    marriage = Math.min(plusYears(later, 19 + rng.int(12)) + rng.int(YEAR), hi);
    marriage = Math.max(marriage, lo);
    formed = Math.min(marriage + rng.int(3 * YEAR), REFERENCE_DAY - 1);
  } else if (kids.length) {
    const married = Math.max(
      plusYears(h.birth, 19),
      Math.min(plusYears(h.birth, 24 + rng.int(6)), firstChild! - 60),
    );
    const last = kids[kids.length - 1]!.birth;
    const divorced = Math.min(last + 30 + rng.int(8 * YEAR), REFERENCE_DAY - 1);
    const partnerSex: Sex = h.sex === 'male' ? 'female' : 'male';
    const partnerBirth = Math.min(h.birth + rng.int(6 * YEAR) - 3 * YEAR, plusYears(kids[0]!.birth, -18));
    const partner = identityFor(rng, partnerSex, partnerBirth, first + 7);
    former = { married, divorced, partner };
    formed = divorced;
  } else {
    formed = between(rng, plusYears(h.birth, 19), REFERENCE_DAY - 1);
  }
  const line = head?.sex === 'male' ? head.surnameIndex : lineSurname;
  const random = (d: Draft) => new Random(seed, d.index, 0x736e616d).int(SURNAMES.length);
  const headSurname = head ? head.surnameIndex : h.sex === 'male' ? line : random(h);
  const kidsSurname = father
    ? line
    : former?.partner.sex === 'male'
      ? former.partner.surnameIndex
      : headSurname;
  const surnameOf = (d: Draft): number =>
    d.role === 'head'
      ? headSurname
      : d.role === 'spouse'
        ? d.sex === 'male'
          ? line
          : random(d)
        : d.role === 'child'
          ? kidsSurname
          : d.sex === 'male'
            ? headSurname
            : random(d);
  const members: Member[] = drafts.map((d) => {
    const own = new Random(seed, d.index);
    const identity =
      d.role === 'head' && head ? head.identity : identityFor(own, d.sex, d.birth, d.index, surnameOf(d));
    const [movedIn, movedInReason]: [number, Member['movedInReason']] =
      d.role === 'child'
        ? d.birth > formed
          ? [d.birth, 'birth']
          : [formed, former ? 'household-split' : 'move-in']
        : d.role === 'parent'
          ? [between(own, formed, REFERENCE_DAY - 1), 'household-merge']
          : [formed, s ? 'marriage' : former ? 'household-split' : 'move-in'];
    return {
      ...identity,
      surnameIndex: surnameOf(d),
      index: d.index,
      role: d.role,
      birth: d.birth,
      movedIn,
      movedInReason,
    };
  });
  return {
    id: first,
    members,
    address: addressOfParcel(parcelNumberFor('home', first)),
    formed,
    ...(marriage !== undefined ? { marriage } : {}),
    ...(former ? { former } : {}),
  };
}

export interface Block {
  readonly start: number;
  readonly households: readonly Household[];
}

// Generation walks indices in order, so a block's four members arrive together, and a person's
// employer's founder is read alongside; a small memo of recent blocks saves recomputing them.
const recentBlocks = new Map<string, Block>();

export function blockOf(index: number, seed: number): Block {
  const start = index - (index % 4);
  const key = `${seed}:${start}`;
  const known = recentBlocks.get(key);
  if (known) return known;
  const rng = new Random(seed, start / 4, SALT_BLOCK);
  const demo = demoHead(start);
  const shape = demo ? demo.shape : blockShape(rng);
  const households: Household[] = [];
  let first = start;
  for (const roles of shape) {
    households.push(household(rng, seed, first, roles, first === start ? demo : undefined));
    first += roles.length;
  }
  const value = { start, households };
  if (recentBlocks.size >= 256) recentBlocks.delete(recentBlocks.keys().next().value!);
  recentBlocks.set(key, value);
  return value;
}

export function householdOf(index: number, seed: number): { household: Household; member: Member } {
  for (const household of blockOf(index, seed).households) {
    const member = household.members.find((m) => m.index === index);
    if (member) return { household, member };
  }
  throw new Error(`person ${index} is in no household`);
}
