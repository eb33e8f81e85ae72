/**
 * Fills the reference registry's tables with synthetic subjects: persons, corporations (whose
 * representatives are persons) and the objects they own. Batches of rows go in as one
 * `INSERT ... SELECT FROM unnest(arrays)` each, two batches in flight, so a million persons take
 * minutes. Idempotent: rows already there are skipped, so an interrupted run can be repeated.
 */
import type { Knex } from 'knex';
import { DEFAULT_SEED } from './generate-subjects.js';
import { businessNumberForPerson } from './generate-subjects.js';
import {
  demoCitizenProfiles,
  objectsOfCorporation,
  objectsOfPerson,
  registryCorporation,
  registryPerson,
  type OwnedObject,
} from './registry-subjects.js';

export interface SeedProgress {
  phase: 'persons' | 'corporations';
  done: number;
  total: number;
}

export interface SeedOptions {
  persons: number;
  /** Default: one corporation per ten persons. */
  corporations?: number;
  seed?: number;
  batchSize?: number;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedResult {
  persons: number;
  corporations: number;
  objects: number;
  ms: number;
}

interface PgClient {
  query(sql: string, params: unknown[]): Promise<{ rowCount: number | null }>;
}

async function withConnection<T>(db: Knex, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = (await db.client.acquireConnection()) as PgClient;
  try {
    return await fn(client);
  } finally {
    await db.client.releaseConnection(client);
  }
}

const INSERT_PERSONS = `
  INSERT INTO registry_person (idx, seed, rrn, brn, name, birth_date, sex, household)
  SELECT * FROM unnest($1::bigint[], $2::int[], $3::char(13)[], $4::char(10)[], $5::text[], $6::date[], $7::text[], $8::bigint[])
  ON CONFLICT DO NOTHING`;
const INSERT_CORPORATIONS = `
  INSERT INTO registry_corporation (idx, seed, brn, crn, trade_name, representative_idx)
  SELECT * FROM unnest($1::bigint[], $2::int[], $3::char(10)[], $4::char(13)[], $5::text[], $6::bigint[])
  ON CONFLICT DO NOTHING`;
const INSERT_OBJECTS = `
  INSERT INTO registry_object (scheme, identifier, owner_kind, owner_idx)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
  ON CONFLICT DO NOTHING`;

function objectParams(objects: { object: OwnedObject; kind: string; idx: number }[]): unknown[] {
  return [
    objects.map((o) => o.object.scheme),
    objects.map((o) => o.object.identifier),
    objects.map((o) => o.kind),
    objects.map((o) => o.idx),
  ];
}

async function insertPersonBatch(db: Knex, from: number, to: number, seed: number): Promise<number> {
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  const objects: { object: OwnedObject; kind: string; idx: number }[] = [];
  for (let i = from; i < to; i++) {
    const p = registryPerson(i, seed);
    cols[0]!.push(i);
    cols[1]!.push(seed);
    cols[2]!.push(p.rrn);
    cols[3]!.push(businessNumberForPerson(p));
    cols[4]!.push(p.name);
    cols[5]!.push(p.birthDate);
    cols[6]!.push(p.sex);
    cols[7]!.push(p.household);
    for (const object of objectsOfPerson(p)) objects.push({ object, kind: 'person', idx: i });
  }
  return withConnection(db, async (client) => {
    await client.query(INSERT_PERSONS, cols);
    return (await client.query(INSERT_OBJECTS, objectParams(objects))).rowCount ?? 0;
  });
}

async function insertCorporationBatch(db: Knex, from: number, to: number, seed: number): Promise<number> {
  const cols: unknown[][] = [[], [], [], [], [], []];
  const objects: { object: OwnedObject; kind: string; idx: number }[] = [];
  for (let i = from; i < to; i++) {
    const c = registryCorporation(i, seed);
    cols[0]!.push(i);
    cols[1]!.push(seed);
    cols[2]!.push(c.brn);
    cols[3]!.push(c.crn);
    cols[4]!.push(c.tradeName);
    cols[5]!.push(c.representativeIndex);
    for (const object of objectsOfCorporation(c)) objects.push({ object, kind: 'corporation', idx: i });
  }
  return withConnection(db, async (client) => {
    await client.query(INSERT_CORPORATIONS, cols);
    return (await client.query(INSERT_OBJECTS, objectParams(objects))).rowCount ?? 0;
  });
}

/** Runs batches [0, total) with at most two in flight, reporting progress as each completes. */
async function inBatches(
  total: number,
  batchSize: number,
  run: (from: number, to: number) => Promise<number>,
  progress: (done: number) => void,
): Promise<number> {
  let next = 0;
  let done = 0;
  let objects = 0;
  const worker = async () => {
    while (next < total) {
      const from = next;
      const to = Math.min(total, from + batchSize);
      next = to;
      objects += await run(from, to);
      done += to - from;
      progress(done);
    }
  };
  await Promise.all([worker(), worker()]);
  return objects;
}

/**
 * Rows written by an earlier version of the generator name persons the registry would now
 * regenerate differently; a registry whose first person disagrees is emptied and seeded again.
 */
async function dropStalePopulation(db: Knex): Promise<void> {
  const first = (await db('registry_person').select('idx', 'seed', 'rrn').orderBy('idx').first()) as
    { idx: number | string; seed: number; rrn: string } | undefined;
  if (!first || registryPerson(Number(first.idx), first.seed).rrn === first.rrn) return;
  await db.raw('TRUNCATE registry_person, registry_corporation, registry_object');
}

export async function seedRegistry(db: Knex, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const seed = options.seed ?? DEFAULT_SEED;
  await dropStalePopulation(db);
  const batchSize = options.batchSize ?? 10_000;
  const persons = options.persons;
  // Representatives are persons idx*4, so there are at most persons/4 corporations.
  const corporations = Math.min(options.corporations ?? Math.ceil(persons / 10), Math.floor(persons / 4));
  let objects = await inBatches(
    persons,
    batchSize,
    (from, to) => insertPersonBatch(db, from, to, seed),
    (done) => options.onProgress?.({ phase: 'persons', done, total: persons }),
  );
  objects += await inBatches(
    corporations,
    batchSize,
    (from, to) => insertCorporationBatch(db, from, to, seed),
    (done) => options.onProgress?.({ phase: 'corporations', done, total: corporations }),
  );
  objects += await seedDemoCitizens(db, seed);
  await db.raw('ANALYZE registry_person, registry_corporation, registry_object');
  return { persons, corporations, objects, ms: Date.now() - started };
}

/**
 * The dev identity provider's demo citizens and the households generated around them, so a demo
 * login can be queried end to end and their relatives resolve too. A synthetic person who happens
 * to hold the same number gives way.
 */
export async function seedDemoCitizens(db: Knex, seed: number = DEFAULT_SEED): Promise<number> {
  const profiles = new Map(demoCitizenProfiles().map((d) => [d.idx, d.profile]));
  let objects = 0;
  await db.transaction(async (trx) => {
    for (const head of profiles.keys()) {
      for (let idx = head; idx < head + 4; idx++) {
        const profile = profiles.get(idx) ?? null;
        const person = registryPerson(idx, seed, profile);
        await trx('registry_person').where({ rrn: person.rrn }).whereNot({ idx }).del();
        await trx('registry_person')
          .insert({
            idx,
            seed,
            rrn: person.rrn,
            brn: businessNumberForPerson(person),
            name: person.name,
            birth_date: person.birthDate,
            sex: person.sex,
            household: person.household,
            profile: profile ? JSON.stringify(profile) : null,
          })
          .onConflict('idx')
          .merge();
        const owned = objectsOfPerson(person, profile !== null).map((o) => ({
          scheme: o.scheme,
          identifier: o.identifier,
          owner_kind: 'person',
          owner_idx: idx,
        }));
        if (!owned.length) continue;
        // Demo households own their objects even where a synthetic subject held the same identifier.
        const rows = await trx('registry_object')
          .insert(owned)
          .onConflict(['scheme', 'identifier'])
          .merge()
          .returning('scheme');
        objects += rows.length;
      }
    }
  });
  return objects;
}

/** The small demo registry `npm start` loads into an empty registry. */
export const DEMO_SEED = { persons: 2_000, corporations: 200 } as const;

export async function seedDemoRegistryIfEmpty(db: Knex): Promise<SeedResult | undefined> {
  const any = await db('registry_person').first('idx');
  if (any) return undefined;
  return seedRegistry(db, { ...DEMO_SEED });
}
