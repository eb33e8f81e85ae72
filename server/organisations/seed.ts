/**
 * Demo organisations, purposes and entitlements (server/organisations/seed/demo.json), modelled
 * on real tasks. Idempotent: existing rows are left as they are.
 */
import { readFileSync } from 'node:fs';
import type { OrganisationsService } from './organisations.service.js';
import type { LocalisedNames, OrgClass, Purpose } from './organisations.types.js';

export interface DemoSeed {
  organisations: { id: string; class: OrgClass; names: LocalisedNames }[];
  purposes: Omit<Purpose, 'status'>[];
  entitlements: Record<string, string[]>;
}

export function readDemoSeed(): DemoSeed {
  return JSON.parse(readFileSync(new URL('./seed/demo.json', import.meta.url), 'utf8')) as DemoSeed;
}

export async function seedOrganisations(service: OrganisationsService, seed: DemoSeed = readDemoSeed()) {
  const actor = { id: 'seed' };
  let created = 0;
  const ignoreConflict = async (work: () => Promise<unknown>) => {
    try {
      await work();
      created++;
    } catch (err) {
      if ((err as { code?: string }).code !== 'conflict') throw err;
    }
  };
  for (const org of seed.organisations) await ignoreConflict(() => service.createOrganisation(org, actor));
  for (const purpose of seed.purposes) await ignoreConflict(() => service.createPurpose(purpose, actor));
  for (const [orgId, codes] of Object.entries(seed.entitlements)) {
    const current = await service.entitlements(orgId);
    const wanted = [...new Set([...current, ...codes])].sort();
    if (wanted.join() !== current.join()) await service.setEntitlements(orgId, wanted, actor);
  }
  return { created };
}
