/**
 * The clerk cancels an unanswered consent request from the waiting page (issue 20, problem 2): the request ends
 * (EXPIRED, the withdrawal as reason, the clerk as the event's actor), the citizen can no longer approve it, a
 * clerk of another agency cannot cancel it, and a request the citizen already decided is left as it is.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import type { ClerkPrincipal, Principal } from '../../../server/auth/principal.js';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { startTestRegistry } from '../../support/registry.js';
import {
  CLERK,
  MINJUN_ID,
  citizen,
  csrfFrom,
  decideOnScreen,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

const HOUSING = 'welfare.housing-benefit';

describe('clerk console: cancelling a consent request', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({ database, registry, authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const agent = () => supertest.agent(t.app).set('Accept-Language', 'ko');

  async function post(fields: Record<string, string | string[]>, who: Principal = CLERK) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) form.append(key, v);
    }
    return agent()
      .post('/console/query')
      .set(...asPrincipal(who))
      .type('form')
      .send(form.toString());
  }

  async function startRequest(who: ClerkPrincipal = CLERK) {
    const page = await agent()
      .get(`/console/query?purpose=${HOUSING}`)
      .set(...asPrincipal(who));
    const fields = {
      _csrf: csrfFrom(page.text),
      purpose: HOUSING,
      records: ['resident.registration-abstract'],
      subjectScheme: 'rrn',
      subjectId: MINJUN_ID,
      mode: 'full',
      consentMode: 'citizen',
    };
    const waiting = await post({ ...fields, step: 'start' }, who);
    expect(waiting.status, waiting.text.slice(0, 400)).to.equal(200);
    const consentId = /name="consentId" value="([0-9a-f-]{36})"/.exec(waiting.text)![1]!;
    return { fields, consentId, waiting };
  }

  it('ends the request, says so, and the citizen can no longer approve it', async () => {
    const { fields, consentId, waiting } = await startRequest();
    expect(waiting.text).to.contain('850314-1******');
    expect(waiting.text).to.match(/id="cancel-request"[^>]*data-show-in="REQUESTED"\s*>/);

    const cancelled = await post({ ...fields, consentId, step: 'cancel' });
    expect(cancelled.status).to.equal(200);
    expect(cancelled.text).to.contain('data-status="WITHDRAWN"');
    expect(cancelled.text).to.contain('요청을 취소했습니다');
    expect(cancelled.text).to.match(/id="handoff" data-show-in="REQUESTED" hidden/);

    const record = await t.database.db('consent').where({ id: consentId }).first();
    expect(record.status).to.equal('EXPIRED');
    const events = await t.database.db('consent_event').where({ consent_id: consentId }).orderBy('id');
    expect(events.map((e: { type: string }) => e.type)).to.deep.equal(['requested', 'expired']);
    expect(events[1].actor).to.equal(`clerk:${CLERK.clerkId}`);

    // The citizen's approval screen offers no decision any more.
    const screen = await agent()
      .get(`/consent/${consentId}`)
      .set(...asPrincipal(citizen(t, MINJUN_ID, 'citizen-minjun')));
    expect(screen.text).not.to.contain('name="decision"');
    expect((await t.database.db('consent').where({ id: consentId }).first()).status).to.equal('EXPIRED');

    // Asking for its status again shows the same end, never the QR code's state.
    const again = await post({ ...fields, consentId, step: 'check' });
    expect(again.text).to.contain('data-status="WITHDRAWN"');
  });

  it('a clerk of another agency cannot cancel it (404), and a decided request stays decided', async () => {
    const { fields, consentId } = await startRequest();
    const stranger: ClerkPrincipal = {
      ...CLERK,
      orgId: 'org-busan-haeundae',
      clerkId: 'clerk-elsewhere',
      sub: 'x',
    };
    const page = await agent()
      .get('/console')
      .set(...asPrincipal(stranger));
    const refused = await post(
      { ...fields, _csrf: csrfFrom(page.text), consentId, step: 'cancel' },
      stranger,
    );
    expect(refused.status).to.equal(404);
    expect((await t.database.db('consent').where({ id: consentId }).first()).status).to.equal('REQUESTED');

    await decideOnScreen(t, consentId, citizen(t, MINJUN_ID, 'citizen-minjun'), 'refuse', []);
    const late = await post({ ...fields, consentId, step: 'cancel' });
    expect(late.text).to.contain('data-status="REJECTED"');
    expect((await t.database.db('consent').where({ id: consentId }).first()).status).to.equal('REJECTED');
  });

  it('recent queries as CSV only for a clerk', async () => {
    const anonymous = await agent().get('/console/recent.csv');
    expect(anonymous.status).to.equal(401);
    const csv = await agent()
      .get('/console/recent.csv')
      .set(...asPrincipal(CLERK));
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    expect(csv.text).to.match(/^\uFEFF"일시\(KST, UTC\+9\)"/);
  });
});
