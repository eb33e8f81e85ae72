/**
 * Invariants of the synthetic population, checked on the records the registry would answer —
 * read as a clerk would read them (dates, RRN digits, names), never through the generator's own
 * life model. Used by `npm run registry:check` over a whole population and by the property tests.
 */
import type { Catalog } from '../../../catalog/catalog.types.js';
import { generateRecord, holdsRecord, subjectIdentifier } from '../generate.js';
import { syntheticCorporation, syntheticPerson, type SyntheticPerson } from '../generate-subjects.js';
import { objectsOfPerson } from '../registry-subjects.js';

type Rec = Record<string, unknown>;

export const REFERENCE = '2025-12-31';

/** YYYY-MM-DD plus whole years, as the civil calendar counts birthdays. */
export function yearsAfter(date: string, years: number): string {
  return `${String(Number(date.slice(0, 4)) + years).padStart(4, '0')}${date.slice(4)}`;
}

export interface Tally {
  checks: number;
  violations: string[];
}

function check(t: Tally, ok: boolean, what: () => string): void {
  t.checks += 1;
  if (!ok && t.violations.length < 1_000) t.violations.push(what());
}

const EVENT_KEYS = new Set([
  'movedInDate',
  'householdFormedDate',
  'marriageDate',
  'enlistmentDate',
  'dischargeDate',
  'examinationDate',
  'registrationDate',
  'acquisitionDate',
  'lossDate',
  'screeningDate',
  'issueDate',
  'firstAcquisitionDate',
  'graduationDate',
  'passDate',
  'periodFrom',
  'validFrom',
  'startDate',
  'adoptionDate',
  'birthReportDate',
]);

/** Every event date in the record (at any depth) lies between birth and the reference day. */
function eventsWithinLife(t: Tally, id: string, value: unknown, birth: string, where = ''): void {
  if (Array.isArray(value))
    return value.forEach((v, i) => eventsWithinLife(t, id, v, birth, `${where}/${i}`));
  if (typeof value !== 'object' || value === null) return;
  for (const [k, v] of Object.entries(value as Rec)) {
    if (EVENT_KEYS.has(k) && typeof v === 'string')
      check(t, v >= birth && v <= REFERENCE, () => `${id}${where}/${k} ${v} outside life from ${birth}`);
    else if (typeof v === 'object') eventsWithinLife(t, id, v, birth, `${where}/${k}`);
  }
}

/** Birth date and sex as the RRN states them (digit 7: 1/2 for the 1900s, 3/4 for the 2000s). */
export function fromRrn(rrn: string): { birthDate: string; male: boolean } {
  const g = Number(rrn.charAt(6));
  const century = g <= 2 ? '19' : '20';
  return {
    birthDate: `${century}${rrn.slice(0, 2)}-${rrn.slice(2, 4)}-${rrn.slice(4, 6)}`,
    male: g % 2 === 1,
  };
}

export interface ParcelBook {
  readonly seen: Map<string, string>;
}

/** Lets a test alter a record before it is checked, to show each rule can fail. */
export type Tamper = (recordTypeId: string, record: Rec | undefined) => Rec | undefined;

