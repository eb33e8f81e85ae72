/**
 * Synthetic data for the reference registry (demo and benchmarks only). Everything is a pure
 * function of (seed, subject index, record type), so a registry of a million persons needs no
 * storage of its own and tests can regenerate any subject.
 */
import type { RecordType } from '../../catalog/catalog.types.js';
import { fillObject, type FillContext } from './generate-fields.js';
import { Random, hashString, isoDateFromDays } from './generate-random.js';
import { REFERENCE_DAY, daysFromIsoDate, plusYears } from './population/calendar.js';
import type { RecordContext } from './population/context.js';
import { holdsPersonRecord } from './population/holds.js';
import { lifeOf, type Life } from './population/life.js';
import { FAMILY } from './population/records-family.js';
import { objectOverride } from './population/records-objects.js';
import { STATE } from './population/records-state.js';
import { TAX_AND_LAND } from './population/records-tax.js';
import { orderDatePairs } from './population/order.js';
import {
  businessNumberForPerson,
  corporationNumbers,
  incorporationDay,
  tradeNameFor,
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

const SALT_PROPRIETORSHIP = 0x736f6c65;

const IP_RIGHT_CODE: Record<string, string> = {
  'intellectual-property.patent-register': '10',
  'intellectual-property.utility-model-register': '20',
  'intellectual-property.design-register': '30',
  'intellectual-property.trademark-register': '40',
};

function sides(subject: SyntheticSubject): { person: SyntheticPerson; corporation: SyntheticCorporation } {
  if (subject.kind === 'person') {
    // A person's business: a sole proprietorship under the person's own BRN, at their home.
    const rng = new Random(subject.seed, subject.index, SALT_PROPRIETORSHIP);
    return {
      person: subject,
      corporation: {
        kind: 'corporation',
        index: subject.index,
        seed: subject.seed,
        tradeName: tradeNameFor(rng),
        brn: businessNumberForPerson(subject),
        crn: corporationNumbers(subject.index).crn,
        incorporationDate: isoDateFromDays(plusYears(daysFromIsoDate(subject.birthDate), 19)),
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

// A request asks for one subject's life twice (holdsRecord while resolving, then generateRecord);
// a life is a pure function of (index, seed), so the last one is kept.
let lastLife: { index: number; seed: number; life: Life } | undefined;

/** The life of the subject person, or of a corporation's representative. */
export function lifeOfSubject(subject: SyntheticSubject): Life {
  const index = subject.kind === 'person' ? subject.index : subject.representativeIndex;
  if (lastLife?.index === index && lastLife.seed === subject.seed) return lastLife.life;
  const life = lifeOf(index, subject.seed, (c) => incorporationDay(c, subject.seed));
  lastLife = { index, seed: subject.seed, life };
  return life;
}

/**
 * Whether the registry holds a record of this type about the subject (a woman has no military
 * service record, a person without a licence no driving licence). Corporations and the things
 * they own hold every type.
 */
export function holdsRecord(recordType: RecordType, subject: SyntheticSubject): boolean {
  if (subject.kind !== 'person' || recordType.subjectKind === 'object') return true;
  return holdsPersonRecord(recordType.id, recordType.identifierScheme, lifeOfSubject(subject));
}

/** A record of the given type about the subject, valid against the record type's schema. */
export function generateRecord(recordType: RecordType, subject: SyntheticSubject): Record<string, unknown> {
  const { person, corporation } = sides(subject);
  const life = lifeOfSubject(subject);
  const rng = new Random(
    subject.seed,
    subject.index,
    hashString(recordType.id) ^ (subject.kind === 'person' ? 0 : 1),
  );
  // Events in a person's records happen in their adult life (or since birth, for a child); a
  // corporation's since its incorporation; all by the population's reference day.
  const from =
    subject.kind === 'corporation'
      ? daysFromIsoDate(subject.incorporationDate)
      : life.adult
        ? plusYears(life.member.birth, 19)
        : life.member.birth + 1;
  const ctx: FillContext = {
    rng,
    person,
    corporation,
    identifiers: objectIdentifiers(subject, recordType.id),
    related: 0,
    dates: { from: Math.min(from, REFERENCE_DAY - 1), to: REFERENCE_DAY },
  };
  const record = fillObject(recordType.schema, ctx, person);
  const override =
    FAMILY[recordType.id] ??
    STATE[recordType.id] ??
    TAX_AND_LAND[recordType.id] ??
    objectOverride(recordType.id);
  const context: RecordContext = {
    rng,
    seed: subject.seed,
    person,
    life,
    corporation,
    parcelNumber: ctx.identifiers.parcelNumber,
    subjectKind: subject.kind,
    corporationName: (c) => syntheticCorporation(c, subject.seed).tradeName,
    corporationBrn: (c) => syntheticCorporation(c, subject.seed).brn,
    incorporated: (c) => incorporationDay(c, subject.seed),
  };
  override?.(record, context);
  orderDatePairs(record);
  return record;
}
