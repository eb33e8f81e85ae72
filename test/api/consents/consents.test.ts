import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import {
  CLERK,
  GAON,
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  citizen,
  decideOnScreen,
  mortgageRequest,
  seedConsentWorld,
} from './consent-fixtures.js';

describe('consents (API and approval screen)', function () {
  this.timeout(30_000);
  let t: TestApp;

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const consentRows = async () => Number((await t.database.db('consent').count('* as n'))[0]!.n);

  async function createRequest(body = mortgageRequest(), who = HANBIT) {
    const res = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(who))
      .send(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as {
      id: string;
      citizenUrl: string;
      shortCode: string;
      shortUrl: string;
      status: string;
    };
  }

  it('creates a request with a citizen URL and short code that the requester polls; others see 404', async () => {
    const created = await createRequest();
    expect(created.status).to.equal('REQUESTED');
    expect(created.citizenUrl).to.match(new RegExp(`/consent/${created.id}$`));
    expect(created.shortCode).to.match(/^[0-9A-Z]{8}$/);
    const polled = await request(t.app)
      .get(`/v1/consent-requests/${created.id}`)
      .set(...asPrincipal(HANBIT));
    expect(polled.status).to.equal(200);
    expect(polled.body).to.include({ id: created.id, status: 'REQUESTED', version: 1, useCount: 0 });
    expect(polled.body.usage).to.deep.equal({ fetch: 'limited', maxUses: 3 });
    const other = await request(t.app)
      .get(`/v1/consent-requests/${created.id}`)
      .set(...asPrincipal(GAON));
    expect(other.status).to.equal(404);
    const noScope = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal({ ...HANBIT, scope: ['records:query'] }))
      .send(mortgageRequest());
    expect(noScope.status).to.equal(403);
    expect(noScope.body.code).to.equal('insufficient_scope');
    const short = await request(t.app).get(`/consent/c/${created.shortCode}`);
    expect(short.status).to.equal(303);
    expect(short.headers.location).to.equal(`/consent/${created.id}`);
    // The national ID is not stored anywhere in the record.
    const row = await t.database.db('consent').where({ id: created.id }).first();
    expect(JSON.stringify(row)).not.to.contain(MINJUN_ID);
  });

  it('refuses purpose bound violations with 400 problems naming each field, storing nothing', async () => {
    const before = await consentRows();
    const res = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(
        mortgageRequest({
          durationDays: 120,
          usage: { fetch: 'limited', maxUses: 5 },
          dataRange: { from: '2023-01-01', to: '2025-12-31' },
          records: [
            { recordType: 'military.service-record', fields: { required: ['name'] } },
            { recordType: 'resident.registration-abstract', fields: { required: ['noSuchField'] } },
          ],
        }),
      );
    expect(res.status).to.equal(400);
    expect(res.type).to.equal('application/problem+json');
    expect(res.body.code).to.equal('validation_failed');
    const pointers = (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).to.include.members([
      '/durationDays',
      '/usage/maxUses',
      '/dataRange',
      '/records/0/recordType',
      '/records/1/fields/required/0',
    ]);
    const periodic = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ usage: { fetch: 'periodic', frequency: { unit: 'week', value: 1 } } }));
    expect(periodic.status).to.equal(400);
    expect(periodic.body.errors[0].pointer).to.equal('/usage/frequency');
    const notEntitled = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ purpose: 'welfare.housing-benefit' }));
    expect(notEntitled.status).to.equal(403);
    expect(notEntitled.body.code).to.equal('purpose_not_allowed');
    const badId = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ subject: { scheme: 'rrn', id: '8503141234563' } }));
    expect(badId.status).to.equal(400);
    expect(badId.body.code).to.equal('identifier_invalid');
    const insecure = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ webhookUrl: 'http://bank.example/hook', redirectUri: 'ftp://bank.example/x' }));
    expect(insecure.status).to.equal(400);
    expect((insecure.body.errors as { pointer: string }[]).map((e) => e.pointer)).to.have.members([
      '/redirectUri',
      '/webhookUrl',
    ]);
    expect(await consentRows()).to.equal(before);
  });

  it('sends a visitor who is not signed in to the citizen login and back', async () => {
    const { id } = await createRequest();
    const res = await request(t.app).get(`/consent/${id}`);
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(
      `/auth/login?as=citizen&return_to=${encodeURIComponent(`/consent/${id}`)}`,
    );
  });

  it('shows the requester, purpose, legal basis, records and fields in Korean, English and Japanese, without inline script', async () => {
    const { id } = await createRequest();
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const ko = await request(t.app)
      .get(`/consent/${id}`)
      .set(...asPrincipal(minjun));
    expect(ko.text).to.contain('<html lang="ko">');
    for (const text of [
      '정보 제공 동의 요청',
      '신용정보의 이용 및 보호에 관한 법률 제32조',
      '세대주 성명',
      '최대 3회',
      '동의한 날부터 30일',
      '90일',
      '동의합니다',
    ]) {
      expect(ko.text, text).to.contain(text);
    }
    const en = await request(t.app)
      .get(`/consent/${id}`)
      .set('Accept-Language', 'en')
      .set(...asPrincipal(minjun));
    expect(en.status).to.equal(200);
    expect(en.type).to.equal('text/html');
    expect(en.text).to.contain('<html lang="en">');
    for (const text of [
      'Hanbit Bank',
      'Bank',
      'Mortgage loan screening',
      'Credit Information Act art. 32',
      'Resident registration abstract (household)',
      'Name of the head of household',
      'Up to 3 times',
      '30 days from your approval',
      '90 days',
    ]) {
      expect(en.text, text).to.contain(text);
    }
    // A field the bank's policy never releases (household members: policies/loan.mortgage-screening.yaml)
    // is marked so, with no box to tick; required ones are plain text.
    expect(en.text).to.match(
      /<li class="never-released">[\s\S]*?not released \(the rules for this purpose never release it\)/,
    );
    expect(en.text).not.to.contain('value="resident.registration-abstract|members"');
    expect(en.text).not.to.contain('value="resident.registration-abstract|address"');
    expect(en.text).to.contain('<fieldset class="record">');
    expect(en.text).to.contain('href="/assets/site.css"');
    expect(en.text).not.to.match(/<script(?![^>]*\bsrc=)/);
    expect(en.text).not.to.match(/\sstyle=/);
    expect(en.headers['content-security-policy']).to.contain("script-src 'self'");

    const ja = await request(t.app)
      .get(`/consent/${id}?lang=ja`)
      .set(...asPrincipal(minjun));
    expect(ja.text).to.contain('<html lang="ja">');
    for (const text of [
      'ハンビット銀行',
      '住宅担保ローンの審査',
      '住民登録票謄本（世帯）',
      '世帯主の氏名',
      '同意する',
      '同意しない',
    ]) {
      expect(ja.text, text).to.contain(text);
    }
    expect(ja.headers['set-cookie']?.[0]).to.match(/^juc_lang=ja;/);
    const css = await request(t.app).get('/assets/site.css');
    expect(css.status).to.equal(200);
    expect(css.text).to.contain(':focus-visible');
  });

  it('lets only the named subject decide; approval keeps unticked optional fields out and records how they signed in', async () => {
    const { id } = await createRequest();
    const seoyeon = citizen(t, SEOYEON_ID, 'citizen-seoyeon');
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const wrong = await request(t.app)
      .get(`/consent/${id}`)
      .set(...asPrincipal(seoyeon));
    expect(wrong.status).to.equal(403);
    expect(wrong.text).to.contain('다른 사람에 대한 요청입니다.');

    // A forged form without the CSRF token is refused.
    const forged = await request(t.app)
      .post(`/consent/${id}`)
      .set(...asPrincipal(minjun))
      .type('form')
      .send('decision=approve');
    expect(forged.status).to.equal(403);

    const decided = await decideOnScreen(t, id, minjun, 'approve', [
      'tax.income-amount-certificate|attributionYear',
    ]);
    expect(decided.status).to.equal(303);
    expect(decided.headers.location).to.equal(`/consent/${id}/done`);
    const polled = await request(t.app)
      .get(`/v1/consent-requests/${id}`)
      .set(...asPrincipal(HANBIT));
    expect(polled.body.status).to.equal('ACTIVE');
    expect(polled.body.version).to.equal(2);
    expect(polled.body.fieldsGranted).to.deep.equal({
      'resident.registration-abstract': ['householdHeadName', 'address'],
      'tax.income-amount-certificate': ['taxpayerName', 'totalIncome', 'attributionYear'],
    });
    const row = await t.database.db('consent').where({ id }).first();
    expect(row).to.include({ acr: 'urn:juc:acr:dev', subject_key: minjun.subjectKey });
    expect(row.amr).to.deep.equal(['pwd']);
    expect(new Date(row.auth_time).getTime()).to.equal(1_760_000_000_000);
    const again = await request(t.app)
      .get(`/consent/${id}?lang=en`)
      .set(...asPrincipal(minjun));
    expect(again.status).to.equal(200); // the screen now says it was approved, with no form
    expect(again.text).to.contain('You approved this request.');
    expect(again.text).not.to.contain('<form');
    const late = await request(t.app)
      .post(`/consent/${id}`)
      .set(...asPrincipal(minjun))
      .type('form')
      .send('_csrf=forged&decision=refuse');
    expect(late.status).to.equal(403);
  });

  it('makes the approving citizen the subject when the request named nobody', async () => {
    const { subject: _omit, ...body } = mortgageRequest();
    const { id } = await createRequest(body);
    const seoyeon = citizen(t, SEOYEON_ID, 'citizen-seoyeon');
    const res = await decideOnScreen(t, id, seoyeon, 'refuse', []);
    expect(res.status).to.equal(303);
    const mine = await request(t.app)
      .get(`/v1/me/consents/${id}`)
      .set(...asPrincipal(seoyeon));
    expect(mine.status).to.equal(200);
    expect(mine.body.status).to.equal('REJECTED');
    expect(mine.body.events.map((e: { type: string }) => e.type)).to.deep.equal(['requested', 'rejected']);
  });

  it('issues consent tokens only to the requesting client while ACTIVE, verifiable with our JWKS', async () => {
    const { id } = await createRequest();
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const early = await request(t.app)
      .post(`/v1/consents/${id}/token`)
      .set(...asPrincipal(HANBIT));
    expect(early.status).to.equal(403);
    await decideOnScreen(t, id, minjun, 'approve', []);
    const other = await request(t.app)
      .post(`/v1/consents/${id}/token`)
      .set(...asPrincipal(GAON));
    expect(other.status).to.equal(404);
    const res = await request(t.app)
      .post(`/v1/consents/${id}/token`)
      .set(...asPrincipal({ ...HANBIT, cnfJkt: 'jkt-1' }));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.tokenType).to.equal('consent+jwt');
    const jwks = (await request(t.app).get('/.well-known/jwks.json')).body;
    const base = t.composition.services.consents.tokenContext;
    const { payload, protectedHeader } = await jwtVerify(res.body.token, createLocalJWKSet(jwks), {
      issuer: base.issuer,
      audience: base.audience,
      typ: 'consent+jwt',
    });
    expect(protectedHeader.alg).to.equal('ES256');
    expect(decodeProtectedHeader(res.body.token).kid).to.be.a('string');
    expect(payload).to.include({
      cid: id,
      cver: 2,
      client_id: HANBIT.clientId,
      org: 'org-bank-hanbit',
      req_class: 'bank',
    });
    expect(payload.exp! - payload.iat!).to.be.at.most(600);
    expect(payload.cnf).to.deep.equal({ jkt: 'jkt-1' });
    expect(payload.sub).to.be.a('string').and.not.equal(minjun.subjectKey);
    expect(payload.purpose).to.deep.equal({
      code: 'loan.mortgage-screening',
      legal_basis: 'Act on Real Name Financial Transactions art. 3; Credit Information Act art. 32',
    });
    expect(payload.authorization_details).to.deep.equal([
      {
        type: 'record_access',
        record_type: 'resident.registration-abstract',
        actions: ['read'],
        fields: ['householdHeadName', 'address'],
        data_range: { from: '2025-01-01', to: '2025-12-31' },
      },
      {
        type: 'record_access',
        record_type: 'tax.income-amount-certificate',
        actions: ['read'],
        fields: ['taxpayerName', 'totalIncome'],
        data_range: { from: '2025-01-01', to: '2025-12-31' },
      },
    ]);
    expect(payload).to.include({ acr: 'urn:juc:acr:dev', auth_time: 1_760_000_000 });
    expect(payload.usage).to.deep.equal({ fetch: 'limited', max_uses: 3 });
    expect(payload.data_life).to.deep.equal({ unit: 'day', value: 90 });
    expect(payload.rec_hash).to.match(/^[A-Za-z0-9_-]{43}$/);
  });

  it('lets a citizen list, pause, resume and revoke their consents, with immediate effect, and never see another’s', async () => {
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    const seoyeon = citizen(t, SEOYEON_ID, 'citizen-seoyeon');
    const a = await createRequest();
    await decideOnScreen(t, a.id, minjun, 'approve', []);
    const b = await createRequest(mortgageRequest({ subject: { scheme: 'rrn', id: SEOYEON_ID } }));
    await decideOnScreen(t, b.id, seoyeon, 'approve', []);

    const list = await request(t.app)
      .get('/v1/me/consents?limit=100')
      .set(...asPrincipal(minjun));
    expect(list.status).to.equal(200);
    const ids = (list.body.items as { id: string }[]).map((c) => c.id);
    expect(ids).to.include(a.id).and.not.include(b.id);
    const statuses = (list.body.items as { status: string }[]).map((c) => c.status);
    expect(statuses.indexOf('ACTIVE')).to.equal(0);
    const theirs = await t.database.db('consent').where({ subject_key: minjun.subjectKey }).pluck('id');
    expect([...ids].sort()).to.deep.equal([...theirs].sort());

    for (const path of [`/v1/me/consents/${b.id}`]) {
      expect(
        (
          await request(t.app)
            .get(path)
            .set(...asPrincipal(minjun))
        ).status,
      ).to.equal(404);
    }
    const steal = await request(t.app)
      .post(`/v1/me/consents/${b.id}/revoke`)
      .set(...asPrincipal(minjun))
      .send({});
    expect(steal.status).to.equal(404);

    const paused = await request(t.app)
      .post(`/v1/me/consents/${a.id}/pause`)
      .set(...asPrincipal(minjun))
      .send({});
    expect(paused.status).to.equal(200);
    expect(paused.body.status).to.equal('PAUSED');
    const whilePaused = await request(t.app)
      .post(`/v1/consents/${a.id}/token`)
      .set(...asPrincipal(HANBIT));
    expect(whilePaused.status).to.equal(403);
    const resumed = await request(t.app)
      .post(`/v1/me/consents/${a.id}/resume`)
      .set(...asPrincipal(minjun))
      .send({});
    expect(resumed.body.status).to.equal('ACTIVE');
    const revoked = await request(t.app)
      .post(`/v1/me/consents/${a.id}/revoke`)
      .set(...asPrincipal(minjun))
      .send({ reason: 'loan no longer needed' });
    expect(revoked.body.status).to.equal('REVOKED');
    expect(revoked.body.events.map((e: { type: string }) => e.type)).to.deep.equal([
      'requested',
      'approved',
      'paused',
      'resumed',
      'revoked',
    ]);
    expect(revoked.body.version).to.equal(5);
    const afterRevoke = await request(t.app)
      .post(`/v1/consents/${a.id}/token`)
      .set(...asPrincipal(HANBIT));
    expect(afterRevoke.status).to.equal(403);
    expect(afterRevoke.body.code).to.equal('consent_revoked');
    const twice = await request(t.app)
      .post(`/v1/me/consents/${a.id}/revoke`)
      .set(...asPrincipal(minjun))
      .send({});
    expect(twice.status).to.equal(409);
    // Each change after the request queued a webhook for the bank (none configured here → none queued).
    expect(await t.database.db('consent_webhook_delivery').where({ consent_id: a.id })).to.have.length(0);
  });

  it('pages a citizen’s consents, active first', async () => {
    const jihoon = citizen(t, '0105053123454', 'citizen-jihoon');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { id } = await createRequest(
        mortgageRequest({ subject: { scheme: 'rrn', id: '0105053123454' } }),
      );
      made.push(id);
      if (i % 2 === 0) await decideOnScreen(t, id, jihoon, 'approve', []);
    }
    const seen: { id: string; status: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(t.app)
        .get(`/v1/me/consents?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(...asPrincipal(jihoon));
      expect(res.status).to.equal(200);
      seen.push(...(res.body.items as { id: string; status: string }[]));
      cursor = res.body.next as string | null;
    } while (cursor);
    expect(seen.map((c) => c.id).sort()).to.deep.equal([...made].sort());
    expect(seen.map((c) => c.status)).to.deep.equal(['ACTIVE', 'ACTIVE', 'ACTIVE', 'REQUESTED', 'REQUESTED']);
  });

  it('lets a clerk ask at the counter (citizen mode) and poll, without redirect or webhook', async () => {
    const res = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(CLERK))
      .send({
        subject: { scheme: 'rrn', id: MINJUN_ID },
        purpose: 'welfare.housing-benefit',
        records: [{ recordType: 'resident.registration-abstract', fields: { required: ['address'] } }],
        durationDays: 30,
        usage: { fetch: 'once' },
        dataLife: { unit: 'month', value: 6 },
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    await decideOnScreen(t, res.body.id, minjun, 'approve', []);
    const polled = await request(t.app)
      .get(`/v1/consent-requests/${res.body.id}`)
      .set(...asPrincipal(CLERK));
    expect(polled.body.status).to.equal('ACTIVE');
    expect(polled.body.shortCode).to.equal(null);
    const bank = await request(t.app)
      .get(`/v1/consent-requests/${res.body.id}`)
      .set(...asPrincipal(HANBIT));
    expect(bank.status).to.equal(404);
  });
});
