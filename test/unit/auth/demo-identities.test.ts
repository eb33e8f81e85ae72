import { expect } from 'chai';
import {
  DEMO_CITIZENS,
  DEMO_CLERKS,
  DEMO_IDENTITIES,
  DEMO_STAFF,
  demoClaims,
  findDemoIdentity,
} from '../../../server/dev/demo-identities.js';

// Independent re-implementation of the legacy RRN check digit, so the constants are checked
// against the rule rather than against themselves.
function rrnIsWellFormed(rrn: string, birthdate: string): boolean {
  if (!/^\d{13}$/.test(rrn)) return false;
  const digits = [...rrn].map(Number);
  const weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const sum = weights.reduce((acc, w, i) => acc + w * digits[i]!, 0);
  if ((11 - (sum % 11)) % 10 !== digits[12]) return false;
  const century = { 1: '19', 2: '19', 3: '20', 4: '20' }[digits[6]!];
  return (
    century !== undefined &&
    `${century}${rrn.slice(0, 2)}-${rrn.slice(2, 4)}-${rrn.slice(4, 6)}` === birthdate
  );
}

describe('demo identities', () => {
  it('has at least five citizens with well-formed, distinct national IDs matching their birthdates', () => {
    expect(DEMO_CITIZENS.length).to.be.at.least(5);
    for (const citizen of DEMO_CITIZENS) {
      expect(rrnIsWellFormed(citizen.national_id ?? '', citizen.birthdate ?? ''), citizen.sub).to.equal(true);
    }
    expect(new Set(DEMO_CITIZENS.map((c) => c.national_id)).size).to.equal(DEMO_CITIZENS.length);
  });

  it('catches a wrong check digit (the checker itself can fail)', () => {
    expect(rrnIsWellFormed('8503141234563', '1985-03-14')).to.equal(false);
    expect(rrnIsWellFormed('8503141234562', '1985-03-15')).to.equal(false);
  });

  it('has clerks of at least three agencies, an auditor and an admin', () => {
    expect(new Set(DEMO_CLERKS.map((c) => c.org)).size).to.be.at.least(3);
    for (const clerk of DEMO_CLERKS) {
      expect(demoClaims(clerk))
        .to.include({ role: 'clerk' })
        .and.to.have.property('org')
        .that.matches(/^org-/);
      expect(clerk.national_id).to.equal(undefined);
    }
    expect(DEMO_STAFF.map((s) => s.role).sort()).to.deep.equal(['admin', 'auditor']);
  });

  it('uses unique login names and finds them', () => {
    expect(new Set(DEMO_IDENTITIES.map((i) => i.sub)).size).to.equal(DEMO_IDENTITIES.length);
    expect(findDemoIdentity('clerk-mois')?.org).to.equal('org-mois');
    expect(findDemoIdentity('nobody')).to.equal(undefined);
  });
});
