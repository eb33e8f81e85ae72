/** knex only: lookups of the reference registry's subjects and objects (tables registry_*). */
import type { Knex } from 'knex';
import type { Sex } from './population/households.js';

/** Real-looking values that replace the generated ones for explicitly inserted people (demo citizens). */
export interface PersonProfile {
  name: string;
  nameRomanised: string;
  birthDate: string;
  sex: Sex;
  rrn: string;
}

export interface PersonRef {
  idx: number;
  seed: number;
  profile: PersonProfile | null;
}

export interface CorporationRef {
  idx: number;
  seed: number;
}

export interface ObjectRef {
  ownerKind: 'person' | 'corporation';
  ownerIdx: number;
}

export interface RegistryCounts {
  persons: number;
  corporations: number;
  objects: number;
}

export interface RegistryRepo {
  personByRrn(rrn: string): Promise<PersonRef | undefined>;
  personByBrn(brn: string): Promise<PersonRef | undefined>;
  personByIdx(idx: number): Promise<PersonRef | undefined>;
  corporationByBrn(brn: string): Promise<CorporationRef | undefined>;
  corporationByCrn(crn: string): Promise<CorporationRef | undefined>;
  corporationByIdx(idx: number): Promise<CorporationRef | undefined>;
  object(scheme: string, identifier: string): Promise<ObjectRef | undefined>;
  counts(): Promise<RegistryCounts>;
}

export function createRegistryRepo(db: Knex): RegistryRepo {
  const person = async (where: Record<string, unknown>) =>
    (await db('registry_person').select('idx', 'seed', 'profile').where(where).orderBy('idx').first()) as
      PersonRef | undefined;
  const corporation = async (where: Record<string, unknown>) =>
    (await db('registry_corporation').select('idx', 'seed').where(where).first()) as
      CorporationRef | undefined;
  return {
    personByRrn: (rrn) => person({ rrn }),
    personByBrn: (brn) => person({ brn }),
    personByIdx: (idx) => person({ idx }),
    corporationByBrn: (brn) => corporation({ brn }),
    corporationByCrn: (crn) => corporation({ crn }),
    corporationByIdx: (idx) => corporation({ idx }),
    async object(scheme, identifier) {
      const row = (await db('registry_object')
        .select('owner_kind', 'owner_idx')
        .where({ scheme, identifier })
        .first()) as { owner_kind: 'person' | 'corporation'; owner_idx: number } | undefined;
      return row && { ownerKind: row.owner_kind, ownerIdx: row.owner_idx };
    },
    async counts() {
      const count = async (table: string) =>
        Number(((await db(table).count({ n: '*' }).first()) as { n: number | string }).n);
      return {
        persons: await count('registry_person'),
        corporations: await count('registry_corporation'),
        objects: await count('registry_object'),
      };
    },
  };
}
