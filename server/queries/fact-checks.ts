/**
 * Fact checks answer yes/no from a record without releasing it (access mode `fact-check`). The
 * catalog declares each check (id, description, the fields it reads); this table holds how each
 * is computed. A test keeps the two in step: every declared check has exactly one evaluator.
 */
import { calendarDate } from '../policy/dates.js';

type Rec = Readonly<Record<string, unknown>>;
type Evaluate = (record: Rec, today: string) => boolean;

const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
const onOrAfter = (date: unknown, today: string) => typeof date === 'string' && date >= today;
const present = (v: unknown) => v !== undefined && v !== null && v !== '';

const SEIZURES = new Set(['seizure', 'provisional-seizure', 'auction-commencement']);
/** Title registers list seizures among the ownership section's entries, by their purpose. */
const hasSeizure: Evaluate = (r) =>
  Array.isArray(r.ownership) && r.ownership.some((entry) => SEIZURES.has(String((entry as Rec)?.purpose)));
const hasMortgage =
  (field: string): Evaluate =>
  (r) =>
    nonEmpty(r[field]);

/** Keyed `recordType#checkId`: the same check name can read different fields in different records. */
export const FACT_CHECKS: Readonly<Record<string, Evaluate>> = {
  'agriculture.farm-business-registration#farmer': (r) => present(r.registrationNumber),
  'agriculture.fishery-business-registration#fisher': (r) => present(r.registrationNumber),
  'building.general-ledger#illegal_building': (r) => r.violation === true,
  'court-register.corporate-register#corporation_active': (r) => r.status === 'active',
  'court-register.land-title#has_mortgage': hasMortgage('otherRights'),
  'court-register.land-title#has_seizure': hasSeizure,
  'court-register.building-title#has_mortgage': hasMortgage('otherRights'),
  'court-register.building-title#has_seizure': hasSeizure,
  'court-register.condominium-unit-title#has_mortgage': hasMortgage('otherRights'),
  'court-register.condominium-unit-title#has_seizure': hasSeizure,
  'education.school-graduation-certificate#high_school_graduate': (r) => r.schoolLevel === 'high',
  'enterprise.business-registration-certificate#business_active': (r) => r.status === 'active',
  'enterprise.business-status#business_active': (r) => r.status === 'active',
  'enterprise.business-status#business_closed': (r) => r.status === 'closed',
  'enterprise.sme-confirmation#is_sme': (r, today) => present(r.sizeClass) && onOrAfter(r.validUntil, today),
  'enterprise.venture-confirmation#is_venture': (r, today) => onOrAfter(r.validUntil, today),
  'family.relations-certificate#has_spouse': (r) => present(r.spouse),
  'family.relations-certificate#has_children': (r) => nonEmpty(r.children),
  'family.basic-certificate#alive': (r) => r.deceased === false,
  'family.marriage-certificate#married': (r) => present(r.spouse),
  'intellectual-property.patent-register#right_in_force': (r) => r.status === 'registered',
  'intellectual-property.utility-model-register#right_in_force': (r) => r.status === 'registered',
  'intellectual-property.design-register#right_in_force': (r) => r.status === 'registered',
  'intellectual-property.trademark-register#right_in_force': (r) => r.status === 'registered',
  'land.parcels-by-owner#owns_land': (r) => nonEmpty(r.parcels),
  'land.integrated-real-estate-certificate#owned_by_subject': (r) => nonEmpty(r.owners),
  'military.service-record-certificate#military_service_completed': (r) => r.serviceStatus === 'completed',
  'military.national-merit-confirmation#national_merit_recipient': (r) => present(r.meritCategory),
  'resident.registration-abstract#lives_with_spouse': (r) =>
    Array.isArray(r.members) && r.members.some((m) => (m as Rec)?.relationshipToHead === 'spouse'),
  'resident.registration-abstract#household_head': (r) => present(r.householdHeadName) && nonEmpty(r.members),
  'resident.registration-abstract-individual#resident_registered': (r) => present(r.address),
  'resident.id-card-authenticity#id_card_valid': (r) => r.valid === true,
  'resident.registered-households-at-address#occupied': (r) => nonEmpty(r.households),
  'resident.passport-information#passport_valid': (r, today) =>
    r.valid === true && onOrAfter(r.expiryDate, today),
  'resident.alien-registration-certificate#stay_permitted': (r, today) => onOrAfter(r.stayPeriodUntil, today),
  'resident.entry-exit-record#in_country': (r) => {
    // The latest crossing decides; no crossing in the period means the person never left.
    const moves = Array.isArray(r.movements) ? [...(r.movements as Rec[])] : [];
    moves.sort((a, b) => String(a.date).localeCompare(String(b.date)));
    const last = moves[moves.length - 1];
    return !last || last.direction === 'entry';
  },
  'resident.driving-licence#licence_valid': (r) => r.status === 'valid',
  'resident.driving-record#no_drink_driving': (r) =>
    !(Array.isArray(r.violations) && r.violations.some((v) => (v as Rec)?.kind === 'drink-driving')),
  'social-insurance.health-eligibility-history#employee_insured': (r) => r.currentInsuredType === 'employee',
  'social-insurance.health-premium-payment#premiums_paid': (r) =>
    typeof r.totalCharged === 'number' && typeof r.totalPaid === 'number' && r.totalPaid >= r.totalCharged,
  'social-insurance.pension-recipient-status#pension_recipient': (r) => r.receiving === true,
  'social-insurance.employment-insurance-history#currently_employed': (r) =>
    Array.isArray(r.periods) &&
    r.periods.some((p) => typeof p === 'object' && p !== null && !(p as Rec).lossDate),
  'tax.national-payment-certificate#tax_arrears': (r) => r.hasArrears === true,
  'tax.national-payment-certificate-business#tax_arrears': (r) => r.hasArrears === true,
  'tax.local-payment-certificate#tax_arrears': (r) => r.hasArrears === true,
  'tax.income-amount-certificate#income_reported': (r) =>
    typeof r.totalIncome === 'number' && r.totalIncome > 0,
  'tax.arrears-status#tax_arrears': (r) => r.nationalTaxArrears === true || r.localTaxArrears === true,
  'tax.arrears-status#social_insurance_arrears': (r) => r.socialInsuranceArrears === true,
  'vehicle.register-part-a#has_seizure': (r) => nonEmpty(r.seizures),
  'vehicle.register-part-b#has_mortgage': hasMortgage('mortgages'),
  'vehicle.construction-machinery-register#has_mortgage': hasMortgage('mortgages'),
  'welfare.disability-certificate#disability_registered': (r) => present(r.disabilityType),
  'welfare.disability-certificate#disability_severe': (r) => r.severity === 'severe',
  'welfare.basic-livelihood-recipient#basic_livelihood_recipient': (r, today) =>
    nonEmpty(r.benefits) && onOrAfter(r.periodUntil, today),
  'welfare.near-poverty-confirmation#near_poverty': (r, today) => onOrAfter(r.validUntil, today),
  'welfare.single-parent-family#single_parent_family': (r, today) =>
    present(r.supportType) && onOrAfter(r.validUntil, today),
  'welfare.medical-aid-eligibility#medical_aid_recipient': (r, today) =>
    present(r.aidType) && onOrAfter(r.periodUntil, today),
  'welfare.care-worker-licence#licence_valid': (r) => r.revoked === false,
};

export function factCheckKey(recordType: string, checkId: string): string {
  return `${recordType}#${checkId}`;
}

/** Answers the named checks; a check the record type does not declare is a programming error upstream. */
export function answerFactChecks(
  recordType: string,
  checkIds: readonly string[],
  record: Rec,
  now: Date,
): Record<string, boolean> {
  const today = calendarDate(now);
  const answers: Record<string, boolean> = {};
  for (const id of checkIds) {
    const evaluate = FACT_CHECKS[factCheckKey(recordType, id)];
    if (!evaluate) throw new Error(`no evaluator for fact check ${recordType}#${id}`);
    answers[id] = evaluate(record, today);
  }
  return answers;
}
