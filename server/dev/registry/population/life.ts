/**
 * What happened in a person's life, decided once from (seed, index) and read by every record type:
 * work and insurance, military service, disability, licences, property, welfare, arrears, health.
 * Each fact is drawn after the facts it depends on (age, sex, household, employment), so records
 * built from a life agree with each other.
 */
import { Random } from '../generate-random.js';
import { REFERENCE_DAY, ageAt, daysFromIsoDate, plusYears, yearOf } from './calendar.js';
import { demoHead, DEMO_INDEX_BASE } from './demo.js';
import { householdOf, type Household, type Member } from './households.js';
import { healthOf, type Health } from './health.js';
import { parcelNumberFor } from './parcels.js';

const YEAR = 365;
const between = (rng: Random, lo: number, hi: number): number => (hi <= lo ? lo : lo + rng.int(hi - lo + 1));

export interface Job {
  readonly employer: number;
  readonly from: number;
  readonly until?: number;
  readonly reason?:
    'voluntary-resignation' | 'dismissal' | 'contract-expiry' | 'business-closure' | 'retirement';
}

export type Work =
  | { readonly kind: 'employee'; readonly job: Job; readonly salary: number }
  | { readonly kind: 'self-employed'; readonly since: number; readonly income: number }
  | { readonly kind: 'none' };

export interface Military {
  readonly status: 'completed' | 'serving' | 'exempt' | 'not-yet-served';
  readonly examined?: number;
  readonly grade?: number;
  readonly disposition?:
    'active-duty' | 'supplementary-service' | 'wartime-labour' | 'exempt' | 're-examination';
  readonly branch?: 'army' | 'navy' | 'marine-corps' | 'air-force' | 'social-service';
  readonly enlisted?: number;
  readonly discharged?: number;
  readonly reason?: string;
}

export interface Life {
  readonly member: Member;
  readonly household: Household;
  readonly age: number;
  readonly adult: boolean;
  /** Demo citizens hold every record type their age and sex allow, so each type can be tried. */
  readonly showcase: boolean;
  readonly work: Work;
  readonly pastJob?: Job;
  readonly military?: Military;
  readonly disability?: { readonly type: string; readonly severe: boolean; readonly registered: number };
  readonly adopted?: number;
  readonly naturalised?: {
    readonly arrived: number;
    readonly naturalised: number;
    readonly nationality: string;
  };
  readonly passport?: number;
  readonly licence?: number;
  readonly vehicle?: number;
  readonly ownsHome: boolean;
  readonly farm?: { readonly registered: number; readonly parcels: readonly string[] };
  readonly fisher?: number;
  readonly ship: boolean;
  readonly ipRights: boolean;
  readonly merit?: number;
  readonly welfare: {
    readonly basicLivelihood?: number;
    readonly nearPoverty?: number;
    readonly singleParent?: number;
    readonly selfSufficiency?: number;
    readonly careWorker?: number;
  };
  readonly arrears: { readonly national: boolean; readonly local: boolean; readonly social: boolean };
  readonly qualification?: number;
  readonly professionalLicence?: number;
  readonly equivalencyExam?: number;
  readonly health: Health;
  /** Screened by the national programme (infants under 6 and adults from 20). */
  readonly screened: boolean;
}

/** Workers of corporation c are persons 10c … 10c+9, so a population of N has N/10 employers. */
export const employerOf = (index: number): number => {
  const demo = demoHead(index - (index % 4));
  return demo && index < DEMO_INDEX_BASE + 1_000 ? demo.number : Math.floor(index / 10);
};

