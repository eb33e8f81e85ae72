/**
 * Synthetic data for the reference registry (demo and benchmarks only). Everything is a pure
 * function of (seed, subject index, record type), so a registry of a million persons needs no
 * storage of its own and tests can regenerate any subject.
 */
import type { RecordType } from '../../catalog/catalog.types.js';
import { fillObject, type FillContext } from './generate-fields.js';
import { Random, hashString } from './generate-random.js';
import {
  businessNumberForPerson,
  foreignerNumberFor,
  imoFor,
  ipApplicationNumberFor,
  shipNumberFor,
  syntheticCorporation,
  syntheticPerson,
  vehiclePlateFor,
  vinFor,
  type SyntheticCorporation,
  type SyntheticPerson,
  type SyntheticSubject,
} from './generate-subjects.js';

export {
  DEFAULT_SEED,
  syntheticCorporation,
  syntheticPerson,
  type SyntheticAddress,
  type SyntheticCorporation,
  type SyntheticPerson,
  type SyntheticSubject,
} from './generate-subjects.js';

const IP_RIGHT_CODE: Record<string, string> = {
  'intellectual-property.patent-register': '10',
  'intellectual-property.utility-model-register': '20',
  'intellectual-property.design-register': '30',
  'intellectual-property.trademark-register': '40',
};

function sides(subject: SyntheticSubject): { person: SyntheticPerson; corporation: SyntheticCorporation } {
  if (subject.kind === 'person') {
    // A person's business: a corporation record with the person's own sole-proprietor BRN.
    const base = syntheticCorporation(subject.index, subject.seed);
    return {
      person: subject,
      corporation: {
        ...base,
        brn: businessNumberForPerson(subject),
        representativeIndex: subject.index,
        address: subject.address,
      },
    };
  }
  return { person: syntheticPerson(subject.representativeIndex, subject.seed), corporation: subject };
}

/** Identifiers of the objects (parcel, vehicle, ship, right) tied to a subject. */
export function objectIdentifiers(subject: SyntheticSubject, recordTypeId = ''): FillContext['identifiers'] {
  const i = subject.kind === 'person' ? subject.index : 1_000_000_000 + subject.index;
  return {
    parcelNumber: subject.address.parcelNumber,
    vehicleRegistrationNumber: vehiclePlateFor(i),
    vin: vinFor(i),
    shipNumber: shipNumberFor(i),
    imoNumber: imoFor(i),
    applicationNumber: ipApplicationNumberFor(i, IP_RIGHT_CODE[recordTypeId]),
  };
}

/** The identifier under which the reference registry files this record type for the subject. */
export function subjectIdentifier(recordType: RecordType, subject: SyntheticSubject): string {
  const { person, corporation } = sides(subject);
  const objects = objectIdentifiers(subject, recordType.id);
  switch (recordType.identifierScheme) {
    case 'rrn':
      return person.rrn;
    case 'frn':
      return foreignerNumberFor(person);
    case 'brn':
      return corporation.brn;
    case 'crn':
      return corporation.crn;
    case 'pnu':
      return objects.parcelNumber;
    case 'vehicle-plate':
      return objects.vehicleRegistrationNumber;
    case 'vin':
      return objects.vin;
    case 'ship-number':
      return objects.shipNumber;
    case 'imo':
      return objects.imoNumber;
    case 'ip-application-number':
      return objects.applicationNumber;
  }
}

/** A record of the given type about the subject, valid against the record type's schema. */
export function generateRecord(recordType: RecordType, subject: SyntheticSubject): Record<string, unknown> {
  const { person, corporation } = sides(subject);
  const ctx: FillContext = {
    rng: new Random(
      subject.seed,
      subject.index,
      hashString(recordType.id) ^ (subject.kind === 'person' ? 0 : 1),
    ),
    person,
    corporation,
    identifiers: objectIdentifiers(subject, recordType.id),
    related: 0,
  };
  return fillObject(recordType.schema, ctx, person);
}
