/**
 * Many holders, one gateway (DESIGN §4 "Holders"), end to end: POST /v1/queries through the real
 * composition, configured by HOLDERS (one URL, own key and timeout per agency), against one reference
 * registry listener per holder over real HTTP, real PostgreSQL and the real audit log. A query
 * spanning holders takes the time of the slowest, not the sum; a holder that is down or slow fails
 * only its own records, and the answer and the audit entry name it.
 */
import { expect } from 'chai';
import request from 'supertest';
import {
  startHolderRegistries,
  type HolderRegistries,
} from '../../../server/dev/registry/registry-holders.js';
import { seedDemoCitizens, seedRegistry } from '../../../server/dev/registry/registry-seed.js';
import { readProviderPublicKeys } from '../../../server/providers/provider-key.js';
import {
  asPrincipal,
  buildTestApp,
  principalFromTestHeader,
  testCatalog,
  testConfig,
  type TestApp,
} from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { onStopAll } from '../../support/resources.js';
import { CLERK, MINJUN_ID, citizen, seedConsentWorld } from '../../api/consents/consent-fixtures.js';

const LATENCY_MS = 300;
/** welfare.housing-benefit's records, each kept by another agency. */
const BY_HOLDER = {
  mois: 'resident.registration-abstract',
  nts: 'tax.income-amount-certificate',
  nhis: 'social-insurance.health-eligibility-history',
  molit: 'land.parcels-by-owner',
} as const;

