/**
 * What `npm start` prints about the demo citizens, so a newcomer can query without reading the
 * source: each one's (synthetic) national ID, the records the reference registries hold under it,
 * by holder, and the objects (parcel, vehicle, ship, IP rights) registered to them.
 */
import type { Knex } from 'knex';
import type { Catalog } from '../../catalog/catalog.types.js';
import { DEMO_CITIZENS } from '../demo-identities.js';
import { generateRecord } from './generate.js';
import { createRegistryRepo } from './registry.repo.js';
import { resolveSubject } from './registry-subjects.js';

export interface DemoCitizenHoldings {
  sub: string;
  name: string;
  nationalId: string;
  /** Holder code → ids of the record types held under the national ID. */
  records: Record<string, string[]>;
  /** Identifier scheme → identifiers of objects registered to the citizen. */
  objects: Record<string, string[]>;
}

/** Asks the registry data itself (the same lookup the registries answer with), not a fixed list. */
export async function demoCitizenHoldings(db: Knex, catalog: Catalog): Promise<DemoCitizenHoldings[]> {
  const repo = createRegistryRepo(db);
  const personal = catalog.list().filter((rt) => rt.identifierScheme === 'rrn');
  const out: DemoCitizenHoldings[] = [];
  for (const citizen of DEMO_CITIZENS) {
    if (!citizen.national_id) continue;
    const records: Record<string, string[]> = {};
    for (const rt of personal) {
      const subject = await resolveSubject(repo, rt, citizen.national_id);
      if (!subject) continue;
      try {
        if (!generateRecord(rt, subject)) continue;
      } catch {
        continue; // a record the population says this person cannot have
      }
      (records[rt.holder.id] ??= []).push(rt.id);
    }
    const person = await repo.personByRrn(citizen.national_id);
    const rows = person
      ? ((await db('registry_object')
          .select('scheme', 'identifier')
          .where({ owner_kind: 'person', owner_idx: person.idx })
          .orderBy(['scheme', 'identifier'])) as { scheme: string; identifier: string }[])
      : [];
    const objects: Record<string, string[]> = {};
    for (const row of rows) (objects[row.scheme] ??= []).push(row.identifier);
    out.push({ sub: citizen.sub, name: citizen.name, nationalId: citizen.national_id, records, objects });
  }
  return out;
}

const hyphenated = (rrn: string) => `${rrn.slice(0, 6)}-${rrn.slice(6)}`;

/** Console lines for boot.ts: one block per demo citizen. */
export function demoCitizenLines(holdings: readonly DemoCitizenHoldings[], catalog: Catalog): string[] {
  const order = catalog.holders().map((h) => h.id);
  const lines = ['  Demo citizens   synthetic national IDs; records held under each, by holder:'];
  for (const c of holdings) {
    const total = Object.values(c.records).reduce((n, ids) => n + ids.length, 0);
    lines.push(`    ${c.sub.padEnd(18)} ${c.name.padEnd(16)} ${hyphenated(c.nationalId)}  ${total} records`);
    const byHolder = order
      .filter((code) => c.records[code])
      .map((code) => `${code} ${c.records[code]!.length}`)
      .join(', ');
    if (byHolder) lines.push(`      ${byHolder}`);
    const owned = Object.entries(c.objects).map(([scheme, ids]) => `${scheme} ${ids.join(' ')}`);
    if (owned.length) lines.push(`      owns: ${owned.join('; ')}`);
  }
  return lines;
}
