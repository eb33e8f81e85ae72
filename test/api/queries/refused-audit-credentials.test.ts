/**
 * Refused queries with real credentials (issue 17): a body refused before authentication runs (bad
 * JSON, a NUL) is still audited under the client whose DPoP-bound token sent it, or the clerk whose
 * session and CSRF token did; credentials that do not authenticate leave the log as it was, and the
 * answer is the refusal it always was.
 */
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { DEMO_CITIZENS } from '../../../server/dev/demo-identities.js';
import {
  bankClient,
  Browser,
  startTestGateway,
  type BankClient,
  type TestGateway,
} from '../../support/oidc.js';

describe('refused queries with real tokens and sessions', function () {
  this.timeout(60_000);
  let gateway: TestGateway;
  let hanbit: BankClient;
  let clerk: Browser;

  before(async () => {
    gateway = await startTestGateway();
    hanbit = await bankClient(gateway, 'bank-hanbit-app');
    clerk = new Browser(gateway.url);
    const signedIn = await clerk.login('clerk-jongno', 'clerk');
    expect(signedIn.status).to.equal(303);
  });

  const entryCount = async () => Number((await gateway.database.db('audit_entry').count({ n: '*' }))[0]!.n);

  async function entriesOf(requestId: unknown) {
    const rows = await gateway.database.db('audit_entry').where({ request_id: requestId });
    return rows.map((r) => JSON.parse(r.body as string) as Record<string, unknown>);
  }

  async function asHanbit(body: string) {
    const token = await hanbit.token(true);
    const response = await oidc.fetchProtectedResource(
      hanbit.config,
      token,
      new URL('/v1/queries', gateway.url),
      'POST',
      body,
      new Headers({ 'content-type': 'application/json' }),
      { DPoP: oidc.getDPoPHandle(hanbit.config, hanbit.dpopKeys) },
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function asClerk(body: string, csrf: boolean) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (csrf) headers['x-csrf-token'] = await clerk.csrfToken();
    const response = await clerk.fetch('/v1/queries', { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const citizenId = DEMO_CITIZENS[0]!.national_id!;

  it('audits bad JSON under the DPoP client that sent it', async () => {
    const before = await entryCount();
    const answer = await asHanbit('{"purpose": "loan.mortgage-screening", "mode": ');
    expect(answer.status).to.equal(400);
    expect(answer.body).to.include({
      code: 'validation_failed',
      detail: 'The body is not well-formed JSON.',
    });
    expect((await entryCount()) - before).to.equal(1);
    const [entry] = await entriesOf(answer.body.requestId);
    expect(entry).to.include({
      outcome: 'denied',
      reasonCode: 'validation_failed',
      purpose: '-none',
      recordType: '-none',
      unattributed: true,
    });
    expect(entry!.requester).to.deep.equal({ org: 'org-bank-hanbit', clientId: 'bank-hanbit-app' });
  });

  it('audits a NUL under the clerk whose session and CSRF token sent it, about the subject named', async () => {
    const before = await entryCount();
    const answer = await asClerk(
      JSON.stringify({
        purpose: 'welfare.housing\u0000benefit',
        mode: 'full',
        subject: { scheme: 'rrn', id: citizenId },
        records: [{ recordType: 'resident.registration-abstract' }],
      }),
      true,
    );
    expect(answer.status).to.equal(400);
    expect(answer.body.code).to.equal('validation_failed');
    expect((await entryCount()) - before).to.equal(1);
    const [entry] = await entriesOf(answer.body.requestId);
    expect(entry).to.include({ purpose: '-undescribed', recordType: '-none' });
    expect(entry).not.to.have.property('unattributed');
    expect((entry!.requester as { org: string }).org).to.equal('org-seoul-jongno');
    expect(entry!.requester).to.have.property('clerkRef').that.is.a('string');
  });

  it('audits nothing when the credentials do not authenticate; the answer is the same refusal', async () => {
    const before = await entryCount();
    const withoutCsrf = await asClerk('{"purpose": ', false);
    const badToken = await fetch(`${gateway.url}/v1/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
      body: '{"purpose": ',
    });
    const wellFormedWithoutCsrf = await asClerk(
      JSON.stringify({ purpose: 'welfare.housing-benefit', mode: 'full', procedure: true }),
      false,
    );
    expect([withoutCsrf.status, withoutCsrf.body.code]).to.deep.equal([400, 'validation_failed']);
    expect(badToken.status).to.equal(400);
    expect(wellFormedWithoutCsrf.status).to.equal(403);
    expect((await entryCount()) - before).to.equal(0);
  });
});
