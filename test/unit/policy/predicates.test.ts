import { expect } from 'chai';
import { strictAjv } from '../../../server/policy/ajv.js';
import { PredicateInputError, predicates } from '../../../server/policy/predicates.js';
import { NOW } from './fixtures.js';

function run(
  name: string,
  inputs: Record<string, unknown>,
  args: Record<string, unknown> = {},
  now = NOW,
): boolean {
  const def = predicates.get(name);
  if (!def) throw new Error(`no predicate ${name}`);
  return def.evaluate(inputs, args, now);
}

describe('policy predicates', () => {
  it('has at least 10, each with inputs and a compilable strict argument schema', () => {
    expect(predicates.size).to.be.at.least(10);
    const ajv = strictAjv();
    for (const def of predicates.values()) {
      expect(Object.keys(def.inputs), def.name).to.have.length.above(0);
      expect(() => ajv.compile(def.args), def.name).not.to.throw();
    }
  });

  it('age_gte / age_lt count completed years on the clock date in Korea', () => {
    expect(run('age_gte', { birthDate: '2006-06-15' }, { years: 19 })).to.equal(true); // birthday today
    expect(run('age_gte', { birthDate: '2006-06-16' }, { years: 19 })).to.equal(false);
    expect(run('age_lt', { birthDate: '2006-06-16' }, { years: 19 })).to.equal(true);
    expect(run('age_lt', { birthDate: '1990-01-01' }, { years: 19 })).to.equal(false);
    // 2025-06-14T15:00Z is already 2025-06-15 in Korea.
    expect(
      run('age_gte', { birthDate: '2006-06-15' }, { years: 19 }, new Date('2025-06-14T15:00:00Z')),
    ).to.equal(true);
    expect(
      run('age_gte', { birthDate: '2006-06-15' }, { years: 19 }, new Date('2025-06-14T14:59:59Z')),
    ).to.equal(false);
    expect(() => run('age_gte', { birthDate: 'unknown' }, { years: 19 })).to.throw(PredicateInputError);
  });

  it('age_gte: a 29 February birthday is reached on 1 March in common years', () => {
    const mar1 = new Date('2025-03-01T00:00:00+09:00');
    const feb28 = new Date('2025-02-28T12:00:00+09:00');
    expect(run('age_gte', { birthDate: '2004-02-29' }, { years: 21 }, mar1)).to.equal(true);
    expect(run('age_gte', { birthDate: '2004-02-29' }, { years: 21 }, feb28)).to.equal(false);
  });

  it('resident_of matches leading address units only', () => {
    const address = '서울특별시 종로구 세종대로 209';
    expect(run('resident_of', { address }, { region: '서울특별시' })).to.equal(true);
    expect(run('resident_of', { address }, { region: '서울특별시 종로구' })).to.equal(true);
    expect(run('resident_of', { address }, { region: '종로구' })).to.equal(false);
    expect(run('resident_of', { address }, { region: '서울' })).to.equal(false);
    expect(run('resident_of', { address: '부산광역시 해운대구' }, { region: '서울특별시' })).to.equal(false);
  });

  it('business_active', () => {
    expect(run('business_active', { businessStatus: 'active' })).to.equal(true);
    expect(run('business_active', { businessStatus: 'closed' })).to.equal(false);
    expect(run('business_active', { businessStatus: 'suspended' })).to.equal(false);
  });

  it('tax_arrears', () => {
    expect(run('tax_arrears', { arrearsAmount: 1 })).to.equal(true);
    expect(run('tax_arrears', { arrearsAmount: 0 })).to.equal(false);
    expect(() => run('tax_arrears', { arrearsAmount: 'lots' })).to.throw(PredicateInputError);
  });

  it('disability_registered is true between registration and cancellation', () => {
    const reg = (registeredOn: string, cancelledOn?: string | null) => ({
      disabilityRegistration: { registeredOn, cancelledOn },
    });
    expect(run('disability_registered', reg('2010-01-01'))).to.equal(true);
    expect(run('disability_registered', reg('2010-01-01', null))).to.equal(true);
    expect(run('disability_registered', reg('2010-01-01', '2025-06-16'))).to.equal(true);
    expect(run('disability_registered', reg('2010-01-01', '2025-06-15'))).to.equal(false);
    expect(run('disability_registered', reg('2025-06-16'))).to.equal(false);
  });

  it('insured_now looks for a coverage period containing today', () => {
    const periods = [
      { from: '2000-01-01', until: '2010-01-01' },
      { from: '2020-01-01', until: null },
    ];
    expect(run('insured_now', { coveragePeriods: periods })).to.equal(true);
    expect(run('insured_now', { coveragePeriods: periods.slice(0, 1) })).to.equal(false);
    expect(run('insured_now', { coveragePeriods: [] })).to.equal(false);
  });

  it('owns_parcel compares land identifiers exactly', () => {
    const parcels = [{ pnu: '1111010100100010000' }, { pnu: '2611010100100010000' }];
    expect(run('owns_parcel', { parcels }, { pnu: '2611010100100010000' })).to.equal(true);
    expect(run('owns_parcel', { parcels }, { pnu: '2611010100100010001' })).to.equal(false);
  });

  it('household_size_gte counts every member including the head', () => {
    const householdMembers = [{}, {}, {}];
    expect(run('household_size_gte', { householdMembers }, { n: 3 })).to.equal(true);
    expect(run('household_size_gte', { householdMembers }, { n: 4 })).to.equal(false);
  });

  it('income_below is strict', () => {
    expect(run('income_below', { annualIncome: 29_999_999 }, { amount: 30_000_000 })).to.equal(true);
    expect(run('income_below', { annualIncome: 30_000_000 }, { amount: 30_000_000 })).to.equal(false);
  });

  it('vehicle_seized looks for a seizure in force today', () => {
    expect(run('vehicle_seized', { seizures: [{ registeredOn: '2024-01-01', releasedOn: null }] })).to.equal(
      true,
    );
    expect(
      run('vehicle_seized', { seizures: [{ registeredOn: '2024-01-01', releasedOn: '2025-01-01' }] }),
    ).to.equal(false);
    expect(run('vehicle_seized', { seizures: [] })).to.equal(false);
  });

  it('resident_since_before compares the move-in date', () => {
    expect(run('resident_since_before', { moveInDate: '2020-03-02' }, { date: '2021-01-01' })).to.equal(true);
    expect(run('resident_since_before', { moveInDate: '2021-01-01' }, { date: '2021-01-01' })).to.equal(
      false,
    );
  });

  it('argument schemas reject wrong arguments', () => {
    const ajv = strictAjv();
    const check = (name: string, args: unknown): boolean =>
      ajv.compile(predicates.get(name)?.args ?? {})(args);
    expect(check('age_gte', { years: 19 })).to.equal(true);
    expect(check('age_gte', { years: '19' })).to.equal(false);
    expect(check('age_gte', {})).to.equal(false);
    expect(check('owns_parcel', { pnu: '123' })).to.equal(false);
    expect(check('business_active', {})).to.equal(true);
    expect(check('business_active', { extra: 1 })).to.equal(false);
  });
});
