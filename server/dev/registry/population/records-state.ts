/** Military, welfare, social-insurance and qualification records, told from the life. */
import { REFERENCE_DAY, plusYears, yearOf } from './calendar.js';
import { iso, type Override, type Rec, type RecordContext } from './context.js';
import { employedMember, type Military } from './life.js';
import { income } from './records-tax.js';

const RANKS = ['private', 'private-first-class', 'corporal', 'sergeant'] as const;

function military(r: Rec, { life }: RecordContext): void {
  const m = life.military;
  for (const key of [
    'branch',
    'rank',
    'serviceNumber',
    'specialty',
    'enlistmentDate',
    'dischargeDate',
    'dischargeReason',
    'reserveCategory',
    'physicalGrade',
    'dispositionReason',
  ])
    delete r[key];
  r.name = life.member.name;
  r.residentRegistrationNumber = life.member.rrn;
  if (!m) return;
  r.serviceStatus = m.status;
  if (m.grade !== undefined) r.physicalGrade = m.grade;
  if (m.reason) r.dispositionReason = m.reason;
  if (m.enlisted === undefined) return;
  r.branch = m.branch;
  r.enlistmentDate = iso(m.enlisted);
  r.serviceNumber = `${String(yearOf(m.enlisted)).slice(2)}-${String(70_000_000 + (life.member.index % 10_000_000)).slice(0, 8)}`;
  const months = ((m.discharged ?? REFERENCE_DAY) - m.enlisted) / 30.44;
  r.rank = m.branch === 'social-service' ? 'other' : RANKS[Math.min(3, Math.floor(months / 6))];
  if (m.discharged !== undefined) {
    r.dischargeDate = iso(m.discharged);
    r.dischargeReason = 'completion';
    const yearsSince = (REFERENCE_DAY - m.discharged) / 365.25;
    r.reserveCategory = yearsSince <= 8 ? 'reserve' : life.age <= 40 ? 'civil-defence' : 'none';
  }
}

const insuredType = (c: RecordContext): 'employee' | 'regional' | 'dependant' => {
  if (c.life.work.kind === 'employee') return 'employee';
  const supported = c.life.household.members.some(
    (m) => m.index !== c.life.member.index && employedMember(m, c.seed, c.incorporated),
  );
  return supported && c.life.work.kind === 'none' ? 'dependant' : 'regional';
};

function insurancePeriods(c: RecordContext): Rec[] {
  const { life } = c;
  const periods: Rec[] = [];
  const job = life.work.kind === 'employee' ? life.work.job : undefined;
  if (life.pastJob)
    periods.push({
      insuredType: 'employee',
      workplaceName: c.corporationName(life.pastJob.employer),
      acquisitionDate: iso(life.pastJob.from),
      lossDate: iso(life.pastJob.until!),
    });
  const current = insuredType(c);
  const since = job
    ? job.from
    : Math.min(Math.max(life.pastJob?.until ?? life.member.birth, life.member.birth) + 1, REFERENCE_DAY);
  periods.push({
    insuredType: current,
    ...(job ? { workplaceName: c.corporationName(job.employer) } : {}),
    acquisitionDate: iso(since),
  });
  return periods;
}