describe('holders: one registry per agency behind one gateway', function () {
  this.timeout(60_000);
  let t: TestApp;
  let registries: HolderRegistries;
  let keyStoreDir: string;

  before(async () => {
    const database = await freshDatabase();
    await seedRegistry(database.db, { persons: 50, corporations: 10 });
    await seedDemoCitizens(database.db);
    keyStoreDir = testConfig().keyStoreDir;
    registries = await startHolderRegistries({
      db: database.db,
      catalog: testCatalog(),
      holders: Object.keys(BY_HOLDER),
      // Each agency trusts only the key the gateway keeps for it (created when the gateway starts).
      trustedKeys: (code) => readProviderPublicKeys(keyStoreDir, code),
      // molit is slower than the gateway is willing to wait for it (timeoutMs below).
      latencyMs: { mois: LATENCY_MS, nts: LATENCY_MS, nhis: LATENCY_MS, molit: 1_500 },
    });
    onStopAll(() => registries.stop());
    const link = (code: keyof typeof BY_HOLDER) => ({ url: registries.urls[code], ownKey: true });
    const holders = {
      mois: link('mois'),
      nts: link('nts'),
      nhis: { ...link('nhis'), maxRetries: 0 },
      molit: { ...link('molit'), timeoutMs: 250, maxRetries: 0 },
    };
    t = await buildTestApp({
      database,
      authenticate: principalFromTestHeader,
      env: { HOLDERS: JSON.stringify({ holders }) },
    });
    await seedConsentWorld(t);
  });

  const housingBenefit = (records: string[]) =>
    request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(CLERK))
      .send({
        purpose: 'welfare.housing-benefit',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: records.map((recordType) => ({ recordType })),
        consent: { mode: 'attested', documentReference: 'JONGNO-2026-000777', separateAgreement: true },
      });

  const auditBodies = async (requestId: string) =>
    (await t.database.db('audit_entry').where({ request_id: requestId }).orderBy('entry_id')).map(
      (row: { body: string }) => JSON.parse(row.body) as Record<string, unknown>,
    );

  it('keeps one request-signing key per holder, none shared', async () => {
    const keys = ['mois', 'nts', 'nhis'].map((code) => readProviderPublicKeys(keyStoreDir, code)[0]?.kid);
    expect(keys.every(Boolean), 'one key per holder').to.equal(true);
    expect(new Set(keys).size).to.equal(3);
  });

  it('fetches a 3-record query spanning 3 holders in the time of the slowest, not the sum', async () => {
    const three = [BY_HOLDER.mois, BY_HOLDER.nts, BY_HOLDER.nhis];
    await housingBenefit(three); // warm-up: keys imported, sockets open, code compiled
    const timings: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await housingBenefit(three);
      timings.push(performance.now() - started);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.records.map((r: { outcome: string }) => r.outcome)).to.deep.equal([
        'released',
        'released',
        'released',
      ]);
      expect(
        res.body.records.map((r: { provenance: { holder: string } }) => r.provenance.holder),
      ).to.deep.equal(['mois', 'nts', 'nhis']);
    }
    const single: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      expect((await housingBenefit([BY_HOLDER.nts])).status).to.equal(200);
      single.push(performance.now() - started);
    }
    const best = Math.min(...timings);
    console.log(
      `      1 holder × ${LATENCY_MS} ms: query took ${single.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    console.log(
      `      3 holders × ${LATENCY_MS} ms: query took ${timings.map((ms) => ms.toFixed(0)).join(', ')} ms (sum of latencies ${3 * LATENCY_MS} ms)`,
    );
    expect(best).to.be.at.least(LATENCY_MS);
    expect(best, 'concurrent, not serial').to.be.below(2 * LATENCY_MS);
  });

  it('releases the other holders’ records when one holder is slow, naming the slow one', async () => {
    const res = await housingBenefit([BY_HOLDER.mois, BY_HOLDER.molit, BY_HOLDER.nts]);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const [mois, molit, nts] = res.body.records;
    expect(mois.outcome).to.equal('released');
    expect(nts.outcome).to.equal('released');
    expect(molit.outcome).to.equal('provider_error');
    expect(molit.error.code).to.equal('provider_timeout');
    expect(molit.error.holder).to.equal('molit');
    expect(molit.error.detail).to.match(/^Ministry of Land, Infrastructure and Transport: /);
    const bodies = await auditBodies(res.body.queryId);
    expect(
      bodies.map((b) => [b.recordType, b.outcome, b.reasonCode ?? null, b.holder ?? null]),
    ).to.deep.equal([
      [BY_HOLDER.mois, 'released', null, null],
      [BY_HOLDER.molit, 'provider_error', 'provider_timeout', 'molit'],
      [BY_HOLDER.nts, 'released', null, null],
    ]);
  });

  it('releases the other holders’ records when one holder is down, naming it in the answer and the audit entry', async () => {
    const nhis = registries.registries.find((r) => r.holders[0] === 'nhis')!;
    await nhis.stop();
    const res = await housingBenefit([BY_HOLDER.mois, BY_HOLDER.nts, BY_HOLDER.nhis]);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const [mois, nts, down] = res.body.records;
    expect(mois.outcome).to.equal('released');
    expect(Object.keys(mois.released).length).to.be.greaterThan(0);
    expect(nts.outcome).to.equal('released');
    expect(down.outcome).to.equal('provider_error');
    expect(down.error).to.include({ code: 'provider_unavailable', holder: 'nhis' });
    expect(down.error.detail).to.match(/^National Health Insurance Service: /);
    expect(down).not.to.have.property('released');
    const bodies = await auditBodies(res.body.queryId);
    expect(
      bodies.map((b) => [b.recordType, b.outcome, b.reasonCode ?? null, b.holder ?? null]),
    ).to.deep.equal([
      [BY_HOLDER.mois, 'released', null, null],
      [BY_HOLDER.nts, 'released', null, null],
      [BY_HOLDER.nhis, 'provider_error', 'provider_unavailable', 'nhis'],
    ]);
    // The citizen reads the failed access back with the agency named, in their language.
    await t.composition.audit.sequencer.runOnce();
    await t.composition.audit.checkpointer.publish(true);
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const ko = await request(t.app)
      .get('/portal/history')
      .set(...asPrincipal(minjun));
    expect(ko.status).to.equal(200);
    // The reason and the agency sit side by side on the record's line (tags between them).
    expect(ko.text).to.match(/보유기관 시스템을 이용할 수 없었습니다[^(]*\(국민건강보험공단\)/);
    const en = await request(t.app)
      .get('/portal/history?lang=en')
      .set(...asPrincipal(minjun));
    expect(en.text).to.match(/the registry was unavailable[^(]*\(National Health Insurance Service\)/);
    const ja = await request(t.app)
      .get('/portal/history?lang=ja')
      .set(...asPrincipal(minjun));
    expect(ja.text).to.contain('(国民健康保険公団)');
  });

  it('fails a holder with no registry configured by name, and only its records', async () => {
    // family.relations-certificate is the court registries' (nca), which HOLDERS leaves out here.
    const res = await request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(CLERK))
      .send({
        purpose: 'welfare.single-parent-support',
        subject: { scheme: 'rrn', id: MINJUN_ID },
        mode: 'full',
        records: [{ recordType: 'family.relations-certificate' }, { recordType: BY_HOLDER.mois }],
        consent: { mode: 'attested', documentReference: 'JONGNO-2026-000778', separateAgreement: true },
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.records[0].outcome).to.equal('provider_error');
    expect(res.body.records[0].error).to.include({ code: 'provider_unavailable', holder: 'nca' });
    expect(res.body.records[0].error.detail).to.contain('National Court Administration');
    expect(res.body.records[1].outcome).to.equal('released');
  });
});
