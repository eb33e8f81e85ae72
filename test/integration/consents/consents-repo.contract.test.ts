/**
 * One contract for the consents repo port, run against the knex repo on PostgreSQL and against the
 * in-memory fake (test/support/fakes/consents-repo.fake.ts): what the use cases rely on — records
 * round-trip unchanged, a failed transaction leaves nothing, a use is counted only while the
 * consent is usable, events and webhooks are kept in order, the citizen's list is ranked and paged,
 * the expiry sweep finds what has ended. The fake's unit tests are only as good as this agreement.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createConsentsRepo, type ConsentsRepo } from '../../../server/consents/consents.repo.js';
import type { ConsentRecord } from '../../../server/consents/consents.types.js';
import {
  BUILDER_NOW,
  aConsent,
  givenConsent,
  knexParents,
  noParents,
  type ParentRows,
} from '../../support/builders/consent.builder.js';
import { freshDatabase } from '../../support/database.js';
import { createFakeConsentsRepo } from '../../support/fakes/consents-repo.fake.js';

const DAY_MS = 86_400_000;
const at = (days: number) => new Date(BUILDER_NOW.getTime() + days * DAY_MS);

interface Subject {
  repo: ConsentsRepo;
  parents: ParentRows;
}

function consentsRepoContract(name: string, setUp: () => Promise<Subject>): void {
  describe(`consents repo contract: ${name}`, function () {
    this.timeout(30_000);
    let repo: ConsentsRepo;
    let given: (overrides?: Partial<ConsentRecord>) => Promise<ConsentRecord>;

    before(async () => {
      const subject = await setUp();
      repo = subject.repo;
      given = (overrides = {}) => givenConsent(repo, subject.parents, overrides);
    });

    it('returns a stored record as it was stored, and nothing for an unknown or malformed id', async () => {
      const record = await given({ dataRange: { from: '2025-01-01', to: '2025-12-31' }, amr: ['pwd'] });
      expect(await repo.get(record.id)).to.deep.equal(record);
      expect(await repo.get(randomUUID())).to.equal(undefined);
      expect(await repo.get('not-a-uuid')).to.equal(undefined);
    });

    it('keeps an absent separate agreement as null', async () => {
      const { separateAgreement: _, ...withoutAgreement } = aConsent();
      await repo.insert(withoutAgreement);
      expect((await repo.get(withoutAgreement.id))!.separateAgreement).to.equal(null);
    });

    it('finds a pending request by its short code', async () => {
      const record = await given({ status: 'REQUESTED', shortCode: `SC${randomUUID().slice(0, 6)}` });
      expect((await repo.findByShortCode(record.shortCode!))!.id).to.equal(record.id);
      expect(await repo.findByShortCode('NOSUCH00')).to.equal(undefined);
    });

    it('refuses a second record with the same id', async () => {
      const record = await given();
      let refused = false;
      await repo.insert(record).catch(() => (refused = true));
      expect(refused).to.equal(true);
    });

    it('writes the next version inside a transaction, and none of it when the work throws', async () => {
      const record = await given();
      await repo.transaction(async (trx) => {
        const locked = (await repo.getForUpdate(record.id, trx))!;
        await repo.replace({ ...locked, version: 3, status: 'PAUSED' }, trx);
      });
      expect(await repo.get(record.id)).to.deep.include({ version: 3, status: 'PAUSED' });

      const failed = await repo
        .transaction(async (trx) => {
          await repo.replace({ ...record, version: 4, status: 'REVOKED' }, trx);
          await repo.insertEvent({ ...eventOf(record), version: 4, type: 'revoked', state: 'REVOKED' }, trx);
          throw new Error('audit store full');
        })
        .catch((err: Error) => err.message);
      expect(failed).to.equal('audit store full');
      expect(await repo.get(record.id)).to.deep.include({ version: 3, status: 'PAUSED' });
      expect(await repo.events(record.id)).to.deep.equal([]);
    });

    it('counts a use only while the consent is ACTIVE, at that version, inside its validity and below its maximum', async () => {
      const record = await given({ maxUses: 2 });
      const now = at(0);
      expect(await repo.countUse(record.id, record.version + 1, now)).to.equal(undefined);
      expect(await repo.countUse(record.id, record.version, record.validUntil!)).to.equal(undefined);
      expect(
        await repo.countUse(record.id, record.version, new Date(record.validFrom!.getTime() - 1)),
      ).to.equal(undefined);
      const first = await repo.countUse(record.id, record.version, now);
      expect(first).to.deep.include({ useCount: 1, version: record.version, lastUsedAt: now });
      expect((await repo.countUse(record.id, record.version, now))!.useCount).to.equal(2);
      expect(await repo.countUse(record.id, record.version, now)).to.equal(undefined);
      expect((await repo.get(record.id))!.useCount).to.equal(2);

      for (const status of ['PAUSED', 'REVOKED', 'EXHAUSTED', 'EXPIRED'] as const) {
        const other = await given({ status });
        expect(await repo.countUse(other.id, other.version, now), status).to.equal(undefined);
      }
    });

    it('keeps events in the order written, each with its own id', async () => {
      const record = await given();
      const first = await repo.insertEvent({ ...eventOf(record), type: 'requested', state: 'REQUESTED' });
      const second = await repo.insertEvent({ ...eventOf(record), detail: { keptOptional: ['x'] } });
      expect(second).to.be.greaterThan(first);
      const events = await repo.events(record.id);
      expect(events.map((e) => [e.id, e.type, e.state, e.detail])).to.deep.equal([
        [first, 'requested', 'REQUESTED', {}],
        [second, 'approved', 'ACTIVE', { keptOptional: ['x'] }],
      ]);
      expect(events[0]!.at).to.deep.equal(at(0));
    });

    it('hands out due webhook deliveries in order, and records each attempt', async () => {
      const record = await given({ webhookUrl: 'https://hooks.example/consents' });
      const eventId = await repo.insertEvent(eventOf(record));
      const delivery = { consentId: record.id, eventId, url: record.webhookUrl!, audience: 'client-builder' };
      await repo.enqueueDelivery({ ...delivery, payload: { n: 1 }, at: at(-2) });
      await repo.enqueueDelivery({ ...delivery, payload: { n: 2 }, at: at(-1) });
      await repo.enqueueDelivery({ ...delivery, payload: { n: 3 }, at: at(5) });
      expect(await repo.anyDueDelivery(at(-2))).to.equal(true);
      expect(await repo.anyDueDelivery(new Date(0))).to.equal(false);
      const due = await repo.transaction((trx) => repo.claimDueDeliveries(at(0), 10, trx));
      const mine = due.filter((d) => d.consentId === record.id);
      expect(mine.map((d) => d.payload)).to.deep.equal([{ n: 1 }, { n: 2 }]);
      expect(mine[0]).to.deep.include({
        eventId,
        url: delivery.url,
        audience: 'client-builder',
        attempts: 0,
      });

      await repo.markDelivery(mine[0]!.id, { status: 'delivered', httpStatus: 202, at: at(0) });
      await repo.markDelivery(mine[1]!.id, {
        status: 'pending',
        error: 'HTTP 503',
        httpStatus: 503,
        nextAttemptAt: at(1),
      });
      expect(await repo.deliveries(record.id)).to.deep.equal([
        { status: 'delivered', attempts: 1, eventId },
        { status: 'pending', attempts: 1, eventId },
        { status: 'pending', attempts: 0, eventId },
      ]);
      const later = await repo.transaction((trx) => repo.claimDueDeliveries(at(0), 10, trx));
      expect(later.filter((d) => d.consentId === record.id)).to.deep.equal([]);
    });

    it("lists a citizen's consents active, paused, pending then the rest, newest first, page by page", async () => {
      const subjectKey = randomUUID().replace(/-/g, '').padEnd(64, '0');
      const made = async (status: ConsentRecord['status'], day: number) =>
        (await given({ subjectKey, status, createdAt: at(day) })).id;
      const revoked = await made('REVOKED', -5);
      const activeOld = await made('ACTIVE', -4);
      const paused = await made('PAUSED', -3);
      // Two made in the same instant: the greater id first, and a page may end between them.
      const [twinHigh, twinLow] = [await made('ACTIVE', -2), await made('ACTIVE', -2)].sort().reverse();
      const requested = await made('REQUESTED', -1);
      await given({ status: 'ACTIVE' }); // someone else's
      const expected = [twinHigh!, twinLow!, activeOld, paused, requested, revoked];

      const all = await repo.listForSubject(subjectKey, { limit: 10 });
      expect(all.map((r) => r.id)).to.deep.equal(expected);
      expect(all.map((r) => r.rank)).to.deep.equal([0, 0, 0, 1, 2, 3]);

      const first = await repo.listForSubject(subjectKey, { limit: 1 });
      expect(first.map((r) => r.id)).to.deep.equal(expected.slice(0, 2)); // one more: there is a next page
      const after = (r: (typeof first)[number]) => ({
        rank: r.rank,
        createdAt: r.createdAt.toISOString(),
        id: r.id,
      });
      const rest = await repo.listForSubject(subjectKey, { limit: 10, after: after(first[0]!) });
      expect(rest.map((r) => r.id)).to.deep.equal(expected.slice(1));
      const fromPaused = await repo.listForSubject(subjectKey, { limit: 10, after: after(all[3]!) });
      expect(fromPaused.map((r) => r.id)).to.deep.equal(expected.slice(4));
    });

    it('finds for the expiry sweep the consents past their end and the requests past their deadline', async () => {
      const now = at(100);
      const ended = await given({ validUntil: at(99), createdAt: at(60) });
      const pausedEnded = await given({ status: 'PAUSED', validUntil: now, createdAt: at(60) });
      const lapsed = await given({
        status: 'REQUESTED',
        requestExpiresAt: at(99),
        validFrom: null,
        validUntil: null,
      });
      const running = await given({ validUntil: at(101), createdAt: at(60) });
      const revoked = await given({ status: 'REVOKED', validUntil: at(99), createdAt: at(60) });
      const due = await repo.dueForExpiry(now, 1000);
      expect(due).to.include.members([ended.id, pausedEnded.id, lapsed.id]);
      expect(due).to.not.include.members([running.id]);
      expect(due).to.not.include(revoked.id);
      expect(due).to.deep.equal([...due].sort());
    });

    it('keeps registered redirect URIs once each', async () => {
      const record = await given();
      await repo.addRedirectUri(record.clientId!, 'https://bank.example/back');
      await repo.addRedirectUri(record.clientId!, 'https://bank.example/back');
      await repo.addRedirectUri(record.clientId!, 'https://bank.example/other');
      expect(await repo.redirectUris(record.clientId!)).to.have.members([
        'https://bank.example/back',
        'https://bank.example/other',
      ]);
      expect(await repo.redirectUris('client-nobody')).to.deep.equal([]);
    });
  });
}

function eventOf(record: ConsentRecord) {
  return {
    consentId: record.id,
    version: record.version,
    at: at(0),
    type: 'approved' as const,
    state: 'ACTIVE' as const,
    actor: 'citizen',
    reason: null,
    detail: {},
  };
}

consentsRepoContract('knex on PostgreSQL', async () => {
  const { db } = await freshDatabase();
  return { repo: createConsentsRepo(db), parents: knexParents(db) };
});

consentsRepoContract('in-memory fake', async () => ({ repo: createFakeConsentsRepo(), parents: noParents }));
