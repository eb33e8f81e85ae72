/**
 * The reference registries split by holder, over real HTTP and PostgreSQL: one listener per holding
 * agency on its own port, each trusting its own key, answering only its own record types (404
 * record_type_unknown for the others, openapi/provider.yaml) and only tokens addressed to it.
 */
import { expect } from 'chai';
import { DEMO_CITIZENS } from '../../../server/dev/demo-identities.js';
import { demoCitizenHoldings, demoCitizenLines } from '../../../server/dev/registry/demo-listing.js';
import {
  startHolderRegistries,
  type HolderRegistries,
} from '../../../server/dev/registry/registry-holders.js';
import { seedDemoCitizens, seedRegistry } from '../../../server/dev/registry/registry-seed.js';
import { GATEWAY_ISSUER } from '../../../server/providers/provider-config.js';
import { generateRequestSigningKey, type RequestSigningKey } from '../../../server/providers/provider-key.js';
import { signRequestToken } from '../../../server/providers/request-token.js';
import { testCatalog } from '../../support/app.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import { onStopAll } from '../../support/resources.js';

const MINJUN = DEMO_CITIZENS.find((c) => c.sub === 'citizen-minjun')!.national_id!;

describe('reference registries, one per holder', function () {
  this.timeout(60_000);
  const catalog = testCatalog();
  let database: TestDatabase;
  let registries: HolderRegistries;
  const keys = new Map<string, RequestSigningKey>();

  before(async () => {
    database = await freshDatabase();
    await seedRegistry(database.db, { persons: 40, corporations: 5 });
    await seedDemoCitizens(database.db);
    for (const holder of catalog.holders()) keys.set(holder.id, await generateRequestSigningKey());
    registries = await startHolderRegistries({
      db: database.db,
      catalog,
      trustedKeys: (code) => [keys.get(code)!.jwk],
    });
    onStopAll(() => registries.stop());
  });

  async function fetchRecord(
    holderUrl: string,
    recordType: string,
    identifier: string,
    sign: { key: RequestSigningKey; audience: string } | null,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const path = `/v1/records/${recordType}:fetch`;
    const body = JSON.stringify({ identifier });
    const requestId = `rid-${Math.random().toString(36).slice(2)}`;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
    if (sign) {
      const token = await signRequestToken(sign.key, {
        issuer: GATEWAY_ISSUER,
        audience: sign.audience,
        method: 'POST',
        path,
        body,
        requestId,
      });
      headers.authorization = `Bearer ${token}`;
    }
    const res = await fetch(new URL(path, holderUrl), { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('runs one listener per holder of the catalog, each on its own port and alive', async () => {
    expect(registries.registries.map((r) => r.holders)).to.deep.equal(catalog.holders().map((h) => [h.id]));
    const ports = Object.values(registries.urls).map((u) => new URL(u).port);
    expect(ports).to.have.length(24);
    expect(new Set(ports).size).to.equal(24);
    for (const url of Object.values(registries.urls)) {
      const res = await fetch(new URL('/health', url));
      expect(res.status, url).to.equal(200);
    }
  });

  it('answers its own record types with its own key and audience', async () => {
    const res = await fetchRecord(
      registries.urls.mois!,
      'resident.registration-abstract-individual',
      MINJUN,
      {
        key: keys.get('mois')!,
        audience: 'urn:juc:provider:mois',
      },
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ recordType: 'resident.registration-abstract-individual', holder: 'mois' });
    expect((res.body.record as { residentRegistrationNumber: string }).residentRegistrationNumber).to.equal(
      MINJUN,
    );
  });

  it('refuses another holder’s record types with 404 record_type_unknown, signed or not', async () => {
    for (const sign of [{ key: keys.get('mma')!, audience: 'urn:juc:provider:mma' }, null]) {
      const res = await fetchRecord(
        registries.urls.mma!,
        'resident.registration-abstract-individual',
        MINJUN,
        sign,
      );
      expect(res.status).to.equal(404);
      expect(res.body.code).to.equal('record_type_unknown');
      expect(res.body.detail).to.equal(
        'This registry does not hold resident.registration-abstract-individual.',
      );
    }
    const tax = await fetchRecord(registries.urls.mois!, 'tax.national-payment-certificate', MINJUN, {
      key: keys.get('mois')!,
      audience: 'urn:juc:provider:mois',
    });
    expect(tax.status).to.equal(404);
    expect(tax.body.code).to.equal('record_type_unknown');
  });

  it('refuses a token signed with another holder’s key or addressed to another holder', async () => {
    const record = 'resident.registration-abstract-individual';
    const otherKey = await fetchRecord(registries.urls.mois!, record, MINJUN, {
      key: keys.get('nts')!,
      audience: 'urn:juc:provider:mois',
    });
    expect(otherKey.status).to.equal(401);
    expect(otherKey.body.code).to.equal('unauthenticated');
    const otherAudience = await fetchRecord(registries.urls.mois!, record, MINJUN, {
      key: keys.get('mois')!,
      audience: 'urn:juc:provider:nts',
    });
    expect(otherAudience.status).to.equal(401);
    expect(String(otherAudience.body.detail)).to.match(/aud/);
  });

  it('lists the demo citizens with their national IDs and the records each holder keeps for them', async () => {
    const holdings = await demoCitizenHoldings(database.db, catalog);
    expect(holdings.map((h) => h.nationalId)).to.deep.equal(
      DEMO_CITIZENS.filter((c) => c.national_id).map((c) => c.national_id),
    );
    const minjun = holdings.find((h) => h.sub === 'citizen-minjun')!;
    expect(minjun.records.mois).to.include('resident.registration-abstract-individual');
    expect(minjun.records.nts).to.include('tax.national-payment-certificate');
    for (const [holder, ids] of Object.entries(minjun.records)) {
      for (const id of ids) expect(catalog.get(id).holder.id, id).to.equal(holder);
    }
    const lines = demoCitizenLines(holdings, catalog);
    expect(lines[0]).to.contain('Demo citizens');
    const line = lines.find((l) => l.includes('citizen-minjun'))!;
    expect(line).to.contain('850314-1234562');
    expect(lines.join('\n')).to.match(/mois \d+, .*nts \d+/);
  });
});
