import { expect } from 'chai';
import { generateRecord, syntheticPerson } from '../../../server/dev/registry/generate.js';
import { answerFactChecks, FACT_CHECKS, factCheckKey } from '../../../server/queries/fact-checks.js';
import { testCatalog } from '../../support/app.js';

describe('fact checks', () => {
  const catalog = testCatalog();
  const now = new Date('2026-11-23T03:00:00Z');

  it('has exactly one evaluator for every fact check the catalog declares', () => {
    const declared = catalog.list().flatMap((t) => t.factChecks.map((f) => factCheckKey(t.id, f.id)));
    expect(Object.keys(FACT_CHECKS).sort()).to.deep.equal([...declared].sort());
  });

  it('answers every declared check with a boolean for generated records of every type', () => {
    for (const type of catalog.list()) {
      if (!type.factChecks.length) continue;
      const record = generateRecord(type, syntheticPerson(7)) as Record<string, unknown>;
      const answers = answerFactChecks(
        type.id,
        type.factChecks.map((f) => f.id),
        record,
        now,
      );
      for (const value of Object.values(answers)) expect(value, type.id).to.be.a('boolean');
    }
  });

  it('reads the fields it declares, with real true and false cases', () => {
    const tax = (hasArrears: boolean) =>
      answerFactChecks('tax.national-payment-certificate', ['tax_arrears'], { hasArrears }, now);
    expect(tax(true)).to.deep.equal({ tax_arrears: true });
    expect(tax(false)).to.deep.equal({ tax_arrears: false });
    const passport = (valid: boolean, expiryDate: string) =>
      answerFactChecks('resident.passport-information', ['passport_valid'], { valid, expiryDate }, now)
        .passport_valid;
    expect(passport(true, '2026-11-23')).to.equal(true); // still valid on its last day (Korean date)
    expect(passport(true, '2026-11-22')).to.equal(false);
    expect(passport(false, '2030-01-01')).to.equal(false);
    const title = (purpose: string) =>
      answerFactChecks(
        'court-register.land-title',
        ['has_seizure'],
        { ownership: [{ purpose: 'ownership-transfer' }, { purpose }] },
        now,
      ).has_seizure;
    expect(title('provisional-seizure')).to.equal(true);
    expect(title('ownership-preservation')).to.equal(false);
    const travel = (direction: string) =>
      answerFactChecks(
        'resident.entry-exit-record',
        ['in_country'],
        {
          movements: [
            { direction, date: '2026-10-01' },
            { direction: 'departure', date: '2026-01-01' },
          ],
        },
        now,
      ).in_country;
    expect(travel('entry')).to.equal(true);
    expect(travel('departure')).to.equal(false);
  });

  it('refuses a check the record type does not declare', () => {
    expect(() => answerFactChecks('tax.national-payment-certificate', ['business_active'], {}, now)).to.throw(
      /no evaluator/,
    );
  });
});