export function checkPerson(
  catalog: Catalog,
  index: number,
  seed: number,
  t: Tally,
  parcels?: ParcelBook,
  tamper?: Tamper,
): void {
  const p = syntheticPerson(index, seed);
  const records = new Map<string, Rec | undefined>();
  const record = (id: string): Rec | undefined => {
    if (records.has(id)) return records.get(id);
    const rt = catalog.get(id);
    const held = holdsRecord(rt, p) ? generateRecord(rt, p) : undefined;
    const r = tamper ? tamper(id, held) : held;
    records.set(id, r);
    return r;
  };
  const who = `person ${index}`;
  const { birthDate, male } = fromRrn(p.rrn);
  check(
    t,
    birthDate === p.birthDate && birthDate <= REFERENCE,
    () => `${who}: RRN ${p.rrn} vs birth ${p.birthDate}`,
  );
  const adult = yearsAfter(birthDate, 19) <= REFERENCE;

  const individual = record('resident.registration-abstract-individual')!;
  const household = record('resident.registration-abstract')!;
  check(
    t,
    individual.address === household.address,
    () => `${who}: lives at ${String(individual.address)}, household at ${String(household.address)}`,
  );
  const members = household.members as Rec[];
  check(
    t,
    members.some((m) => m.residentRegistrationNumber === p.rrn),
    () => `${who}: not among the household's members`,
  );
  for (const m of members) {
    const b = fromRrn(String(m.residentRegistrationNumber)).birthDate;
    check(
      t,
      String(m.movedInDate) >= b,
      () => `${who}: member ${String(m.name)} moved in ${String(m.movedInDate)} before birth ${b}`,
    );
  }
  const head = members.find((m) => m.relationshipToHead === 'self');
  check(
    t,
    !!head && yearsAfter(fromRrn(String(head.residentRegistrationNumber)).birthDate, 18) <= REFERENCE,
    () => `${who}: household head missing or a minor`,
  );

  const relations = record('family.relations-certificate')!;
  for (const parent of relations.parents as Rec[])
    check(
      t,
      String(parent.birthDate) <= yearsAfter(birthDate, -15),
      () => `${who}: parent born ${String(parent.birthDate)}, child ${birthDate}`,
    );
  for (const child of relations.children as Rec[])
    check(
      t,
      String(child.birthDate) >= yearsAfter(birthDate, 15),
      () => `${who}: child born ${String(child.birthDate)}, parent ${birthDate}`,
    );

  const marriage = record('family.marriage-certificate')!;
  if (marriage.marriageDate !== undefined) {
    const spouse = marriage.spouse as Rec;
    const day = String(marriage.marriageDate);
    check(
      t,
      day >= yearsAfter(birthDate, 18) && day >= yearsAfter(String(spouse.birthDate), 18) && day <= REFERENCE,
      () => `${who}: married ${day}, born ${birthDate}, spouse born ${String(spouse.birthDate)}`,
    );
    check(
      t,
      (relations.spouse as Rec | undefined)?.residentRegistrationNumber === spouse.residentRegistrationNumber,
      () => `${who}: relations and marriage certificates name different spouses`,
    );
    check(
      t,
      fromRrn(String(spouse.residentRegistrationNumber)).male !== male,
      () => `${who}: spouse of the same sex in this population`,
    );
    for (const child of relations.children as Rec[])
      check(
        t,
        String(child.birthDate) > day || !!marriage.pastMarriages,
        () => `${who}: child born ${String(child.birthDate)} before the marriage ${day}`,
      );
  }

  const military = record('military.service-record-certificate');
  check(
    t,
    !military || (male && birthDate >= '1950-01-01' && yearsAfter(birthDate, 18) <= REFERENCE),
    () => `${who}: military record for ${male ? 'a man' : 'a woman'} born ${birthDate}`,
  );
  if (military?.enlistmentDate !== undefined) {
    const enlisted = String(military.enlistmentDate);
    check(t, enlisted >= yearsAfter(birthDate, 18), () => `${who}: enlisted ${enlisted}, born ${birthDate}`);
    check(
      t,
      military.dischargeDate === undefined || String(military.dischargeDate) > enlisted,
      () => `${who}: discharged before enlisting`,
    );
    check(
      t,
      (military.serviceStatus === 'completed') === (military.dischargeDate !== undefined),
      () => `${who}: status ${String(military.serviceStatus)} vs discharge ${String(military.dischargeDate)}`,
    );
  }

  const disability = record('welfare.disability-certificate');
  if (disability)
    check(
      t,
      String(disability.registrationDate) > birthDate,
      () => `${who}: disability registered ${String(disability.registrationDate)} before birth`,
    );

  const health = record('social-insurance.health-screening-result');
  if (health) {
    const h = Number(health.heightCm);
    const w = Number(health.weightKg);
    const infant = health.screeningType === 'infant';
    const bmi = w / (h / 100) ** 2;
    check(t, infant ? h >= 40 && h <= 130 : h >= 135 && h <= 205, () => `${who}: height ${h}`);
    check(
      t,
      infant ? w >= 2 && w <= 35 && bmi >= 10 && bmi <= 22 : w >= 30 && w <= 160 && bmi >= 14 && bmi <= 45,
      () => `${who}: weight ${w} (BMI ${bmi.toFixed(1)})`,
    );
    check(
      t,
      Number(health.fastingGlucose) >= 60 && Number(health.fastingGlucose) <= 300,
      () => `${who}: glucose ${String(health.fastingGlucose)}`,
    );
    check(
      t,
      Number(health.systolicPressure) > Number(health.diastolicPressure) &&
        Number(health.systolicPressure) <= 200,
      () => `${who}: pressure ${String(health.systolicPressure)}/${String(health.diastolicPressure)}`,
    );
    check(t, String(health.screeningDate) > birthDate, () => `${who}: screened before birth`);
  }

  const eligibility = record('social-insurance.health-eligibility-history')!;
  const employment = record('social-insurance.employment-insurance-history');
  const income = record('tax.income-amount-certificate');
  const openJobs = ((employment?.periods as Rec[] | undefined) ?? []).filter((x) => x.lossDate === undefined);
  const employee = eligibility.currentInsuredType === 'employee';
  check(
    t,
    employee === (openJobs.length === 1),
    () =>
      `${who}: health insured as ${String(eligibility.currentInsuredType)} with ${openJobs.length} open jobs`,
  );
  if (employee) {
    const current = (eligibility.periods as Rec[]).find((x) => x.lossDate === undefined);
    check(
      t,
      current?.workplaceName === openJobs[0]?.workplaceName,
      () =>
        `${who}: insured at ${String(current?.workplaceName)}, employed at ${String(openJobs[0]?.workplaceName)}`,
    );
    const payers = (income?.payers as Rec[] | undefined) ?? [];
    check(
      t,
      income?.incomeType === 'wage' &&
        payers.some((x) => x.payerName === openJobs[0]?.workplaceName) &&
        Number(income.totalIncome) > 0,
      () => `${who}: employee without wage income from the employer`,
    );
    check(t, adult, () => `${who}: employed minor`);
  }
  if (military?.enlistmentDate !== undefined) {
    // Soldiers are not on a payroll: no insured job overlaps the service.
    const served = [String(military.enlistmentDate), String(military.dischargeDate ?? REFERENCE)];
    for (const job of (employment?.periods as Rec[] | undefined) ?? []) {
      const held = [String(job.acquisitionDate), String(job.lossDate ?? REFERENCE)];
      check(
        t,
        held[1]! < served[0]! || held[0]! > served[1]!,
        () => `${who}: employed ${held.join('…')} while serving ${served.join('…')}`,
      );
    }
  }
  if (income && income.incomeType === 'wage' && Number(income.totalIncome) > 0)
    check(t, employee, () => `${who}: wage income but not insured as an employee`);

  for (const id of [
    'resident.registration-abstract-individual',
    'family.marriage-certificate',
    'welfare.disability-certificate',
    'social-insurance.health-eligibility-history',
    'social-insurance.employment-insurance-history',
    'resident.driving-licence',
    'resident.passport-information',
    'military.service-record-certificate',
  ]) {
    const r = record(id);
    if (r) eventsWithinLife(t, `${who} ${id}`, r, birthDate);
  }

  const owned = record('land.parcels-by-owner')!;
  for (const parcel of owned.parcels as Rec[]) {
    const pnu = String(parcel.parcelNumber);
    check(t, adult, () => `${who}: a minor owns parcel ${pnu}`);
    const key = `${String(parcel.landCategory)}|${String(parcel.location)}`;
    if (parcels) {
      const before = parcels.seen.get(pnu);
      check(t, before === undefined || before === key, () => `parcel ${pnu}: ${before} vs ${key}`);
      parcels.seen.set(pnu, key);
    }
  }
  for (const object of objectsOfPerson(p)) {
    if (object.scheme === 'pnu') {
      const ledger = generateRecord(catalog.get('land.ledger'), p);
      const listed = (owned.parcels as Rec[]).find((x) => x.parcelNumber === object.identifier);
      check(
        t,
        !!listed && listed.landCategory === ledger.landCategory && listed.location === ledger.location,
        () => `${who}: parcel ${object.identifier} reads differently in the land ledger`,
      );
      check(
        t,
        (ledger.owners as Rec[]).every(
          (o) => o.name === p.name && String(o.changeDate) >= yearsAfter(birthDate, 18),
        ),
        () => `${who}: land ledger owners disagree`,
      );
    }
    if (object.scheme === 'vehicle-plate') {
      const car = generateRecord(catalog.get('vehicle.register-part-a'), p);
      const owner = car.owner as Rec;
      check(
        t,
        adult && owner.name === p.name && String(car.firstRegistrationDate) >= yearsAfter(birthDate, 18),
        () => `${who}: vehicle owner ${String(owner.name)} registered ${String(car.firstRegistrationDate)}`,
      );
      check(
        t,
        subjectIdentifier(catalog.get('vehicle.register-part-a'), p) === object.identifier,
        () => `${who}: vehicle plate differs`,
      );
    }
  }
}

