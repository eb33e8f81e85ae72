/**
 * Who the reference registry knows and what they own. A stored row is (idx, seed) plus, for
 * explicitly inserted people (demo citizens), a profile of real-looking values that replace the
 * generated ones; everything else is regenerated, so records stay consistent across types.
 */
import type { RecordType } from '../../catalog/catalog.types.js';
import { rrnCheckDigit } from '../../catalog/identifiers/registration-number.js';
import { DEMO_CITIZENS } from '../demo-identities.js';
import { objectIdentifiers, subjectIdentifier } from './generate.js';
import {
  ipApplicationNumberFor,
  syntheticCorporation,
  syntheticPerson,
  type Sex,
  type SyntheticCorporation,
  type SyntheticPerson,
  type SyntheticSubject,
} from './generate-subjects.js';
import type { RegistryRepo } from './registry.repo.js';

export interface PersonProfile {
  name: string;
  nameRomanised: string;
  birthDate: string;
  sex: Sex;
  rrn: string;
}

export type ObjectScheme = 'pnu' | 'vehicle-plate' | 'vin' | 'ship-number' | 'imo' | 'ip-application-number';

export interface OwnedObject {
  scheme: ObjectScheme;
  identifier: string;
}

/** Corporations' object identifiers are derived from this offset so they differ from persons'. */
export const CORPORATION_OBJECT_OFFSET = 1_000_000_000;
/** Demo citizens live far above any seeded index, each the head of their own household. */
export const DEMO_INDEX_BASE = 1_900_000_000;
const IP_RIGHT_CODES = ['10', '20', '30', '40'];

export function registryPerson(idx: number, seed: number, profile?: PersonProfile | null): SyntheticPerson {
  const person = syntheticPerson(idx, seed);
  return profile ? { ...person, ...profile } : person;
}

export function registryCorporation(idx: number, seed: number): SyntheticCorporation {
  return syntheticCorporation(idx, seed);
}

/** Objects a person holds: their home parcel as head of household, and for some a car, a ship and IP rights. */
export function objectsOfPerson(person: SyntheticPerson, everything = false): OwnedObject[] {
  const out: OwnedObject[] = [];
  const ids = objectIdentifiers(person);
  if (person.householdRole === 'head') out.push({ scheme: 'pnu', identifier: person.address.parcelNumber });
  if (everything || person.index % 5 < 2) {
    out.push(
      { scheme: 'vehicle-plate', identifier: ids.vehicleRegistrationNumber },
      { scheme: 'vin', identifier: ids.vin },
    );
  }
  if (everything || person.index % 250 === 0) {
    out.push(
      { scheme: 'ship-number', identifier: ids.shipNumber },
      { scheme: 'imo', identifier: ids.imoNumber },
    );
  }
  if (everything || person.index % 50 === 0) {
    for (const code of IP_RIGHT_CODES) {
      out.push({ scheme: 'ip-application-number', identifier: ipApplicationNumberFor(person.index, code) });
    }
  }
  return out;
}

/** Objects a corporation holds: its site, a vehicle, and for some ships and IP rights. */
export function objectsOfCorporation(corporation: SyntheticCorporation): OwnedObject[] {
  const ids = objectIdentifiers(corporation);
  const i = CORPORATION_OBJECT_OFFSET + corporation.index;
  const out: OwnedObject[] = [
    { scheme: 'pnu', identifier: corporation.address.parcelNumber },
    { scheme: 'vehicle-plate', identifier: ids.vehicleRegistrationNumber },
    { scheme: 'vin', identifier: ids.vin },
  ];
  if (corporation.index % 50 === 0) {
    out.push(
      { scheme: 'ship-number', identifier: ids.shipNumber },
      { scheme: 'imo', identifier: ids.imoNumber },
    );
  }
  if (corporation.index % 10 === 0) {
    for (const code of IP_RIGHT_CODES)
      out.push({ scheme: 'ip-application-number', identifier: ipApplicationNumberFor(i, code) });
  }
  return out;
}

