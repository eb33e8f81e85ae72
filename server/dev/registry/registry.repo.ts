/** knex only: lookups of the reference registry's subjects and objects (tables registry_*). */
import type { Knex } from 'knex';
import { preparedQuery } from '../../db/prepared.js';
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

/**
 * The keyed reads each answer makes, as named prepared statements (planned once per connection):
 * a real agency's adapter reads one row by its key, and so does this one.
 */
const PERSON = (column: 'rrn' | 'brn' | 'idx') =>
  `SELECT idx, seed, profile FROM registry_person WHERE ${column} = $1 ORDER BY idx LIMIT 1`;
const CORPORATION = (column: 'brn' | 'crn' | 'idx') =>
  `SELECT idx, seed FROM registry_corporation WHERE ${column} = $1 LIMIT 1`;
const OBJECT =
  'SELECT owner_kind, owner_idx FROM registry_object WHERE scheme = $1 AND identifier = $2 LIMIT 1';

export function createRegistryRepo(db: Knex): RegistryRepo {
  const first = async <Row>(sql: string, bindings: unknown[]) =>
    (await preparedQuery<Row>(db, { sql, bindings }))[0];
  const person = (column: 'rrn' | 'brn' | 'idx', value: unknown) => first<PersonRef>(PERSON(column), [value]);
  const corporation = (column: 'brn' | 'crn' | 'idx', value: unknown) =>
    first<CorporationRef>(CORPORATION(column), [value]);
  return {
    personByRrn: (rrn) => person('rrn', rrn),
    personByBrn: (brn) => person('brn', brn),
    personByIdx: (idx) => person('idx', idx),
    corporationByBrn: (brn) => corporation('brn', brn),
    corporationByCrn: (crn) => corporation('crn', crn),
    corporationByIdx: (idx) => corporation('idx', idx),
    async object(scheme, identifier) {
      const row = await first<{ owner_kind: 'person' | 'corporation'; owner_idx: number }>(OBJECT, [
        scheme,
        identifier,
      ]);
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
