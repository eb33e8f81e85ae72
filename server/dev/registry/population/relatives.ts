/**
 * Family relations read from households: spouse, children, parents. Relatives outside the
 * population (a head's own parents, a single parent's former partner) are generated from the
 * person's index with births that respect the same rules (parents 22–38 years older).
 */
import { Random } from '../generate-random.js';
import { plusYears } from './calendar.js';
import { identityFor, type Household, type Identity, type Member } from './households.js';

export interface Relative extends Identity {
  readonly birth: number;
  /** Index in the population, when the relative is part of it. */
  readonly index?: number;
}

const asRelative = (m: Member): Relative => ({
  name: m.name,
  nameRomanised: m.nameRomanised,
  sex: m.sex,
  birthDate: m.birthDate,
  rrn: m.rrn,
  birth: m.birth,
  index: m.index,
});

export function spouseOf(household: Household, member: Member): Member | undefined {
  if (member.role === 'head') return household.members.find((m) => m.role === 'spouse');
  if (member.role === 'spouse') return household.members[0];
  return undefined;
}

export function childrenOf(household: Household, member: Member): Relative[] {
  if (member.role === 'head' || member.role === 'spouse')
    return household.members.filter((m) => m.role === 'child').map(asRelative);
  if (member.role === 'parent') return [asRelative(household.members[0]!)];
  return [];
}

/** Outside parents get serials far from any seeded index's; they are not in the registry. */
function outsideParent(member: Member, sex: 'male' | 'female', k: number, surnameIndex?: number): Relative {
  const rng = new Random(member.index, k, 0x70617265);
  const birth = plusYears(member.birth, -(22 + rng.int(16))) - rng.int(300);
  const identity = identityFor(rng, sex, birth, 90_000 + ((member.index * 2 + k) % 10_000), surnameIndex);
  return { ...identity, birth };
}

export function parentsOf(household: Household, member: Member): Relative[] {
  const head = household.members[0]!;
  if (member.role === 'child') {
    const spouse = household.members.find((m) => m.role === 'spouse');
    if (spouse) return [asRelative(head), asRelative(spouse)];
    const partner = household.former?.partner;
    const other = partner && household.former ? [{ ...partner, birth: partnerBirth(household) }] : [];
    return [asRelative(head), ...other];
  }
  const inHousehold = member.role === 'head' ? household.members.find((m) => m.role === 'parent') : undefined;
  // Korean surnames come from the father, so his is the member's own.
  const father = member.surnameIndex;
  if (inHousehold) {
    const other = outsideParent(
      member,
      inHousehold.sex === 'male' ? 'female' : 'male',
      1,
      inHousehold.sex === 'male' ? undefined : father,
    );
    return [asRelative(inHousehold), other];
  }
  return [outsideParent(member, 'male', 0, father), outsideParent(member, 'female', 1)];
}

function partnerBirth(household: Household): number {
  const iso = household.former!.partner.birthDate;
  return Math.floor(
    Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86400000,
  );
}
