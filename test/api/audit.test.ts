import { expect } from 'chai';
import request from 'supertest';
import type { Principal } from '../../server/auth/principal.js';
import { verifyAccessLogPage } from '../../server/audit/access-log-verifier.js';
import type { AccessLogPage } from '../../server/audit/access-log.service.js';
import { fromBase64 } from '../../server/audit/bytes.js';
import { leafHash, rootFromLeafHashes } from '../../server/audit/merkle.js';
import { checkCheckpoint, verifyCheckpointConsistency } from '../../server/audit/verifier.js';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../support/app.js';
import { entryFor, subjectOf } from '../integration/audit/helpers.js';

const A = subjectOf('citizen-a');
const B = subjectOf('citizen-b');
const citizen = (subjectKey: string): Principal => ({
  kind: 'citizen',
  sub: `sub-${subjectKey.slice(0, 6)}`,
  subjectKey,
});

describe('audit API: public log and citizen access history', function () {
  this.timeout(30_000);
  let t: TestApp;
  let clock = new Date('2026-03-01T09:00:00Z');
  let firstCheckpoint: string;
  let logKey: string;

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader, now: () => clock });
    const { service, sequencer, checkpointer } = t.composition.audit;
    for (let i = 0; i < 5; i++) await service.append(entryFor(A));
    await service.append(
      entryFor(B, {
        requester: { org: 'org-agency-x', clerkRef: 'clerk-7' },
        legalBasis: 'act-12',
        consent: null,
      }),
    );
    await sequencer.runOnce();
    await checkpointer.publish(true);
    firstCheckpoint = (await request(t.app).get('/v1/log/checkpoint').expect(200)).text;
    clock = new Date('2026-03-02T09:00:00Z');
    for (let i = 0; i < 4; i++) {
      await service.append(
        entryFor(i % 2 ? A : B, { recordType: i % 2 ? 'land.ledger' : 'resident.registration-abstract' }),
      );
    }
    await service.append(
      entryFor(A, {
        requester: { org: 'org-police', clerkRef: '=HYPERLINK("x")' },
        purposeCode: 'investigation.case',
        legalBasis: 'criminal-procedure-act',
        consent: null,
        embargoUntil: new Date('2026-06-01T00:00:00Z'),
      }),
    );
    await sequencer.runOnce();
    await checkpointer.publish(true);
    logKey = (await request(t.app).get('/v1/log/key').expect(200)).text.split('\n')[0]!;
  });

  it('publishes our public keys as a JWKS with kid, alg and use and no private members', async () => {
    const res = await request(t.app).get('/.well-known/jwks.json').expect(200);
    const keys = res.body.keys as Record<string, string>[];
    expect(keys.map((k) => k.alg).sort()).to.deep.equal(['ES256', 'ES256', 'EdDSA']);
    for (const k of keys) {
      expect(k).to.include({ use: 'sig' });
      expect(k.kid).to.be.a('string');
      expect(k).to.not.have.property('d');
    }
  });

  it('serves a signed checkpoint whose root is the hash of the public leaves', async () => {
    const note = (
      await request(t.app)
        .get('/v1/log/checkpoint')
        .expect(200)
        .expect('content-type', /text\/plain/)
    ).text;
    const checked = await checkCheckpoint(note, { logKey });
    expect(checked.ok).to.equal(true);
    if (!checked.ok) return;
    expect(checked.checkpoint.size).to.equal(11);
    const bundle = (await request(t.app).get('/v1/log/entries?start=0&count=1000').expect(200)).body as {
      entries: { index: number; leaf: string; leafHash: string }[];
    };
    expect(bundle.entries.map((e) => e.index)).to.deep.equal([...Array(11).keys()]);
    const hashes = bundle.entries.map((e) => {
      expect(leafHash(fromBase64(e.leaf))).to.deep.equal(fromBase64(e.leafHash));
      return fromBase64(e.leafHash);
    });
    expect(rootFromLeafHashes(hashes)).to.deep.equal(checked.checkpoint.rootHash);
  });

  it('proves consistency between checkpoints and rejects sizes beyond the tree', async () => {
    const note = (await request(t.app).get('/v1/log/checkpoint')).text;
    const res = await request(t.app).get('/v1/log/proofs/consistency?from=6&to=11').expect(200);
    const ok = await verifyCheckpointConsistency({
      logKey,
      oldCheckpoint: firstCheckpoint,
      newCheckpoint: note,
      proof: res.body.proof,
    });
    expect(ok.ok).to.equal(true);
    const bad = await request(t.app).get('/v1/log/proofs/inclusion?index=3&size=99').expect(400);
    expect(bad.body).to.include({ code: 'validation_failed' });
    expect(
      (await request(t.app).get('/v1/log/proofs/inclusion?index=x&size=3').expect(400)).body.code,
    ).to.equal('validation_failed');
    expect((await request(t.app).get('/v1/log/entries?start=50').expect(404)).body.code).to.equal(
      'not_found',
    );
  });

  it('shows citizen A all and only their visible entries, each verifiable, in one unbroken chain', async () => {
    const res = await request(t.app)
      .get('/v1/me/access-log')
      .set(...asPrincipal(citizen(A)))
      .expect(200);
    const page = res.body as AccessLogPage;
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(page.entries).to.have.length(7); // 8 of A's, one embargoed
    expect(page.entries.every((e) => e.entry.subjectKey === A)).to.equal(true);
    expect(page.entries.map((e) => e.subject.seq)).to.deep.equal([7, 6, 5, 4, 3, 2, 1]);
    expect(page.entries.some((e) => e.entry.requester.org === 'org-police')).to.equal(false);
    const verdict = await verifyAccessLogPage(page, { logKey });
    expect(verdict.ok).to.equal(true);
    expect(verdict.entries.every((e) => e.status === 'verified')).to.equal(true);
    expect(verdict.gaps).to.deep.equal([]);
    expect(page.pending).to.equal(0);

    // A tampered opening is caught by the same browser-side check.
    const forged = structuredClone(page);
    forged.entries[2]!.entry.purpose = 'something.else';
    const caught = await verifyAccessLogPage(forged, { logKey });
    expect(caught.ok).to.equal(false);
    expect(caught.entries[2]!.status).to.equal('commitment_mismatch');
  });

  it("never shows B's principal any of A's entries", async () => {
    const page = (
      await request(t.app)
        .get('/v1/me/access-log')
        .set(...asPrincipal(citizen(B)))
        .expect(200)
    ).body as AccessLogPage;
    expect(page.entries.map((e) => e.entry.subjectKey)).to.deep.equal([B, B, B]);
    expect(JSON.stringify(page)).to.not.contain(A);
    await request(t.app).get('/v1/me/access-log').expect(401);
    const clerk: Principal = { kind: 'clerk', sub: 'c', clerkId: 'c', orgId: 'org-agency-x' };
    expect(
      (
        await request(t.app)
          .get('/v1/me/access-log')
          .set(...asPrincipal(clerk))
          .expect(403)
      ).body.code,
    ).to.equal('forbidden');
  });

  it('pages with a cursor, filters by organisation, record type and date, and proves consistency since a size', async () => {
    const first = (
      await request(t.app)
        .get('/v1/me/access-log?limit=3')
        .set(...asPrincipal(citizen(A)))
        .expect(200)
    ).body as AccessLogPage;
    expect(first.entries.map((e) => e.subject.seq)).to.deep.equal([7, 6, 5]);
    const second = (
      await request(t.app)
        .get(`/v1/me/access-log?limit=3&cursor=${first.nextCursor}`)
        .set(...asPrincipal(citizen(A)))
        .expect(200)
    ).body as AccessLogPage;
    expect(second.entries.map((e) => e.subject.seq)).to.deep.equal([4, 3, 2]);
    const last = (
      await request(t.app)
        .get(`/v1/me/access-log?limit=3&cursor=${second.nextCursor}`)
        .set(...asPrincipal(citizen(A)))
        .expect(200)
    ).body as AccessLogPage;
    expect(last.entries.map((e) => e.subject.seq)).to.deep.equal([1]);
    expect(last.nextCursor).to.equal(null);

    const land = (
      await request(t.app)
        .get('/v1/me/access-log?record_type=land.ledger')
        .set(...asPrincipal(citizen(A)))
        .expect(200)
    ).body as AccessLogPage;
    expect(land.entries.map((e) => e.entry.recordType)).to.deep.equal(['land.ledger', 'land.ledger']);
    const day1 = (
      await request(t.app)
        .get('/v1/me/access-log?to=2026-03-02T00:00:00Z')
        .set(...asPrincipal(citizen(A)))
        .expect(200)
    ).body as AccessLogPage;
    expect(day1.entries).to.have.length(5);
    const none = (
      await request(t.app)
        .get('/v1/me/access-log?organisation=org-none')
        .set(...asPrincipal(citizen(A)))
        .expect(200)
    ).body as AccessLogPage;
    expect(none.entries).to.deep.equal([]);

    const since = (
      await request(t.app)
        .get('/v1/me/access-log?since_size=6')
        .set(...asPrincipal(citizen(A)))
        .expect(200)
    ).body as AccessLogPage;
    expect(since.consistency).to.include({ fromSize: 6, toSize: 11 });
    const verdict = await verifyAccessLogPage(since, { logKey, previousCheckpoint: firstCheckpoint });
    expect(verdict.consistency).to.equal('verified');
    await request(t.app)
      .get('/v1/me/access-log?since_size=999')
      .set(...asPrincipal(citizen(A)))
      .expect(400);
    await request(t.app)
      .get('/v1/me/access-log?limit=101')
      .set(...asPrincipal(citizen(A)))
      .expect(400);
    await request(t.app)
      .get('/v1/me/access-log?cursor=bm9wZQ')
      .set(...asPrincipal(citizen(A)))
      .expect(400);
  });

  it('reveals an embargoed entry once its date has passed, as the next link of the chain', async () => {
    const saved = clock;
    clock = new Date('2026-06-01T00:00:01Z');
    try {
      const page = (
        await request(t.app)
          .get('/v1/me/access-log')
          .set(...asPrincipal(citizen(A)))
          .expect(200)
      ).body as AccessLogPage;
      expect(page.entries).to.have.length(8);
      expect(page.entries[0]!.entry).to.include({
        purpose: 'investigation.case',
        legalBasis: 'criminal-procedure-act',
      });
      expect(page.entries[0]!.subject.seq).to.equal(8);
      expect((await verifyAccessLogPage(page, { logKey })).ok).to.equal(true);
    } finally {
      clock = saved;
    }
  });

  it('exports the history as CSV with the same filters and spreadsheet-safe cells', async () => {
    const res = await request(t.app)
      .get('/v1/me/access-log.csv')
      .set(...asPrincipal(citizen(B)))
      .expect(200);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    expect(res.headers['content-disposition']).to.contain('attachment');
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).to.equal(
      'time,organisation,client_id,clerk_ref,purpose,legal_basis,consent_id,consent_mode,record_type,fields,outcome,reason,request_id,log_index,subject_seq',
    );
    expect(lines).to.have.length(4);
    expect(lines.at(-1)).to.match(
      /^2026-03-01T09:00:00.000Z,org-agency-x,,clerk-7,loan.mortgage-screening,act-12,,,resident.registration-abstract,name:full;address:generalise,released,/,
    );
    clock = new Date('2026-07-01T00:00:00Z');
    const a = await request(t.app)
      .get('/v1/me/access-log.csv?organisation=org-police')
      .set(...asPrincipal(citizen(A)))
      .expect(200);
    expect(a.text).to.contain(`"'=HYPERLINK(""x"")"`);
    await request(t.app).get('/v1/me/access-log.csv').expect(401);
  });
});