function workOf(
  member: Member,
  seed: number,
  incorporated: (c: number) => number,
): { work: Work; pastJob?: Job } {
  const rng = new Random(seed, member.index, 0x776f726b);
  const age = ageAt(member.birth, REFERENCE_DAY);
  if (age < 19) return { work: { kind: 'none' } };
  const r = rng.int(100);
  const [employee, self] = age <= 24 ? [35, 40] : age <= 59 ? [68, 82] : age <= 64 ? [40, 60] : [8, 18];
  const demo = demoHead(member.index) !== undefined && member.role === 'head';
  // Work starts at 19, after military service, and in Korea (after arrival, for the naturalised).
  const military = militaryFor(member, seed);
  if (military?.status === 'serving') return { work: { kind: 'none' } };
  const start = Math.max(
    plusYears(member.birth, 19),
    military?.discharged !== undefined ? military.discharged + 30 : 0,
    naturalisationOf(member, seed)?.arrived ?? 0,
  );
  const employer = employerOf(member.index);
  let pastJob: Job | undefined;
  const pastEmployer = Math.max(0, employer - 1 - (member.index % 7));
  const pastFrom = Math.max(start, incorporated(pastEmployer) + 1);
  if (
    age >= 27 &&
    (demo || rng.chance(0.45)) &&
    pastFrom + 2 * YEAR < REFERENCE_DAY - 400 &&
    start < REFERENCE_DAY
  ) {
    const until = between(rng, pastFrom + YEAR, REFERENCE_DAY - 400);
    pastJob = {
      employer: pastEmployer,
      from: pastFrom,
      until,
      reason: rng.pick([
        'voluntary-resignation',
        'contract-expiry',
        'dismissal',
        'business-closure',
      ] as const),
    };
  }
  const from = Math.max(pastJob?.until ?? start, incorporated(employer)) + 1 + rng.int(200);
  if ((demo || r < employee) && from < REFERENCE_DAY) {
    const salary = 24_000_000 + rng.int(Math.min(96, 30 + age)) * 1_000_000;
    return { work: { kind: 'employee', job: { employer, from }, salary }, ...(pastJob ? { pastJob } : {}) };
  }
  if (pastJob && age >= 60) pastJob = { ...pastJob, reason: 'retirement' };
  if (r < self && start < REFERENCE_DAY - 30) {
    return {
      work: {
        kind: 'self-employed',
        since: between(rng, pastJob?.until ?? start, REFERENCE_DAY - 30),
        income: 10_000_000 + rng.int(140) * 1_000_000,
      },
      ...(pastJob ? { pastJob } : {}),
    };
  }
  return { work: { kind: 'none' }, ...(pastJob ? { pastJob } : {}) };
}

const serviceMonths = (year: number, branch: string): number =>
  (year < 1968
    ? 36
    : year < 1979
      ? 33
      : year < 1993
        ? 30
        : year < 2003
          ? 26
          : year < 2011
            ? 24
            : year < 2018
              ? 21
              : 18) +
  (branch === 'social-service' ? 3 : branch === 'air-force' ? 3 : branch === 'navy' ? 2 : 0);

const addMonths = (day: number, months: number): number => day + Math.round(months * 30.44);

function militaryOf(member: Member, rng: Random, naturalisedAdult: boolean): Military | undefined {
  // The Military Service Act binds Korean men; the record starts with first registration at 18.
  if (member.sex !== 'male' || member.birth < daysFromIsoDate('1950-01-01')) return undefined;
  const age = ageAt(member.birth, REFERENCE_DAY);
  if (age < 18) return undefined;
  // Men naturalised as adults are exempt (Military Service Act art. 65); as minors they are liable.
  if (naturalisedAdult) return { status: 'exempt', reason: 'naturalised' };
  const examined = Math.min(plusYears(member.birth, 19) + rng.int(300), REFERENCE_DAY - 1);
  if (age < 19 || examined >= REFERENCE_DAY) return { status: 'not-yet-served' };
  const g = rng.int(100);
  const grade = g < 85 ? 1 + rng.int(3) : g < 93 ? 4 : g < 96 ? 5 : g < 98 ? 6 : 7;
  const disposition =
    grade <= 3
      ? 'active-duty'
      : grade === 4
        ? 'supplementary-service'
        : grade === 5
          ? 'wartime-labour'
          : grade === 6
            ? 'exempt'
            : 're-examination';
  if (grade >= 5)
    return {
      status: grade === 7 ? 'not-yet-served' : 'exempt',
      examined,
      grade,
      disposition,
      reason: grade === 7 ? 're-examination' : 'physical-grade',
    };
  const branch =
    grade === 4
      ? 'social-service'
      : rng.pick(['army', 'army', 'army', 'army', 'navy', 'air-force', 'marine-corps'] as const);
  // Enlisted between 19 and 28, within a few years of the examination.
  const enlisted = Math.min(examined + 30 + rng.int(3 * YEAR), plusYears(member.birth, 28));
  if (enlisted >= REFERENCE_DAY) return { status: 'not-yet-served', examined, grade, disposition };
  const discharged = addMonths(enlisted, serviceMonths(yearOf(enlisted), branch));
  if (discharged > REFERENCE_DAY)
    return { status: 'serving', examined, grade, disposition, branch, enlisted };
  return { status: 'completed', examined, grade, disposition, branch, enlisted, discharged };
}

