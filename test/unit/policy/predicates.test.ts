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

  it('business_active reads the catalog status field', () => {
    expect(run('business_active', { status: 'active' })).to.equal(true);
    expect(run('business_active', { status: 'closed' })).to.equal(false);
    expect(run('business_active', { status: 'suspended' })).to.equal(false);
  });

  it("tax_arrears reads the certificate's own arrears flag", () => {
    expect(run('tax_arrears', { hasArrears: true })).to.equal(true);
    expect(run('tax_arrears', { hasArrears: false })).to.equal(false);
    expect(() => run('tax_arrears', { hasArrears: 'yes' })).to.throw(PredicateInputError);
  });

  it('tax_arrears_any is true when national or local tax is in arrears', () => {
    const both = (nationalTaxArrears: boolean, localTaxArrears: boolean) =>
      run('tax_arrears_any', { nationalTaxArrears, localTaxArrears });
    expect(both(false, false)).to.equal(false);
    expect(both(true, false)).to.equal(true);
    expect(both(false, true)).to.equal(true);
    expect(() => run('tax_arrears_any', { nationalTaxArrears: false, localTaxArrears: null })).to.throw(
      PredicateInputError,
    );
  });

  it('disability_registered needs a recorded statutory type', () => {
    expect(run('disability_registered', { disabilityType: 'visual' })).to.equal(true);
    expect(run('disability_registered', { disabilityType: ' ' })).to.equal(false);
    expect(() => run('disability_registered', { disabilityType: 3 })).to.throw(PredicateInputError);
  });

  it('insured_now looks for a coverage period containing today', () => {
    const periods = [
      { acquisitionDate: '2000-01-01', lossDate: '2010-01-01' },
      { acquisitionDate: '2020-01-01' },
    ];
    expect(run('insured_now', { periods })).to.equal(true);
    expect(run('insured_now', { periods: periods.slice(0, 1) })).to.equal(false);
    expect(
      run('insured_now', { periods: [{ acquisitionDate: '2020-01-01', lossDate: '2025-06-15' }] }),
    ).to.equal(false);
    expect(run('insured_now', { periods: [] })).to.equal(false);
  });

  it('owns_parcel compares land identifiers exactly', () => {
    const parcels = [{ parcelNumber: '1111010100100010000' }, { parcelNumber: '2611010100100010000' }];
    expect(run('owns_parcel', { parcels }, { pnu: '2611010100100010000' })).to.equal(true);
    expect(run('owns_parcel', { parcels }, { pnu: '2611010100100010001' })).to.equal(false);
  });

  it('household_size_gte counts every member including the head', () => {
    const members = [{}, {}, {}];
    expect(run('household_size_gte', { members }, { n: 3 })).to.equal(true);
    expect(run('household_size_gte', { members }, { n: 4 })).to.equal(false);
  });

  it('count_gte counts list entries', () => {
    expect(run('count_gte', { items: [] }, { n: 1 })).to.equal(false);
    expect(run('count_gte', { items: [{}, {}] }, { n: 2 })).to.equal(true);
    expect(() => run('count_gte', { items: {} }, { n: 1 })).to.throw(PredicateInputError);
  });

  it('income_below is strict', () => {
    expect(run('income_below', { totalIncome: 29_999_999 }, { amount: 30_000_000 })).to.equal(true);
    expect(run('income_below', { totalIncome: 30_000_000 }, { amount: 30_000_000 })).to.equal(false);
  });

  it('premiums_paid compares paid with charged', () => {
    expect(run('premiums_paid', { totalCharged: 100, totalPaid: 100 })).to.equal(true);
    expect(run('premiums_paid', { totalCharged: 100, totalPaid: 99 })).to.equal(false);
  });

  it('vehicle_seized looks for a seizure not released', () => {
    const seizure = (released: boolean) => ({ date: '2024-01-01', authority: '종로구청', released });
    expect(run('vehicle_seized', { seizures: [seizure(true), seizure(false)] })).to.equal(true);
    expect(run('vehicle_seized', { seizures: [seizure(true)] })).to.equal(false);
    expect(run('vehicle_seized', { seizures: [] })).to.equal(false);
  });

  it('has_mortgage ignores cancelled entries and other rights', () => {
    const right = (purpose: string, cancelled: boolean) => ({ purpose, cancelled });
    expect(run('has_mortgage', { mortgages: [right('mortgage', false)] })).to.equal(true);
    expect(run('has_mortgage', { mortgages: [right('mortgage', true), right('lease', false)] })).to.equal(
      false,
    );
    // Vehicle and ship mortgages have no purpose member.
    expect(run('has_mortgage', { mortgages: [{ cancelled: false }] })).to.equal(true);
    expect(run('has_mortgage', { mortgages: [{ mortgageeName: '한빛은행' }] })).to.equal(true);
  });

  it('title_seized looks for seizure entries in the ownership section', () => {
    const entry = (purpose: string) => ({ purpose });
    expect(run('title_seized', { ownership: [entry('ownership-transfer'), entry('seizure')] })).to.equal(
      true,
    );
    expect(run('title_seized', { ownership: [entry('auction-commencement')] })).to.equal(true);
    expect(run('title_seized', { ownership: [entry('ownership-preservation')] })).to.equal(false);
  });

  it('valid_today includes the last day in Korea', () => {
    expect(run('valid_today', { validUntil: '2025-06-15' })).to.equal(true);
    expect(run('valid_today', { validUntil: '2025-06-14' })).to.equal(false);
    // 2025-06-15T15:00Z is already 2025-06-16 in Korea.
    expect(run('valid_today', { validUntil: '2025-06-15' }, {}, new Date('2025-06-15T15:00:00Z'))).to.equal(
      false,
    );
    expect(() => run('valid_today', { validUntil: 'soon' })).to.throw(PredicateInputError);
  });

  it('flag_is and status_in compare with the given value', () => {
    expect(run('flag_is', { flag: true }, { value: true })).to.equal(true);
    expect(run('flag_is', { flag: false }, { value: true })).to.equal(false);
    expect(run('flag_is', { flag: false }, { value: false })).to.equal(true);
    expect(() => run('flag_is', { flag: 'false' }, { value: false })).to.throw(PredicateInputError);
    expect(run('status_in', { status: 'valid' }, { values: ['valid'] })).to.equal(true);
    expect(run('status_in', { status: 'revoked' }, { values: ['valid', 'suspended'] })).to.equal(false);
  });

  it('resident_since_before compares the move-in date', () => {
    expect(run('resident_since_before', { movedInDate: '2020-03-02' }, { date: '2021-01-01' })).to.equal(
      true,
    );
    expect(run('resident_since_before', { movedInDate: '2021-01-01' }, { date: '2021-01-01' })).to.equal(
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
    expect(check('status_in', { values: [] })).to.equal(false);
    expect(check('flag_is', { value: 'true' })).to.equal(false);
  });
});