export const STATE: Record<string, Override> = {
  'military.service-record-certificate': military,
  'military.conscription-examination-result': (r, { life }) => {
    const m: Partial<Military> = life.military ?? {};
    r.name = life.member.name;
    r.examinationDate = iso(m.examined ?? plusYears(life.member.birth, 19));
    r.physicalGrade = m.grade ?? 1;
    r.disposition = m.disposition ?? 'active-duty';
  },
  'military.national-merit-confirmation': (r, { life }) => {
    r.name = life.member.name;
    r.registrationDate = iso(life.merit ?? REFERENCE_DAY - 1);
    r.relationToMeritPerson = life.age >= 70 ? 'self' : 'child';
  },
  'welfare.disability-certificate': (r, { life, rng }) => {
    const d = life.disability ?? { type: 'physical', severe: false, registered: life.member.birth + 30 };
    r.name = life.member.name;
    r.disabilityType = d.type;
    r.severity = d.severe ? 'severe' : 'not-severe';
    r.registrationDate = iso(d.registered);
    if (r.reassessmentDueDate !== undefined) r.reassessmentDueDate = iso(REFERENCE_DAY + 30 + rng.int(1_000));
  },
  'welfare.basic-livelihood-recipient': (r, { life, rng }) => {
    r.name = life.member.name;
    r.householdSize = life.household.members.length;
    r.periodFrom = iso(life.welfare.basicLivelihood ?? REFERENCE_DAY - 1);
    r.periodUntil = iso(REFERENCE_DAY + 30 + rng.int(700));
  },
  'welfare.near-poverty-confirmation': (r, { life, rng }) => {
    r.name = life.member.name;
    r.validFrom = iso(life.welfare.nearPoverty ?? REFERENCE_DAY - 1);
    r.validUntil = iso(REFERENCE_DAY + 30 + rng.int(700));
  },
  'welfare.self-sufficiency-worker': (r, { life }) => {
    r.name = life.member.name;
    r.institutionName = `${life.household.address.district} 지역자활센터`;
    r.periodFrom = iso(life.welfare.selfSufficiency ?? REFERENCE_DAY - 1);
    delete r.periodUntil;
  },
  'welfare.single-parent-family': (r, { life, rng }) => {
    r.parentName = life.member.name;
    r.supportType = 'single-parent';
    r.children = life.household.members
      .filter((m) => m.role === 'child')
      .map((m) => ({ name: m.name, birthDate: m.birthDate }));
    r.validFrom = iso(life.welfare.singleParent ?? life.household.formed);
    r.validUntil = iso(REFERENCE_DAY + 30 + rng.int(700));
  },
  'welfare.medical-aid-eligibility': (r, { life }) => {
    r.name = life.member.name;
    r.aidType = life.welfare.basicLivelihood !== undefined ? 'type-1' : 'type-2';
    r.periodFrom = iso(life.welfare.basicLivelihood ?? life.welfare.nearPoverty ?? REFERENCE_DAY - 1);
    delete r.periodUntil;
  },
  'welfare.care-worker-licence': (r, { life }) => {
    r.name = life.member.name;
    r.birthDate = life.member.birthDate;
    r.issueDate = iso(life.welfare.careWorker ?? plusYears(life.member.birth, 25));
    r.revoked = false;
  },
  'social-insurance.health-eligibility-history': (r, c) => {
    r.name = c.life.member.name;
    r.currentInsuredType = insuredType(c);
    r.periods = insurancePeriods(c);
  },
  'social-insurance.health-insurance-card': (r, c) => {
    const { life } = c;
    const type = insuredType(c);
    const members = life.household.members;
    const subscriber =
      type === 'dependant'
        ? members.find((m) => m.index !== life.member.index && employedMember(m, c.seed, c.incorporated))!
        : life.member;
    r.subscriberName = subscriber.name;
    r.relationshipToSubscriber =
      subscriber === life.member
        ? 'self'
        : subscriber.role === 'head'
          ? life.member.role === 'spouse'
            ? 'spouse'
            : life.member.role === 'child'
              ? 'child'
              : 'parent'
          : life.member.role === 'head'
            ? 'spouse'
            : life.member.role === 'child'
              ? 'child'
              : 'other';
    r.acquisitionDate = iso(Math.max(life.member.birth, subscriber.birth) + 1);
    r.dependants =
      subscriber === life.member && type !== 'dependant'
        ? members
            .filter((m) => m.index !== life.member.index && !employedMember(m, c.seed, c.incorporated))
            .map((m) => ({
              name: m.name,
              birthDate: m.birthDate,
              relationship: m.role === 'child' ? 'child' : m.role === 'parent' ? 'parent' : 'spouse',
            }))
        : [];
  },
  'social-insurance.health-premium-payment': (r, c) => {
    const monthly =
      insuredType(c) === 'dependant'
        ? 0
        : Math.round((Math.max(income(c.life), 6_000_000) * 0.0354) / 12 / 10) * 10;
    const year = yearOf(REFERENCE_DAY);
    const months = Array.from({ length: 12 }, (_, i) => ({
      year,
      month: i + 1,
      charged: monthly,
      paid: c.life.arrears.social && i >= 9 ? 0 : monthly,
    }));
    r.name = c.life.member.name;
    r.months = months;
    r.totalCharged = months.reduce((n, m) => n + m.charged, 0);
    r.totalPaid = months.reduce((n, m) => n + m.paid, 0);
  },
  'social-insurance.health-screening-result': (r, { life }) => {
    const h = life.health;
    r.screeningDate = iso(h.day);
    r.screeningType = h.type;
    r.heightCm = h.heightCm;
    r.weightKg = h.weightKg;
    r.systolicPressure = h.systolic;
    r.diastolicPressure = h.diastolic;
    r.fastingGlucose = h.glucose;
    r.totalCholesterol = h.cholesterol;
    const bmi = h.weightKg / (h.heightCm / 100) ** 2;
    r.verdict =
      h.glucose >= 126 || h.systolic >= 140
        ? 'disease'
        : h.glucose >= 100 || h.systolic >= 130 || h.cholesterol >= 240
          ? 'suspected-disease'
          : bmi >= 25
            ? 'normal-b'
            : 'normal-a';
  },
  'social-insurance.pension-subscription-certificate': (r, c) => {
    const { life } = c;
    const job = life.work.kind === 'employee' ? life.work.job : undefined;
    const from =
      life.pastJob?.from ??
      job?.from ??
      (life.work.kind === 'self-employed' ? life.work.since : plusYears(life.member.birth, 18));
    const start = Math.min(Math.max(from, plusYears(life.member.birth, 18)), REFERENCE_DAY - 1);
    r.name = life.member.name;
    r.subscriberType = job ? 'workplace' : life.work.kind === 'self-employed' ? 'regional' : 'voluntary';
    r.acquisitionDate = iso(start);
    if (job) r.workplaceName = c.corporationName(job.employer);
    else delete r.workplaceName;
    delete r.lossDate;
    r.contributionMonths = Math.min(720, Math.floor((REFERENCE_DAY - start) / 30.44));
  },
  'social-insurance.pension-recipient-status': (r, { life, rng }) => {
    const receiving = life.age >= 63 && (life.showcase || rng.chance(0.7));
    r.receiving = receiving;
    if (receiving) {
      r.benefitType = 'old-age';
      r.startDate = iso(plusYears(life.member.birth, 63));
      r.monthlyAmount = 300_000 + rng.int(1_500) * 1_000;
    } else {
      delete r.benefitType;
      delete r.startDate;
      delete r.monthlyAmount;
    }
  },
  'social-insurance.employment-insurance-history': (r, c) => {
    const { life } = c;
    const periods: Rec[] = [];
    const p = life.pastJob;
    if (p)
      periods.push({
        workplaceName: c.corporationName(p.employer),
        acquisitionDate: iso(p.from),
        lossDate: iso(p.until!),
        lossReason: p.reason,
      });
    if (life.work.kind === 'employee')
      periods.push({
        workplaceName: c.corporationName(life.work.job.employer),
        acquisitionDate: iso(life.work.job.from),
      });
    r.name = life.member.name;
    r.periods = periods;
  },
  'resident.alien-registration-certificate': (r, { life }) => {
    const n = life.naturalised ?? {
      arrived: life.member.birth + 1,
      naturalised: REFERENCE_DAY - 1,
      nationality: 'CN',
    };
    r.name = life.member.name;
    r.sex = life.member.sex;
    r.birthDate = life.member.birthDate;
    r.nationality = n.nationality;
    r.statusOfStay = 'F-5';
    r.stayPeriodFrom = iso(n.arrived);
    r.registrationDate = iso(Math.min(n.arrived + 30, n.naturalised));
    r.stayPeriodUntil = iso(n.naturalised);
    r.address = life.household.address.full;
  },
  'resident.domestic-residence-report': (r, { life }) => {
    const n = life.naturalised ?? {
      arrived: life.member.birth + 1,
      naturalised: REFERENCE_DAY - 1,
      nationality: 'CN',
    };
    r.name = life.member.name;
    r.nationality = n.nationality;
    r.residenceAddress = life.household.address.full;
    r.periodFrom = iso(n.arrived);
    r.periodUntil = iso(n.naturalised);
  },
  'qualification.national-technical-qualification': (r, { life }) => {
    r.name = life.member.name;
    for (const q of r.qualifications as Rec[])
      q.acquisitionDate = iso(life.qualification ?? plusYears(life.member.birth, 19));
  },
  'qualification.national-professional-licence': (r, { life }) => {
    r.name = life.member.name;
    for (const q of r.licences as Rec[])
      q.acquisitionDate = iso(life.professionalLicence ?? plusYears(life.member.birth, 24));
  },
};
