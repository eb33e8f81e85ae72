import { expect } from 'chai';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import type { Catalog } from '../../../server/catalog/catalog.types.js';
import { generateRecord, holdsRecord, syntheticPerson } from '../../../server/dev/registry/generate.js';
import { predicates } from '../../../server/policy/predicates.js';
import { answerFactChecks } from '../../../server/queries/fact-checks.js';

type Rec = Record<string, unknown>;

/**
 * Each shipped predicate and fact check, asked about 2,000 persons of the population, against an
 * answer written out here from the raw record.
 */
describe('predicates and fact checks against the population', function () {
  this.timeout(180_000);
  const SAMPLE = 2_000;
  const now = new Date('2026-01-15T03:00:00Z');
  const today = '2026-01-15';
  let catalog: Catalog;
  before(() => {
    catalog = loadCatalog();
  });
  const persons = () => Array.from({ length: SAMPLE }, (_, i) => syntheticPerson(i * 499));
  const get = (id: string, p: ReturnType<typeof syntheticPerson>): Rec | undefined =>
    holdsRecord(catalog.get(id), p) ? generateRecord(catalog.get(id), p) : undefined;
  const ask = (name: string, inputs: Rec, args: Rec = {}) =>
    predicates.get(name)!.evaluate(inputs, args, now);
  const age = (birth: string) => {
    const years = 2026 - Number(birth.slice(0, 4));
    return '01-15' < birth.slice(5) ? years - 1 : years;
  };

  it('answers every person-record fact check as the record says', () => {
    const asked = new Map<string, number>();
    const yes = new Map<string, number>();
    const expected: Record<string, (r: Rec) => boolean> = {
      'family.relations-certificate#has_spouse': (r) => r.spouse !== undefined,
      'family.relations-certificate#has_children': (r) => (r.children as unknown[]).length > 0,
      'family.basic-certificate#alive': (r) => r.deceased === false,
      'family.marriage-certificate#married': (r) => r.spouse !== undefined,
      'land.parcels-by-owner#owns_land': (r) => (r.parcels as unknown[]).length > 0,
      'military.service-record-certificate#military_service_completed': (r) =>
        r.serviceStatus === 'completed',
      'resident.registration-abstract#lives_with_spouse': (r) =>
        JSON.stringify(r.members).includes('"relationshipToHead":"spouse"'),
      'resident.registration-abstract#household_head': (r) =>
        typeof r.householdHeadName === 'string' && (r.members as unknown[]).length > 0,
      'resident.registration-abstract-individual#resident_registered': (r) =>
        typeof r.address === 'string' && r.address !== '',
      'resident.id-card-authenticity#id_card_valid': (r) => r.valid === true,
      'resident.passport-information#passport_valid': (r) =>
        r.valid === true && String(r.expiryDate) >= today,
      'resident.driving-licence#licence_valid': (r) => r.status === 'valid',
      'social-insurance.health-eligibility-history#employee_insured': (r) =>
        r.currentInsuredType === 'employee',
      'social-insurance.health-premium-payment#premiums_paid': (r) =>
        Number(r.totalPaid) >= Number(r.totalCharged),
      'social-insurance.pension-recipient-status#pension_recipient': (r) => r.receiving === true,
      'social-insurance.employment-insurance-history#currently_employed': (r) =>
        (r.periods as Rec[]).filter((x) => !('lossDate' in x)).length > 0,
      'tax.national-payment-certificate#tax_arrears': (r) => r.hasArrears === true,
      'tax.local-payment-certificate#tax_arrears': (r) => r.hasArrears === true,
      'tax.income-amount-certificate#income_reported': (r) => Number(r.totalIncome) > 0,
      'tax.arrears-status#tax_arrears': (r) => r.nationalTaxArrears === true || r.localTaxArrears === true,
      'tax.arrears-status#social_insurance_arrears': (r) => r.socialInsuranceArrears === true,
      'welfare.disability-certificate#disability_registered': (r) => typeof r.disabilityType === 'string',
      'welfare.disability-certificate#disability_severe': (r) => r.severity === 'severe',
      'welfare.basic-livelihood-recipient#basic_livelihood_recipient': (r) =>
        (r.benefits as unknown[]).length > 0 && String(r.periodUntil) >= today,
      'welfare.near-poverty-confirmation#near_poverty': (r) => String(r.validUntil) >= today,
      'welfare.single-parent-family#single_parent_family': (r) => String(r.validUntil) >= today,
      'welfare.medical-aid-eligibility#medical_aid_recipient': () => false,
      'welfare.care-worker-licence#licence_valid': (r) => r.revoked === false,
      'education.school-graduation-certificate#high_school_graduate': (r) => r.schoolLevel === 'high',
      'agriculture.farm-business-registration#farmer': (r) =>
        typeof r.registrationNumber === 'string' && r.registrationNumber !== '',
      'agriculture.fishery-business-registration#fisher': (r) =>
        typeof r.registrationNumber === 'string' && r.registrationNumber !== '',
      'military.national-merit-confirmation#national_merit_recipient': (r) =>
        typeof r.meritCategory === 'string',
      'resident.entry-exit-record#in_country': (r) => {
        const moves = (r.movements as Rec[]).map((m) => [String(m.date), String(m.direction)]).sort();
        return moves.length === 0 || moves[moves.length - 1]![1] === 'entry';
      },
      'resident.driving-record#no_drink_driving': (r) =>
        !(r.violations as Rec[]).some((v) => v.kind === 'drink-driving'),
      'resident.alien-registration-certificate#stay_permitted': (r) => String(r.stayPeriodUntil) >= today,
    };
    // Medical aid with no end date is open-ended; the shipped check reads a missing end as not current.
    expected['welfare.medical-aid-eligibility#medical_aid_recipient'] = (r) =>
      typeof r.aidType === 'string' && typeof r.periodUntil === 'string' && String(r.periodUntil) >= today;
    for (const p of persons()) {
      for (const type of catalog.list()) {
        if (type.subjectKind !== 'person' || !type.factChecks.length) continue;
        const r = get(type.id, p);
        if (!r) continue;
        const answers = answerFactChecks(
          type.id,
          type.factChecks.map((f) => f.id),
          r,
          now,
        );
        for (const [check, answer] of Object.entries(answers)) {
          const key = `${type.id}#${check}`;
          expect(expected[key], `no hand-written expectation for ${key}`).to.be.a('function');
          expect(answer, `${key} for person ${p.index}`).to.equal(expected[key]!(r));
          asked.set(key, (asked.get(key) ?? 0) + 1);
          if (answer) yes.set(key, (yes.get(key) ?? 0) + 1);
        }
      }
    }
    expect(asked.size).to.be.at.least(30);
    // The population gives both answers for the checks that matter.
    for (const key of [
      'family.marriage-certificate#married',
      'land.parcels-by-owner#owns_land',
      'social-insurance.health-eligibility-history#employee_insured',
      'military.service-record-certificate#military_service_completed',
      'tax.income-amount-certificate#income_reported',
    ])
      expect(
        [yes.get(key) ?? 0, (asked.get(key) ?? 0) - (yes.get(key) ?? 0)].every((n) => n > 10),
        key,
      ).to.equal(true);
  });

  it('answers every shipped predicate as the record says', () => {
    const used = new Set<string>();
    for (const p of persons()) {
      const basic = get('family.basic-certificate', p)!;
      const birth = String(basic.birthDate);
      used.add('age_gte').add('age_lt');
      expect(ask('age_gte', { birthDate: birth }, { years: 19 })).to.equal(age(birth) >= 19);
      expect(ask('age_lt', { birthDate: birth }, { years: 65 })).to.equal(age(birth) < 65);
      const individual = get('resident.registration-abstract-individual', p)!;
      used.add('resident_of').add('resident_since_before');
      expect(ask('resident_of', { address: individual.address }, { region: '서울특별시' })).to.equal(
        String(individual.address).startsWith('서울특별시 '),
      );
      expect(
        ask('resident_since_before', { movedInDate: individual.movedInDate }, { date: '2015-01-01' }),
      ).to.equal(String(individual.movedInDate) < '2015-01-01');
      const household = get('resident.registration-abstract', p)!;
      used.add('household_size_gte');
      expect(ask('household_size_gte', { members: household.members }, { n: 3 })).to.equal(
        (household.members as unknown[]).length >= 3,
      );
      const land = get('land.parcels-by-owner', p)!;
      used.add('count_gte').add('owns_parcel');
      expect(ask('count_gte', { items: land.parcels }, { n: 1 })).to.equal(
        (land.parcels as unknown[]).length > 0,
      );
      expect(ask('owns_parcel', { parcels: land.parcels }, { pnu: p.address.parcelNumber })).to.equal(
        JSON.stringify(land.parcels).includes(p.address.parcelNumber),
      );
      const national = get('tax.national-payment-certificate', p);
      if (national) {
        used.add('tax_arrears');
        expect(ask('tax_arrears', { hasArrears: national.hasArrears })).to.equal(
          (national.arrears as unknown[]).length > 0,
        );
      }
      const arrears = get('tax.arrears-status', p);
      if (arrears) {
        used.add('tax_arrears_any');
        expect(ask('tax_arrears_any', arrears)).to.equal(
          arrears.nationalTaxArrears === true || arrears.localTaxArrears === true,
        );
      }
      const income = get('tax.income-amount-certificate', p);
      if (income) {
        used.add('income_below');
        const total = (income.payers as Rec[]).reduce((n, x) => n + Number(x.amount), 0);
        expect(ask('income_below', { totalIncome: income.totalIncome }, { amount: 40_000_000 })).to.equal(
          total < 40_000_000,
        );
      }
      const premiums = get('social-insurance.health-premium-payment', p)!;
      used.add('premiums_paid');
      const months = premiums.months as Rec[];
      expect(ask('premiums_paid', premiums)).to.equal(
        months.every((m) => Number(m.paid) >= Number(m.charged)),
      );
      const disability = get('welfare.disability-certificate', p);
      if (disability) {
        used.add('disability_registered');
        expect(ask('disability_registered', disability)).to.equal(true);
      }
      const employment = get('social-insurance.employment-insurance-history', p);
      if (employment) {
        used.add('insured_now');
        const open = (employment.periods as Rec[]).some(
          (x) =>
            String(x.acquisitionDate) <= today && (x.lossDate === undefined || String(x.lossDate) >= today),
        );
        expect(ask('insured_now', { periods: employment.periods })).to.equal(open);
      }
      const car =
        holdsRecord(catalog.get('vehicle.register-part-a'), p) && p.householdRole !== 'child'
          ? generateRecord(catalog.get('vehicle.register-part-a'), p)
          : undefined;
      if (car) {
        used.add('vehicle_seized');
        expect(ask('vehicle_seized', { seizures: car.seizures })).to.equal(
          (car.seizures as Rec[]).filter((s) => s.released === false).length > 0,
        );
        const partB = generateRecord(catalog.get('vehicle.register-part-b'), p);
        used.add('has_mortgage');
        expect(ask('has_mortgage', { mortgages: partB.mortgages })).to.equal(
          (partB.mortgages as Rec[]).some((m) => m.cancelled === false),
        );
      }
      const title = generateRecord(catalog.get('court-register.land-title'), p);
      used.add('title_seized');
      expect(ask('title_seized', { ownership: title.ownership })).to.equal(
        JSON.stringify(title.ownership).includes('"purpose":"seizure"'),
      );
      const passport = get('resident.passport-information', p);
      if (passport) {
        used.add('valid_today').add('flag_is');
        expect(ask('valid_today', { validUntil: passport.expiryDate })).to.equal(
          String(passport.expiryDate) >= today,
        );
        expect(ask('flag_is', { flag: passport.valid }, { value: true })).to.equal(passport.valid === true);
      }
      const military = get('military.service-record-certificate', p);
      if (military) {
        used.add('status_in');
        expect(
          ask('status_in', { status: military.serviceStatus }, { values: ['completed', 'exempt'] }),
        ).to.equal(military.serviceStatus === 'completed' || military.serviceStatus === 'exempt');
      }
    }
    const businessStatus = { status: 'active' };
    used.add('business_active');
    expect(ask('business_active', businessStatus)).to.equal(true);
    expect([...predicates.keys()].filter((name) => !used.has(name))).to.deep.equal([]);
  });
});
