/** The reference registry over real HTTP on a test database, seeded with the demo citizens. */
import { seedDemoCitizens, seedRegistry } from '../../server/dev/registry/registry-seed.js';
import { startReferenceRegistry } from '../../server/dev/registry/registry-server.js';
import { generateRequestSigningKey, type RequestSigningKey } from '../../server/providers/provider-key.js';
import { testCatalog } from './app.js';
import type { TestDatabase } from './database.js';
import { onStopAll } from './resources.js';

export interface TestRegistry {
  url: string;
  signingKey: RequestSigningKey;
}

export async function startTestRegistry(database: TestDatabase, persons = 50): Promise<TestRegistry> {
  await seedRegistry(database.db, { persons, corporations: 10 });
  await seedDemoCitizens(database.db);
  const signingKey = await generateRequestSigningKey();
  const registry = await startReferenceRegistry({
    db: database.db,
    catalog: testCatalog(),
    trustedKeys: [signingKey.jwk],
  });
  onStopAll(() => registry.stop());
  return { url: registry.url, signingKey };
}