const DISABILITY_TYPES = [
  'physical',
  'physical',
  'physical',
  'brain-lesion',
  'visual',
  'hearing',
  'intellectual',
  'autism',
  'mental',
  'kidney',
  'heart',
];
const NATIONALITIES = ['CN', 'VN', 'PH', 'UZ', 'TH', 'US'];

/**
 * Every 25th block (offset 2, so block 0's corporation representatives stay native-born) is a
 * family that came to Korea as adults and was naturalised; children were born Korean. Demo
 * citizens came as children and were naturalised at 13, so they serve like anyone else.
 */
function naturalisationOf(member: Member, seed: number): Life['naturalised'] {
  const showcase = member.role === 'head' && demoHead(member.index) !== undefined;
  const adult = ageAt(member.birth, REFERENCE_DAY) >= 19;
  if (!((Math.floor(member.index / 4) % 25 === 2 || showcase) && adult && member.role !== 'child'))
    return undefined;
  const rng = new Random(seed, member.index, 0x6e617475);
  const arrived = showcase ? plusYears(member.birth, 8) : plusYears(member.birth, 19) + rng.int(2 * YEAR);
  if (arrived + 3 * YEAR >= REFERENCE_DAY) return undefined;
  return {
    arrived,
    naturalised: showcase
      ? plusYears(member.birth, 13)
      : between(rng, arrived + 3 * YEAR, Math.min(arrived + 10 * YEAR, REFERENCE_DAY - 1)),
    nationality: rng.pick(NATIONALITIES),
  };
}

function militaryFor(member: Member, seed: number): Military | undefined {
  const n = naturalisationOf(member, seed);
  return militaryOf(
    member,
    new Random(seed, member.index, 0x6d696c69),
    n !== undefined && n.naturalised >= plusYears(member.birth, 18),
  );
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };

let lastLife: { seed: number; index: number; value: Life } | undefined;

