/**
 * A counter visit allowed for less (issue 20, problem 8) through the approval screen and the decide use case:
 * a shorter time and fewer uses are kept; asking for more than the clerk asked, or shortening a bank's request,
 * is refused (400) and leaves the request waiting.
 */
import { expect } from 'chai';
import request from 'supertest';
import { asPrincipal, buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import {
  CLERK,
  HANBIT,
  MINJUN_ID,
  citizen,
  csrfFrom,
  mortgageRequest,
  seedConsentWorld,
} from '../consents/consent-fixtures.js';

describe('approval screen: a counter visit allowed for less', function () {
  this.timeout(30_000);
  let t: TestApp;

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
  });

  const minjun = () => citizen(t, MINJUN_ID, 'citizen-minjun');

  async function counterRequest(): Promise<string> {
    const res = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(CLERK))
      .send({
        subject: { scheme: 'rrn', id: MINJUN_ID },
        purpose: 'welfare.housing-benefit',
        records: [{ recordType: 'resident.registration-abstract', fields: { required: ['address'] } }],
        durationDays: 7,
        usage: { fetch: 'limited', maxUses: 3 },
        dataLife: { unit: 'month', value: 6 },
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  }

  async function approve(id: string, extra: Record<string, string>) {
    const page = await request(t.app)
      .get(`/consent/${id}?lang=en`)
      .set(...asPrincipal(minjun()));
    expect(page.status).to.equal(200);
    const form = new URLSearchParams({
      _csrf: csrfFrom(page.text),
      decision: 'approve',
      lang: 'en',
      ...extra,
    });
    return request(t.app)
      .post(`/consent/${id}`)
      .set(...asPrincipal(minjun()))
      .type('form')
      .send(form.toString());
  }

  async function statusOf(id: string): Promise<string> {
    const res = await request(t.app)
      .get(`/v1/consent-requests/${id}`)
      .set(...asPrincipal(CLERK));
    return res.body.status as string;
  }

  it('offers the choice for a counter visit, with the clerk as a counter clerk and singular plurals', async () => {
    const id = await counterRequest();
    const page = await request(t.app)
      .get(`/consent/${id}?lang=en`)
      .set(...asPrincipal(minjun()));
    expect(page.text).to.contain('Allow less (optional)');
    expect(page.text).to.match(/<option value="1"\s*>\s*1 day\s*<\/option>/);
    expect(page.text).to.match(/7 days \(as asked\)/);
    expect(page.text).to.match(/Counter clerk at [^<]+ \(reference 9707AF\)/);
    expect(page.text).not.to.contain('clerk-test-jongno');
    expect(page.text).to.contain('You, the person signed in');
    // No optional fields asked: no explanation of optional fields.
    expect(page.text).not.to.contain('Fields marked “optional”');
    expect(page.text).to.contain('Only the fields listed below.');
  });

  it('refuses more time or more uses than asked, and keeps the request waiting', async () => {
    const id = await counterRequest();
    const longer = await approve(id, { duration_days: '30' });
    expect(longer.status).to.equal(400);
    expect(longer.text).to.contain('/portal/consents');
    const more = await approve(id, { max_uses: '5' });
    expect(more.status).to.equal(400);
    const none = await approve(id, { max_uses: '0' });
    expect(none.status).to.equal(400);
    expect(await statusOf(id)).to.equal('REQUESTED');
  });

  it('keeps a shorter time and fewer uses', async () => {
    const id = await counterRequest();
    const res = await approve(id, { duration_days: '1', max_uses: '1' });
    expect(res.status, res.text).to.equal(303);
    expect(await statusOf(id)).to.equal('ACTIVE');
    const details = await request(t.app)
      .get(`/portal/consents/${id}?lang=en`)
      .set(...asPrincipal(minjun()));
    expect(details.text).to.contain('0 of 1 time');
    const row = (await t.database.db('consent').where({ id }).first()) as {
      duration_days: number;
      max_uses: number;
      valid_from: Date;
      valid_until: Date;
    };
    expect(row.duration_days).to.equal(1);
    expect(row.max_uses).to.equal(1);
    const validity = new Date(row.valid_until).getTime() - new Date(row.valid_from).getTime();
    expect(validity).to.equal(86_400_000);
  });

  it('does not offer or accept shortening a bank’s request', async () => {
    const res = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const page = await request(t.app)
      .get(`/consent/${res.body.id}?lang=en`)
      .set(...asPrincipal(minjun()));
    expect(page.text).not.to.contain('Allow less');
    // The shipped policy never releases the household head's name or the taxpayer's name to a bank for
    // mortgage screening (policies/): those are marked so, not listed as "needed".
    const never = page.text.match(/<li class="never-released">[\s\S]*?<\/li>/g) ?? [];
    expect(never.length, 'fields the policy never releases').to.be.at.least(2);
    for (const item of never) {
      expect(item).to.contain('not released (the rules for this purpose never release it)');
      expect(item).not.to.contain('>needed<');
    }
    expect(page.text).to.contain('Fields marked “optional”');
    const shortened = await approve(res.body.id as string, { duration_days: '1' });
    expect(shortened.status).to.equal(400);
  });
});
