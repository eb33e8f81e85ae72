/** Tax, land-ownership and farming records, told from the life. */
import { REFERENCE_DAY, plusYears, yearOf } from './calendar.js';
import { iso, type Override, type Rec } from './context.js';
import type { Life } from './life.js';
import { addressOfParcel, parcelFacts } from './parcels.js';

/** Yearly income from work, in KRW. */
export function income(life: Life): number {
  return life.work.kind === 'employee'
    ? life.work.salary
    : life.work.kind === 'self-employed'
      ? life.work.income
      : 0;
}

export const TAX_AND_LAND: Record<string, Override> = {
  'tax.national-payment-certificate': (r, { life, rng }) => {
    r.taxpayerName = life.member.name;
    r.residentRegistrationNumber = life.member.rrn;
    r.address = life.household.address.full;
    r.hasArrears = life.arrears.national;
    r.arrears = life.arrears.national
      ? [
          {
            taxItem: 'income-tax',
            taxYear: yearOf(REFERENCE_DAY) - 1,
            amount: 100_000 + rng.int(5_000) * 1_000,
            dueDate: iso(REFERENCE_DAY - 30 - rng.int(300)),
          },
        ]
      : [];
    r.deferments = [];
  },
  'tax.local-payment-certificate': (r, { life, rng }) => {
    r.taxpayerName = life.member.name;
    r.residentRegistrationNumber = life.member.rrn;
    r.address = life.household.address.full;
    r.hasArrears = life.arrears.local;
    r.arrears = life.arrears.local
      ? [
          {
            taxItem: life.vehicle !== undefined ? 'automobile-tax' : 'resident-tax',
            taxYear: yearOf(REFERENCE_DAY) - 1,
            amount: 10_000 + rng.int(500) * 1_000,
            dueDate: iso(REFERENCE_DAY - 30 - rng.int(300)),
          },
        ]
      : [];
  },
  'tax.arrears-status': (r, { life }) => {
    r.nationalTaxArrears = life.arrears.national;
    r.localTaxArrears = life.arrears.local;
    r.socialInsuranceArrears = life.arrears.social;
    r.checkedOn = iso(REFERENCE_DAY);
  },
  'tax.income-amount-certificate': (r, c) => {
    const { life } = c;
    const amount = income(life);
    r.taxpayerName = life.member.name;
    r.residentRegistrationNumber = life.member.rrn;
    r.attributionYear = yearOf(REFERENCE_DAY) - 1;
    r.incomeType = life.work.kind === 'self-employed' ? 'business' : 'wage';
    r.payers =
      life.work.kind === 'employee'
        ? [
            {
              businessRegistrationNumber: c.corporationBrn(life.work.job.employer),
              payerName: c.corporationName(life.work.job.employer),
              amount,
            },
          ]
        : life.work.kind === 'self-employed'
          ? [{ businessRegistrationNumber: c.corporation.brn, payerName: c.corporation.tradeName, amount }]
          : [];
    r.totalIncome = amount;
    r.determinedTax = Math.round(Math.max(0, amount - 15_000_000) * 0.12);
  },
  'tax.local-tax-assessment': (r, { life, rng }) => {
    r.taxpayerName = life.member.name;
    r.taxYear = yearOf(REFERENCE_DAY);
    const items: Rec[] = [
      {
        taxItem: 'resident-tax',
        taxableObject: life.household.address.district,
        amount: 10_000,
        paymentStatus: life.arrears.local ? 'unpaid' : 'paid',
      },
    ];
    if (life.ownsHome)
      items.push({
        taxItem: 'property-tax',
        taxableObject: life.household.address.full,
        amount: 100_000 + rng.int(2_000) * 1_000,
        paymentStatus: 'paid',
      });
    if (life.vehicle !== undefined)
      items.push({
        taxItem: 'automobile-tax',
        taxableObject: 'vehicle',
        amount: 100_000 + rng.int(600) * 1_000,
        paymentStatus: 'paid',
      });
    r.assessments = items;
  },
  'land.parcels-by-owner': (r, { life }) => {
    r.ownerName = life.member.name;
    const owned = [
      ...(life.ownsHome ? [life.household.address.parcelNumber] : []),
      ...(life.farm?.parcels ?? []),
    ];
    r.parcels = owned.map((pnu) => {
      const f = parcelFacts(pnu);
      return {
        parcelNumber: pnu,
        location: addressOfParcel(pnu).full,
        landCategory: f.category,
        area: f.area,
        share: '1/1',
      };
    });
  },
  'agriculture.farm-business-registration': (r, { life, rng }) => {
    r.operatorName = life.member.name;
    r.registrationDate = iso(life.farm?.registered ?? plusYears(life.member.birth, 19));
    r.parcels = (life.farm?.parcels ?? []).map((pnu) => ({
      parcelNumber: pnu,
      area: parcelFacts(pnu).area,
      crop:
        parcelFacts(pnu).category === 'paddy' ? 'rice' : rng.pick(['vegetables', 'fruit', 'special-crops']),
      tenure: 'owned',
    }));
  },
  'agriculture.fishery-business-registration': (r, { life }) => {
    r.operatorName = life.member.name;
    r.registrationDate = iso(life.fisher ?? plusYears(life.member.birth, 19));
  },
};