/** The resident number of the person a foreigner number was derived from (see foreignerNumberFor). */
function rrnForForeignerNumber(frn: string): string {
  const g = Number(frn.charAt(6));
  const first12 = `${frn.slice(0, 6)}${g - 4}${frn.slice(7, 12)}`;
  return first12 + rrnCheckDigit(first12);
}

async function personSubject(
  ref: Promise<{ idx: number; seed: number; profile: PersonProfile | null } | undefined>,
) {
  const row = await ref;
  return row && registryPerson(row.idx, row.seed, row.profile);
}

async function ownerSubject(
  repo: RegistryRepo,
  scheme: ObjectScheme,
  identifier: string,
): Promise<SyntheticSubject | undefined> {
  const owner = await repo.object(scheme, identifier);
  if (!owner) return undefined;
  if (owner.ownerKind === 'person') return personSubject(repo.personByIdx(owner.ownerIdx));
  const row = await repo.corporationByIdx(owner.ownerIdx);
  return row && registryCorporation(row.idx, row.seed);
}

/**
 * The subject a record type's identifier points at, or undefined when the registry holds no such
 * record. The generated record must carry the same identifier, which also rejects e.g. a design
 * application number asked for as a patent.
 */
export async function resolveSubject(
  repo: RegistryRepo,
  recordType: RecordType,
  identifier: string,
): Promise<SyntheticSubject | undefined> {
  let subject: SyntheticSubject | undefined;
  switch (recordType.identifierScheme) {
    case 'rrn':
      subject = await personSubject(repo.personByRrn(identifier));
      break;
    case 'frn':
      subject = await personSubject(repo.personByRrn(rrnForForeignerNumber(identifier)));
      break;
    case 'brn': {
      const corporation = await repo.corporationByBrn(identifier);
      subject = corporation
        ? registryCorporation(corporation.idx, corporation.seed)
        : await personSubject(repo.personByBrn(identifier));
      break;
    }
    case 'crn': {
      const corporation = await repo.corporationByCrn(identifier);
      subject = corporation && registryCorporation(corporation.idx, corporation.seed);
      break;
    }
    default:
      subject = await ownerSubject(repo, recordType.identifierScheme, identifier);
  }
  if (!subject) return undefined;
  // Corporation record types are about corporations; person types about persons (object types: either).
  if (recordType.subjectKind === 'person' && subject.kind !== 'person') return undefined;
  return subjectIdentifier(recordType, subject) === identifier ? subject : undefined;
}

/** Korean names of the dev identity provider's demo citizens, by login. */
const DEMO_NAMES: Record<string, [string, string]> = {
  'citizen-minjun': ['김민준', 'KIM MINJUN'],
  'citizen-seoyeon': ['이서연', 'LEE SEOYEON'],
  'citizen-jihoon': ['박지훈', 'PARK JIHOON'],
  'citizen-haeun': ['최하은', 'CHOI HAEUN'],
  'citizen-dohyun': ['정도현', 'JUNG DOHYUN'],
  'citizen-youngsook': ['강영숙', 'KANG YOUNGSOOK'],
};

/** The demo citizens as registry persons: their own national ID, birth date and sex. */
export function demoCitizenProfiles(): { idx: number; profile: PersonProfile }[] {
  return DEMO_CITIZENS.filter((c) => c.national_id).map((citizen, i) => {
    const rrn = citizen.national_id!;
    const [name, nameRomanised] = DEMO_NAMES[citizen.sub] ?? [
      citizen.name,
      citizen.name.toUpperCase().replace(/-/g, ''),
    ];
    const g = Number(rrn.charAt(6));
    const century = g === 9 || g === 0 ? '18' : g <= 2 || g === 5 || g === 6 ? '19' : '20';
    const birthDate =
      citizen.birthdate ?? `${century}${rrn.slice(0, 2)}-${rrn.slice(2, 4)}-${rrn.slice(4, 6)}`;
    return {
      idx: DEMO_INDEX_BASE + i * 4,
      profile: { name, nameRomanised, birthDate, sex: g % 2 === 1 ? 'male' : 'female', rrn },
    };
  });
}
