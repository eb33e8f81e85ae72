/** Resident registration, family relations and education records, told from the household. */
import { REFERENCE_DAY, plusYears } from './calendar.js';
import { between, iso, type Override, type Rec } from './context.js';
import type { Member } from './households.js';
import { childrenOf, parentsOf, spouseOf, type Relative } from './relatives.js';

const RELATION: Record<Member['role'], string> = {
  head: 'self',
  spouse: 'spouse',
  child: 'child',
  parent: 'parent',
};
const RELATION_TO_MEMBER: Record<Member['role'], Record<Member['role'], string>> = {
  head: RELATION,
  spouse: { head: 'spouse', spouse: 'self', child: 'child', parent: 'parent-in-law' },
  child: { head: 'parent', spouse: 'parent', child: 'sibling', parent: 'grandparent' },
  parent: { head: 'child', spouse: 'child-in-law', child: 'grandchild', parent: 'self' },
};

const entry = (p: Relative | Member): Rec => ({
  name: p.name,
  birthDate: p.birthDate,
  residentRegistrationNumber: p.rrn,
  sex: p.sex,
});

export const FAMILY: Record<string, Override> = {
  'resident.registration-abstract': (r, { life }) => {
    const { household } = life;
    const head = household.members[0]!;
    r.householdHeadName = head.name;
    r.address = household.address.full;
    r.householdFormedDate = iso(household.formed);
    r.members = household.members.map((m) => ({
      name: m.name,
      residentRegistrationNumber: m.rrn,
      relationshipToHead: RELATION[m.role],
      movedInDate: iso(m.movedIn),
      changeReason: m.movedInReason,
    }));
    delete r.addressHistory;
  },
  'resident.registration-abstract-individual': (r, { life }) => {
    const { household, member } = life;
    r.name = member.name;
    r.residentRegistrationNumber = member.rrn;
    r.address = household.address.full;
    r.movedInDate = iso(member.movedIn);
    r.householdHeadName = household.members[0]!.name;
    r.relationshipToHead = RELATION[member.role];
    delete r.addressHistory;
    delete r.personalDetailChanges;
  },
  'resident.id-card-authenticity': (r, { life, rng }) => {
    r.issueDate = iso(between(rng, plusYears(life.member.birth, 17), REFERENCE_DAY - 1));
    r.valid = true;
    delete r.invalidReason;
  },
  'family.relations-certificate': (r, { life }) => {
    const { household, member } = life;
    r.subject = entry(member);
    r.parents = parentsOf(household, member).map(entry);
    const spouse = spouseOf(household, member);
    if (spouse) r.spouse = entry(spouse);
    else delete r.spouse;
    r.children = childrenOf(household, member).map(entry);
    const former = member.role === 'head' ? household.former : undefined;
    if (former)
      r.familyHistory = [{ date: iso(former.divorced), event: 'divorce', personName: former.partner.name }];
    else delete r.familyHistory;
    const minors = r.children as Rec[];
    if (former && minors.length)
      r.parentalAuthority = minors.map((c) => ({
        holderName: member.name,
        childName: c.name,
        kind: 'parental-authority',
        since: iso(Math.max(former.divorced, 0)),
      }));
    else delete r.parentalAuthority;
  },
  'family.basic-certificate': (r, { life, rng }) => {
    const m = life.member;
    Object.assign(r, entry(m));
    r.birthPlace = life.household.address.district;
    r.birthReportDate = iso(Math.min(m.birth + 1 + rng.int(30), REFERENCE_DAY));
    delete r.statusHistory;
    r.deceased = false;
  },
  'family.marriage-certificate': (r, { life }) => {
    const { household, member } = life;
    r.subject = entry(member);
    const spouse = spouseOf(household, member);
    if (spouse && household.marriage !== undefined) {
      r.spouse = entry(spouse);
      r.marriageDate = iso(household.marriage);
    } else {
      delete r.spouse;
      delete r.marriageDate;
    }
    const former = member.role === 'head' ? household.former : undefined;
    if (former)
      r.pastMarriages = [
        {
          spouseName: former.partner.name,
          marriageDate: iso(former.married),
          endDate: iso(former.divorced),
          endReason: 'divorce-by-agreement',
        },
      ];
    else delete r.pastMarriages;
  },
  'family.adoption-certificate': (r, { life }) => {
    const { household, member } = life;
    r.adoptee = entry(member);
    const parents = parentsOf(household, member);
    r.adoptiveParents = parents.map(entry);
    r.biologicalParents = parentsOf(household, {
      ...member,
      role: 'spouse',
      index: member.index + 1_000_000_000,
    }).map(entry);
    r.adoptionDate = iso(life.adopted ?? member.birth + 30);
    delete r.dissolutionDate;
  },
  'family.full-adoption-certificate': (r, { life, rng }) => {
    const { household, member } = life;
    const adopted = life.adopted ?? member.birth + 30;
    r.adoptee = entry(member);
    r.adoptiveParents = parentsOf(household, member).map(entry);
    r.biologicalParents = parentsOf(household, {
      ...member,
      role: 'spouse',
      index: member.index + 1_000_000_000,
    }).map(entry);
    r.courtDecisionDate = iso(Math.max(member.birth + 1, adopted - 1 - rng.int(25)));
    r.adoptionDate = iso(adopted);
  },
  'family.former-family-register-transcript': (r, { life }) => {
    // The family register closed on 2007-12-31; it lists whoever of the household was born by then.
    const { household, member } = life;
    const head = household.members[0]!;
    const closed = 13_878; // 2007-12-31
    r.familyHeadName = head.name;
    r.closedDate = iso(closed);
    const relation = RELATION_TO_MEMBER.head;
    r.members = household.members
      .filter((m) => m.birth <= closed)
      .map((m) => ({
        name: m.name,
        relationshipToHead: relation[m.role] === 'self' ? 'head' : relation[m.role],
        birthDate: m.birthDate,
        events: ['birth'],
      }));
    if (!(r.members as Rec[]).length)
      r.members = [
        { name: member.name, relationshipToHead: 'head', birthDate: member.birthDate, events: ['birth'] },
      ];
  },
  'education.school-graduation-certificate': (r, { life, rng }) => {
    const m = life.member;
    const level = life.age >= 19 ? 'high' : life.age >= 16 ? 'middle' : 'elementary';
    const years = level === 'high' ? 19 : level === 'middle' ? 16 : 13;
    r.name = m.name;
    r.birthDate = m.birthDate;
    r.schoolLevel = level;
    // Korean school years end in February.
    r.graduationDate = iso(Math.min(plusYears(m.birth, years) + 20 + rng.int(300), REFERENCE_DAY - 1));
  },
  'education.equivalency-exam-pass': (r, { life }) => {
    r.name = life.member.name;
    r.birthDate = life.member.birthDate;
    r.passDate = iso(life.equivalencyExam ?? plusYears(life.member.birth, 18));
  },
};
