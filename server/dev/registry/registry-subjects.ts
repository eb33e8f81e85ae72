/**
 * Who the reference registry knows and what they own. A stored row is (idx, seed) plus, for
 * explicitly inserted people (demo citizens), a profile of real-looking values that replace the
 * generated ones; everything else is regenerated, so records stay consistent across types.
 */
import type { RecordType } from '../../catalog/catalog.types.js';
import { rrnCheckDigit } from '../../catalog/identifiers/registration-number.js';
import { holdsRecord, lifeOfSubject, objectIdentifiers, subjectIdentifier } from './generate.js';
import {
  ipApplicationNumberFor,
  syntheticCorporation,
  syntheticPerson,
  type SyntheticCorporation,
  type SyntheticPerson,
  type SyntheticSubject,
} from './generate-subjects.js';
import { DEMO_HEADS, DEMO_INDEX_BASE, demoIndex } from './population/demo.js';
import type { PersonProfile, RegistryRepo } from './registry.repo.js';

export { DEMO_INDEX_BASE };

export type { PersonProfile };

export type ObjectScheme = 'pnu' | 'vehicle-plate' | 'vin' | 'ship-number' | 'imo' | 'ip-application-number';

export interface OwnedObject {
  scheme: ObjectScheme;
  identifier: string;
}

/** Corporations' object identifiers are derived from this offset so they differ from persons'. */
export const CORPORATION_OBJECT_OFFSET = 1_000_000_000;
const IP_RIGHT_CODES = ['10', '20', '30', '40'];

export function registryPerson(idx: number, seed: number, profile?: PersonProfile | null): SyntheticPerson {
  const person = syntheticPerson(idx, seed);
  return profile ? { ...person, ...profile } : person;
}

export function registryCorporation(idx: number, seed: number): SyntheticCorporation {
  return syntheticCorporation(idx, seed);
}

/**
 * Objects a person holds, as their life says: the home a head of household owns, a car for some
 * licence holders, a ship for fishers, rights for a few. `everything` (demo citizens) adds the rest.
 */
export function objectsOfPerson(person: SyntheticPerson, everything = false): OwnedObject[] {
  const out: OwnedObject[] = [];
  const ids = objectIdentifiers(person);
  const life = lifeOfSubject(person);
  if (life.ownsHome) out.push({ scheme: 'pnu', identifier: person.address.parcelNumber });
  if (!life.adult) return out;
  if (everything || life.vehicle !== undefined) {
    out.push(
      { scheme: 'vehicle-plate', identifier: ids.vehicleRegistrationNumber },
      { scheme: 'vin', identifier: ids.vin },
    );
  }
  if (everything || life.ship) {
    out.push(
      { scheme: 'ship-number', identifier: ids.shipNumber },
      { scheme: 'imo', identifier: ids.imoNumber },
    );
  }
  if (everything || life.ipRights) {
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
  if (subjectIdentifier(recordType, subject) !== identifier) return undefined;
  return holdsRecord(recordType, subject) ? subject : undefined;
}

/** The demo citizens as registry persons: their own national ID, name, birth date and sex. */
export function demoCitizenProfiles(): { idx: number; profile: PersonProfile }[] {
  return DEMO_HEADS.map((head) => ({
    idx: demoIndex(head.number),
    profile: {
      name: head.identity.name,
      nameRomanised: head.identity.nameRomanised,
      birthDate: head.identity.birthDate,
      sex: head.identity.sex,
      rrn: head.identity.rrn,
    },
  }));
}