/** The life of person `index`; `incorporated(c)` gives corporation c's incorporation day. */
export function lifeOf(index: number, seed: number, incorporated: (c: number) => number): Life {
  if (lastLife && lastLife.seed === seed && lastLife.index === index) return lastLife.value;
  const { household, member } = householdOf(index, seed);
  const rng = new Random(seed, index, 0x6c696665);
  const age = ageAt(member.birth, REFERENCE_DAY);
  const adult = age >= 19;
  const showcase = member.role === 'head' && demoHead(index) !== undefined;
  const chance = (p: number) => showcase || rng.chance(p);
  const adultDay = plusYears(member.birth, 19);
  const after = (from: number) => between(rng, Math.min(from, REFERENCE_DAY - 1), REFERENCE_DAY - 1);
  const { work, pastJob } = workOf(member, seed, incorporated);
  const naturalised = naturalisationOf(member, seed);
  const licence = age >= 18 && chance(0.7) ? after(plusYears(member.birth, 18)) : undefined;
  const vehicle =
    licence !== undefined && adult && chance(0.6) ? after(Math.max(licence, adultDay)) : undefined;
  const farmer = adult && age >= 30 && chance(0.04);
  const employed = work.kind !== 'none';
  const householdEmployed = household.members.some(
    (m) =>
      m.index !== index &&
      ageAt(m.birth, REFERENCE_DAY) >= 19 &&
      workOf(m, seed, incorporated).work.kind === 'employee',
  );
  const poor = !employed && !householdEmployed && adult && chance(0.12);
  const head = member.role === 'head';
  const minorChild = household.members.some((m) => m.role === 'child' && ageAt(m.birth, REFERENCE_DAY) < 18);
  const life: Life = {
    member,
    household,
    age,
    adult,
    showcase,
    work,
    ...(pastJob ? { pastJob } : {}),
    ...optional('military', militaryFor(member, seed)),
    ...(chance(0.05)
      ? {
          disability: {
            type: rng.pick(DISABILITY_TYPES),
            severe: rng.chance(0.35),
            registered: between(rng, member.birth + 30, REFERENCE_DAY - 1),
          },
        }
      : {}),
    ...(member.role === 'child' && chance(0.01)
      ? { adopted: between(rng, member.birth + 30, Math.min(plusYears(member.birth, 10), REFERENCE_DAY - 1)) }
      : showcase
        ? { adopted: between(rng, member.birth + 30, plusYears(member.birth, 6)) }
        : {}),
    ...(naturalised ? { naturalised } : {}),
    ...(chance(adult ? 0.55 : 0.25)
      ? { passport: after(Math.max(member.birth + 30, REFERENCE_DAY - 10 * YEAR + 30)) }
      : {}),
    ...(licence !== undefined ? { licence } : {}),
    ...(vehicle !== undefined ? { vehicle } : {}),
    ownsHome: head,
    ...(farmer
      ? {
          farm: {
            registered: after(adultDay),
            parcels: [
              parcelNumberFor('farm', index * 2),
              ...(rng.chance(0.5) ? [parcelNumberFor('farm', index * 2 + 1)] : []),
            ],
          },
        }
      : {}),
    ...(adult && age >= 30 && chance(0.01) ? { fisher: after(adultDay) } : {}),
    ship: false,
    ipRights: adult && (showcase || index % 50 === 0),
    ...(chance(0.01) ? { merit: after(adult ? adultDay : member.birth + 30) } : {}),
    welfare: {
      ...(poor || (showcase && adult) ? { basicLivelihood: after(adultDay) } : {}),
      ...((!poor && !employed && adult && chance(0.05)) || showcase ? { nearPoverty: after(adultDay) } : {}),
      ...(head &&
      minorChild &&
      !household.members.some((m) => m.role === 'spouse') &&
      household.former &&
      chance(0.6)
        ? { singleParent: after(household.former.divorced) }
        : {}),
      ...((poor && age <= 64 && chance(0.5)) || showcase ? { selfSufficiency: after(adultDay) } : {}),
      ...(adult && age >= 40 && age <= 70 && chance(0.03)
        ? { careWorker: after(plusYears(member.birth, 25)) }
        : {}),
    },
    arrears: {
      national: adult && rng.chance(0.03),
      local: adult && rng.chance(0.03),
      social: adult && rng.chance(0.02),
    },
    ...(adult && chance(0.25) ? { qualification: after(plusYears(member.birth, 18)) } : {}),
    ...(adult && age >= 25 && chance(0.05)
      ? { professionalLicence: after(plusYears(member.birth, 24)) }
      : {}),
    ...(adult && chance(0.01) ? { equivalencyExam: after(plusYears(member.birth, 15)) } : {}),
    health: healthOf(member, age, new Random(seed, index, 0x68656c74)),
    screened: age < 6 || age >= 20,
  };
  const withShip = { ...life, ship: life.fisher !== undefined || (adult && (showcase || index % 250 === 0)) };
  lastLife = { seed, index, value: withShip };
  return withShip;
}

/** Whether the member is currently insured as an employee, for dependants' coverage. */
export const employedMember = (member: Member, seed: number, incorporated: (c: number) => number): boolean =>
  ageAt(member.birth, REFERENCE_DAY) >= 19 && workOf(member, seed, incorporated).work.kind === 'employee';
