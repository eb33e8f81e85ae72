/**
 * Whether the registry holds a record of a type about a person at all: only men have a military
 * service record, only registered disabled persons a disability certificate, only licence holders
 * a driving licence. A record type not listed here is held for everyone.
 */
import { daysFromIsoDate } from './calendar.js';
import type { Life } from './life.js';

const FAMILY_REGISTER_CLOSED = daysFromIsoDate('2007-12-31');

const RULES: Record<string, (life: Life) => boolean> = {
  'military.service-record-certificate': (l) => l.military !== undefined,
  'military.conscription-examination-result': (l) => l.military?.examined !== undefined,
  'military.national-merit-confirmation': (l) => l.merit !== undefined,
  'welfare.disability-certificate': (l) => l.disability !== undefined,
  'welfare.basic-livelihood-recipient': (l) => l.welfare.basicLivelihood !== undefined,
  'welfare.near-poverty-confirmation': (l) => l.welfare.nearPoverty !== undefined,
  'welfare.self-sufficiency-worker': (l) => l.welfare.selfSufficiency !== undefined,
  'welfare.single-parent-family': (l) => l.welfare.singleParent !== undefined,
  'welfare.medical-aid-eligibility': (l) =>
    l.welfare.basicLivelihood !== undefined || l.welfare.nearPoverty !== undefined,
  'welfare.care-worker-licence': (l) => l.welfare.careWorker !== undefined,
  'family.adoption-certificate': (l) => l.adopted !== undefined,
  'family.full-adoption-certificate': (l) => l.adopted !== undefined,
  'family.former-family-register-transcript': (l) => l.member.birth <= FAMILY_REGISTER_CLOSED,
  'education.school-graduation-certificate': (l) => l.age >= 13,
  'education.equivalency-exam-pass': (l) => l.equivalencyExam !== undefined,
  'resident.id-card-authenticity': (l) => l.age >= 17,
  // Everyone in the population lives in Korea; only the demo citizens carry these, to be tried.
  'resident.overseas-registration-abstract': (l) => l.showcase,
  'resident.emigration-report-confirmation': (l) => l.showcase,
  'resident.emigration-report-certificate': (l) => l.showcase,
  'resident.passport-information': (l) => l.passport !== undefined,
  'resident.entry-exit-record': (l) => l.passport !== undefined,
  'resident.alien-registration-certificate': (l) => l.naturalised !== undefined,
  'resident.domestic-residence-report': (l) => l.naturalised !== undefined,
  'resident.driving-licence': (l) => l.licence !== undefined,
  'resident.driving-record': (l) => l.licence !== undefined,
  'social-insurance.health-screening-result': (l) => l.screened,
  'social-insurance.pension-subscription-certificate': (l) =>
    l.adult && (l.work.kind !== 'none' || l.pastJob !== undefined),
  'social-insurance.pension-recipient-status': (l) => l.adult,
  'social-insurance.employment-insurance-history': (l) => l.adult,
  'qualification.national-technical-qualification': (l) => l.qualification !== undefined,
  'qualification.national-professional-licence': (l) => l.professionalLicence !== undefined,
  'agriculture.farm-business-registration': (l) => l.farm !== undefined,
  'agriculture.fishery-business-registration': (l) => l.fisher !== undefined,
};

/** Record types about a person's own business: held only for the self-employed. */
export function holdsPersonRecord(recordTypeId: string, identifierScheme: string, life: Life): boolean {
  if (identifierScheme === 'brn') return life.work.kind === 'self-employed';
  if (recordTypeId.startsWith('tax.')) return life.adult;
  return RULES[recordTypeId]?.(life) ?? true;
}
