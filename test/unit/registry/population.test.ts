import { expect } from 'chai';
import fc from 'fast-check';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import type { Catalog } from '../../../server/catalog/catalog.types.js';
import { generateRecord, holdsRecord, syntheticPerson } from '../../../server/dev/registry/generate.js';
import {
  checkCorporation,
  checkPerson,
  fromRrn,
  type Tally,
} from '../../../server/dev/registry/population/invariants.js';
import { registryPerson, demoCitizenProfiles } from '../../../server/dev/registry/registry-subjects.js';
import { DEFAULT_SEED } from '../../../server/dev/registry/generate-subjects.js';

describe('synthetic population', () => {
  let catalog: Catalog;
  before(() => {
    catalog = loadCatalog();
  });

  const holds = (id: string, index: number) => holdsRecord(catalog.get(id), syntheticPerson(index));
  const record = (id: string, index: number) => generateRecord(catalog.get(id), syntheticPerson(index));

  it('keeps every invariant for any person of a million-person population and any seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (index, seed) => {
          const tally: Tally = { checks: 0, violations: [] };
          checkPerson(catalog, index, seed, tally);
          expect(tally.violations).to.deep.equal([]);
          expect(tally.checks).to.be.at.least(10);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps every invariant for whole consecutive blocks, corporations included', () => {
    const tally: Tally = { checks: 0, violations: [] };
    const parcels = { seen: new Map<string, string>() };
    for (let i = 0; i < 2_000; i++) checkPerson(catalog, i, DEFAULT_SEED, tally, parcels);
    for (let c = 0; c < 200; c++) checkCorporation(catalog, c, DEFAULT_SEED, tally, 2_000);
    expect(tally.violations).to.deep.equal([]);
    expect(tally.checks).to.be.greaterThan(40_000);
  });

  it('reports the contradictions the old field-by-field data had (the checks can fail)', () => {
    expect(fromRrn('0105053123454')).to.deep.equal({ birthDate: '2001-05-05', male: true });
    expect(fromRrn('6801022987654')).to.deep.equal({ birthDate: '1968-01-02', male: false });
    // A married woman of a family household, and a man with a completed service record.
    let woman = 0;
    while (
      syntheticPerson(woman).sex !== 'female' ||
      !record('family.marriage-certificate', woman).marriageDate
    )
      woman++;
    let man = 0;
    while (
      !holds('military.service-record-certificate', man) ||
      !record('military.service-record-certificate', man).dischargeDate
    )
      man++;
    const broken = (
      index: number,
      edit: (id: string, r: Record<string, unknown> | undefined) => Record<string, unknown> | undefined,
    ) => {
      const tally: Tally = { checks: 0, violations: [] };
      checkPerson(catalog, index, DEFAULT_SEED, tally, undefined, edit);
      return tally.violations.join('\n');
    };
    const service = record('military.service-record-certificate', man);
    expect(broken(woman, (id, r) => (id === 'military.service-record-certificate' ? service : r))).to.match(
      /military record for a woman/,
    );
    expect(
      broken(man, (id, r) =>
        id === 'military.service-record-certificate'
          ? { ...r, enlistmentDate: syntheticPerson(man).birthDate }
          : r,
      ),
    ).to.match(/enlisted/);
    expect(
      broken(woman, (id, r) =>
        id === 'family.marriage-certificate' ? { ...r, marriageDate: syntheticPerson(woman).birthDate } : r,
      ),
    ).to.match(/married/);
    const screened = (id: string, r: Record<string, unknown> | undefined, change: Record<string, unknown>) =>
      id === 'social-insurance.health-screening-result' && r ? { ...r, ...change } : r;
    let adult = 0;
    while (
      !holds('social-insurance.health-screening-result', adult) ||
      record('social-insurance.health-screening-result', adult).screeningType !== 'general'
    )
      adult++;
    expect(broken(adult, (id, r) => screened(id, r, { heightCm: 212 }))).to.match(/height 212/);
    expect(broken(adult, (id, r) => screened(id, r, { fastingGlucose: 596 }))).to.match(/glucose 596/);
    expect(
      broken(woman, (id, r) =>
        id === 'welfare.disability-certificate' ? { name: 'x', registrationDate: '1900-01-01' } : r,
      ),
    ).to.match(/disability registered/);
    const relations = record('family.relations-certificate', woman);
    const child = { ...(relations.parents as Record<string, unknown>[])[0], birthDate: '2017-01-01' };
    expect(
      broken(woman, (id, r) => (id === 'family.relations-certificate' ? { ...r, parents: [child] } : r)),
    ).to.match(/parent born 2017/);
  });

  it('gives military records to men only, born from 1950, at least 18', () => {
    let men = 0;
    let women = 0;
    for (let i = 0; i < 3_000; i++) {
      const p = syntheticPerson(i);
      const held = holds('military.service-record-certificate', i);
      if (p.sex === 'female') {
        expect(held, `${i}`).to.equal(false);
        women++;
      } else if (held) {
        expect(p.birthDate >= '1950-01-01' && p.birthDate <= '2007-12-31', `${i} ${p.birthDate}`).to.equal(
          true,
        );
        men++;
      }
    }
    expect(men).to.be.greaterThan(500);
    expect(women).to.be.greaterThan(1_000);
  });

  it('registers disabilities and licences for some, not all', () => {
    const count = (id: string) =>
      Array.from({ length: 4_000 }, (_, i) => holds(id, i)).filter(Boolean).length;
    const disabled = count('welfare.disability-certificate');
    expect(disabled).to.be.within(100, 320); // about 5 %
    const licensed = count('resident.driving-licence');
    expect(licensed).to.be.within(1_600, 2_800); // 70 % of the adults
  });

  it('has plausible households: shapes, children younger than parents, the same address', () => {
    const sizes = new Map<number, number>();
    for (let i = 0; i < 4_000; i += 1) {
      const p = syntheticPerson(i);
      if (p.householdRole !== 'head') continue;
      const members = record('resident.registration-abstract', i).members as {
        residentRegistrationNumber: string;
      }[];
      sizes.set(members.length, (sizes.get(members.length) ?? 0) + 1);
    }
    for (const size of [1, 2, 3, 4])
      expect(sizes.get(size) ?? 0, `households of ${size}`).to.be.greaterThan(50);
  });

  it('keeps the demo citizens: names, national IDs and coherent households', () => {
    const expected: [string, string, string][] = [
      ['김민준', '8503141234562', '1985-03-14'],
      ['이서연', '9207212345676', '1992-07-21'],
      ['박지훈', '0105053123454', '2001-05-05'],
      ['최하은', '0311304765439', '2003-11-30'],
      ['정도현', '7709091543215', '1977-09-09'],
      ['강영숙', '6801022987654', '1968-01-02'],
    ];
    const demo = demoCitizenProfiles();
    expect(demo.map((d) => [d.profile.name, d.profile.rrn, d.profile.birthDate])).to.deep.equal(expected);
    for (const { idx, profile } of demo) {
      const p = registryPerson(idx, DEFAULT_SEED, profile);
      expect(syntheticPerson(idx)).to.deep.equal(p);
      for (let k = 0; k < 4; k++) {
        const tally: Tally = { checks: 0, violations: [] };
        checkPerson(catalog, idx + k, DEFAULT_SEED, tally);
        expect(tally.violations, `${profile.name} +${k}`).to.deep.equal([]);
      }
      const military = holdsRecord(catalog.get('military.service-record-certificate'), p);
      expect(military, profile.name).to.equal(profile.sex === 'male');
    }
  });
});