/** A corporation's representative is a person of the population, an adult when it was founded. */
export function checkCorporation(
  catalog: Catalog,
  index: number,
  seed: number,
  t: Tally,
  persons: number,
): void {
  const corporation = syntheticCorporation(index, seed);
  const register = generateRecord(catalog.get('court-register.corporate-register'), corporation);
  const representative = (register.officers as Rec[]).find((o) => o.position === 'representative-director');
  check(
    t,
    corporation.representativeIndex < persons,
    () => `corporation ${index}: representative outside the population`,
  );
  const person: SyntheticPerson = syntheticPerson(corporation.representativeIndex, seed);
  check(
    t,
    representative?.name === person.name && representative.birthDate === person.birthDate,
    () =>
      `corporation ${index}: representative ${String(representative?.name)} is not person ${person.index}`,
  );
  check(
    t,
    String(register.incorporationDate) >= yearsAfter(person.birthDate, 18),
    () =>
      `corporation ${index}: founded ${String(register.incorporationDate)} by someone born ${person.birthDate}`,
  );
  check(
    t,
    Number(register.capital) === Number(register.parValuePerShare) * Number(register.issuedShares) &&
      Number(register.issuedShares) <= Number(register.authorisedShares),
    () => `corporation ${index}: capital ${String(register.capital)} is not par × issued shares`,
  );
  const staff = generateRecord(catalog.get('enterprise.workplace-insurance-subscribers'), corporation);
  for (const e of staff.insuredEmployees as Rec[])
    check(
      t,
      String(e.acquisitionDate) >= String(register.incorporationDate),
      () => `corporation ${index}: employee insured before incorporation`,
    );
}
