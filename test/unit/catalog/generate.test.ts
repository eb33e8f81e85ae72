import { expect } from 'chai';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import type { Catalog } from '../../../server/catalog/catalog.types.js';
import { canonicaliseIdentifier, identifierSchemes } from '../../../server/catalog/identifiers/index.js';
import {
  DEFAULT_SEED,
  generateRecord,
  subjectIdentifier,
  syntheticCorporation,
  syntheticPerson,
  type SyntheticSubject,
} from '../../../server/dev/registry/generate.js';

describe('synthetic registry data', () => {
  let catalog: Catalog;
  before(() => {
    catalog = loadCatalog();
  });

  const subjects = (): SyntheticSubject[] => [
    syntheticPerson(0),
    syntheticPerson(1),
    syntheticPerson(2),
    syntheticPerson(123_457),
    syntheticPerson(999_999),
    syntheticPerson(5, 7),
    syntheticCorporation(0),
    syntheticCorporation(4_321),
  ];

  it('generates a record valid against its schema for every record type and several subjects', () => {
    for (const rt of catalog.list()) {
      const validate = catalog.validator(rt.id);
      for (const subject of subjects()) {
        const record = generateRecord(rt, subject);
        expect(validate(record), `${rt.id} for ${subject.kind} ${subject.index}`).to.deep.equal([]);
      }
    }
  });

  it('gives every subject a valid identifier in every record type’s scheme', () => {
    for (const rt of catalog.list()) {
      for (const subject of subjects()) {
        const id = subjectIdentifier(rt, subject);
        expect(canonicaliseIdentifier(rt.identifierScheme, id), `${rt.id}`).to.equal(id);
      }
    }
  });

  it('puts the subject’s own identifiers into the record', () => {
    const person = syntheticPerson(77);
    const abstract = generateRecord(catalog.get('resident.registration-abstract-individual'), person);
    expect(abstract.residentRegistrationNumber).to.equal(person.rrn);
    expect(abstract.name).to.equal(person.name);
    const corporation = syntheticCorporation(77);
    const register = generateRecord(catalog.get('court-register.corporate-register'), corporation);
    expect(register.corporateRegistrationNumber).to.equal(corporation.crn);
    const land = catalog.get('land.ledger');
    expect(generateRecord(land, person).parcelNumber).to.equal(subjectIdentifier(land, person));
  });

  it('is deterministic in seed and index, and the seed matters', () => {
    expect(syntheticPerson(31_337)).to.deep.equal(syntheticPerson(31_337));
    expect(syntheticPerson(31_337, DEFAULT_SEED)).to.deep.equal(syntheticPerson(31_337));
    expect(syntheticPerson(31_337, 1).name + syntheticPerson(31_337, 1).birthDate).to.not.equal(
      syntheticPerson(31_337).name + syntheticPerson(31_337).birthDate,
    );
    const rt = catalog.get('family.relations-certificate');
    expect(generateRecord(rt, syntheticPerson(9))).to.deep.equal(generateRecord(rt, syntheticPerson(9)));
    // Out-of-order generation gives the same answer as in-order generation.
    const later = syntheticPerson(40_001);
    syntheticPerson(3);
    expect(syntheticPerson(40_001)).to.deep.equal(later);
  });

  it('makes realistic persons: Korean name, valid RRN agreeing with birth date and sex, shared household address', () => {
    for (let i = 0; i < 2_000; i++) {
      const p = syntheticPerson(i * 997);
      expect(p.name).to.match(/^[가-힣]{3}$/);
      expect(identifierSchemes.rrn.canonicalise(p.rrn)).to.equal(p.rrn);
      expect(p.rrn.slice(0, 6)).to.equal(p.birthDate.slice(2).replace(/-/g, ''));
      const g = Number(p.rrn.charAt(6));
      expect(g % 2 === 1 ? 'male' : 'female').to.equal(p.sex);
      expect(g >= 3 ? '2000' : '1900').to.equal(p.birthDate.slice(0, 2) + '00');
      expect(p.birthDate <= '2025-12-31').to.equal(true);
    }
    // Find a family of four: head, spouse and two children share one household and address.
    let start = 0;
    while (
      syntheticPerson(start + 3).household !== start ||
      syntheticPerson(start + 1).householdRole !== 'spouse'
    )
      start += 4;
    const [head, spouse, child] = [
      syntheticPerson(start),
      syntheticPerson(start + 1),
      syntheticPerson(start + 2),
    ];
    expect(head.householdRole).to.equal('head');
    expect(child.householdRole).to.equal('child');
    expect(spouse.address).to.deep.equal(head.address);
    expect(child.address.full).to.equal(head.address.full);
    expect(child.birthDate > head.birthDate && child.birthDate > spouse.birthDate).to.equal(true);
    expect(spouse.sex).to.not.equal(head.sex);
  });

  it('gives distinct persons distinct RRNs', () => {
    const seen = new Set<string>();
    // The serial digits repeat every 100 000 persons; sample across those groups too.
    for (let i = 0; i < 60_000; i++) seen.add(syntheticPerson(i).rrn);
    for (let g = 1; g < 16; g++)
      for (let i = 0; i < 2_000; i++) seen.add(syntheticPerson(g * 100_000 + i).rrn);
    expect(seen.size).to.equal(60_000 + 15 * 2_000);
  });

  it('makes corporations with valid and distinct BRN and CRN', () => {
    const brns = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const c = syntheticCorporation(i * 13);
      expect(identifierSchemes.brn.canonicalise(c.brn)).to.equal(c.brn);
      expect(identifierSchemes.crn.canonicalise(c.crn)).to.equal(c.crn);
      brns.add(c.brn);
    }
    expect(brns.size).to.equal(5_000);
  });
});
