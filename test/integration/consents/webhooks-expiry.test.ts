import { expect } from 'chai';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createLogger } from '../../../server/http/logger.js';
import { createConsentsRepo } from '../../../server/consents/consents.repo.js';
import { backoffMs, createWebhookOutbox } from '../../../server/consents/webhooks.js';
import type { ConsentsService } from '../../../server/consents/consents.service.js';
import { buildTestApp, LogCapture, principalFromTestHeader, type TestApp } from '../../support/app.js';
import {
  HANBIT,
  MINJUN_ID,
  citizen,
  mortgageRequest,
  seedConsentWorld,
} from '../../api/consents/consent-fixtures.js';

describe('consent webhooks (outbox, retries) and expiry', function () {
  this.timeout(30_000);
  let t: TestApp;
  let clock: Date;
  let consents: ConsentsService;

  before(async () => {
    clock = new Date('2026-03-01T00:00:00Z');
    t = await buildTestApp({ authenticate: principalFromTestHeader, now: () => clock });
    await seedConsentWorld(t);
    consents = t.composition.services.consents;
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0.5)).to.equal(1000);
    expect(backoffMs(4, 1000, 60_000, () => 0.5)).to.equal(8000);
    expect(backoffMs(30, 1000, 60_000, () => 0.5)).to.equal(60_000);
    expect(backoffMs(2, 1000, 60_000, () => 0)).to.equal(1600);
    expect(backoffMs(2, 1000, 60_000, () => 1)).to.equal(2400);
  });

  it('retries a failing receiver with backoff, then delivers a signed event; gives up after maxAttempts', async () => {
    const created = await consents.createRequest(
      HANBIT,
      mortgageRequest({ webhookUrl: 'https://bank.example/hook' }) as never,
    );
    await consents.decide(citizen(t, MINJUN_ID, 'citizen-minjun'), created.id, {
      approve: true,
      keepOptional: {},
    });
    const calls: { url: string; body: string; type: string | null }[] = [];
    let failNext = 2;
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({
        url: String(url),
        body: String(init?.body),
        type: new Headers(init?.headers).get('content-type'),
      });
      if (failNext-- > 0) return new Response('busy', { status: 503 });
      return new Response(null, { status: 202 });
    }) as typeof fetch;
    const repo = createConsentsRepo(t.database.db);
    const outbox = createWebhookOutbox({
      repo,
      keys: t.composition.keys,
      issuer: consents.tokenContext.issuer,
      logger: createLogger('silent', new LogCapture()),
      now: () => clock,
      fetch: fakeFetch,
      baseBackoffMs: 1000,
      maxAttempts: 3,
    });
    expect(await outbox.drainOnce()).to.equal(1);
    expect(await outbox.drainOnce()).to.equal(0); // not due yet
    clock = new Date(clock.getTime() + 1300);
    expect(await outbox.drainOnce()).to.equal(1);
    clock = new Date(clock.getTime() + 2500);
    expect(await outbox.drainOnce()).to.equal(1);
    expect(calls).to.have.length(3);
    expect(calls[2]!.url).to.equal('https://bank.example/hook');
    expect(calls[2]!.type).to.equal('application/secevent+jwt');
    expect(await repo.deliveries(created.id)).to.deep.equal([
      { status: 'delivered', attempts: 3, eventId: (await consents.events(created.id))[1]!.id },
    ]);
    const jwks = createLocalJWKSet(t.composition.keys.publicJwks() as never);
    const { payload } = await jwtVerify(calls[2]!.body, jwks, {
      issuer: consents.tokenContext.issuer,
      audience: HANBIT.clientId,
      typ: 'secevent+jwt',
      currentDate: clock,
    });
    expect(payload.jti).to.equal(`consent-event-${(await consents.events(created.id))[1]!.id}`);

    // A receiver that never answers 2xx: failed after maxAttempts, and the requester can still poll.
    await consents.pause(citizen(t, MINJUN_ID, 'citizen-minjun'), created.id);
    failNext = 100;
    for (let i = 0; i < 5; i++) {
      await outbox.drainOnce();
      clock = new Date(clock.getTime() + 10_000);
    }
    const deliveries = await repo.deliveries(created.id);
    expect(deliveries[1]).to.deep.include({ status: 'failed', attempts: 3 });
  });

  it('expires consents past their end, lazily on read and by the sweep, and tells the requester', async () => {
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const a = await consents.createRequest(
      HANBIT,
      mortgageRequest({ durationDays: 1, webhookUrl: 'https://bank.example/h' }) as never,
    );
    await consents.decide(minjun, a.id, { approve: true, keepOptional: {} });
    const b = await consents.createRequest(HANBIT, mortgageRequest() as never); // never answered
    clock = new Date(clock.getTime() + 2 * 86_400_000);
    // Lazily: reading it as the requester shows it expired.
    expect((await consents.getRequest(HANBIT, a.id)).status).to.equal('EXPIRED');
    // The sweep catches the unanswered request.
    expect(await consents.expireDue()).to.be.at.least(1);
    expect((await consents.get(b.id))!.status).to.equal('EXPIRED');
    const events = (await consents.events(a.id)).map((e) => e.type);
    expect(events).to.deep.equal(['requested', 'approved', 'expired']);
    const queued = await createConsentsRepo(t.database.db).deliveries(a.id);
    expect(queued).to.have.length(2);
    expect((await consents.getMine(minjun, a.id)).status).to.equal('EXPIRED');
  });
});
