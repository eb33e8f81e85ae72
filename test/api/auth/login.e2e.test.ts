// End to end over real HTTP: people sign in through the dev identity provider with real redirects
// and cookies; a bank gets a token with private_key_jwt (+ DPoP) and calls a protected route.
import { expect } from 'chai';
import { citizenSubjectKey } from '../../../server/auth/subject.js';
import { DEV_SUBJECT_PEPPER } from '../../../server/config.js';
import { DEMO_CITIZENS } from '../../../server/dev/demo-identities.js';
import { bankClient, Browser, startTestGateway, type TestGateway } from '../../support/oidc.js';

describe('sign-in and API authentication end to end', function () {
  this.timeout(40_000);
  let gateway: TestGateway;

  before(async () => {
    gateway = await startTestGateway();
  });

  it('signs a citizen in: PKCE + state + nonce, a session cookie, and a guarded route', async () => {
    const browser = new Browser(gateway.url);
    const start = await browser.fetch('/auth/login?as=citizen&return_to=/v1/me');
    expect(start.status).to.equal(303);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).to.equal(gateway.identity.devIdp!.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).to.equal('S256');
    for (const param of ['state', 'nonce', 'code_challenge']) {
      expect(authorize.searchParams.get(param), param).to.be.a('string').with.length.greaterThan(20);
    }
    expect(authorize.searchParams.get('redirect_uri')).to.equal(`${gateway.url}/auth/callback`);
    expect(authorize.searchParams.get('scope')).to.equal('openid profile national_id');
    const loginCookie = start.headers.getSetCookie().find((c) => c.startsWith('juc_login='))!;
    expect(loginCookie)
      .to.match(/HttpOnly/i)
      .and.match(/SameSite=Lax/i)
      .and.match(/Path=\/auth/i);

    const citizen = DEMO_CITIZENS[0]!;
    const { completeDevLogin } = await import('../../integration/auth/login-driver.js');
    const callback = await completeDevLogin({
      authorizationUrl: authorize,
      redirectUri: `${gateway.url}/auth/callback`,
      login: citizen.sub,
    });
    const done = await browser.fetch(callback.pathname + callback.search);
    expect(done.status, await done.clone().text()).to.equal(303);
    expect(done.headers.get('location')).to.equal('/v1/me');
    const sessionCookie = done.headers.getSetCookie().find((c) => c.startsWith('juc_session='))!;
    expect(sessionCookie)
      .to.match(/HttpOnly/i)
      .and.match(/SameSite=Lax/i)
      .and.match(/Path=\//);
    expect(sessionCookie, 'not Secure over plain http loopback').to.not.match(/Secure/i);

    const me = await browser.fetch('/v1/me');
    expect(me.status).to.equal(200);
    expect(await me.json()).to.deep.include({ kind: 'citizen', sub: citizen.sub, amr: ['pwd'] });
    const history = await browser.fetch('/v1/me/access-log');
    expect(history.status).to.equal(200);

    // The session row holds the pseudonym of the canonical national ID, never the ID itself.
    const [row] = await gateway.database.db('auth_session').select('principal');
    expect(row.principal.subjectKey).to.equal(citizenSubjectKey(DEV_SUBJECT_PEPPER, citizen.national_id!));
    expect(JSON.stringify(row)).to.not.contain(citizen.national_id);

    // The callback cannot be replayed: the pending sign-in was consumed.
    const replay = await browser.fetch(callback.pathname + callback.search);
    expect(replay.status).to.equal(401);
  });

  it('signs a registered clerk in and refuses a citizen at a clerk-only sign-in', async () => {
    const clerk = new Browser(gateway.url);
    const done = await clerk.login('clerk-mois', 'clerk');
    expect(done.status).to.equal(303);
    const me = await clerk.fetch('/v1/me');
    expect(me.status).to.equal(200);
    expect(await me.json()).to.deep.include({ kind: 'clerk', sub: 'clerk-mois', orgId: 'org-mois' });
    // A clerk is not a citizen: the citizen's own history is refused.
    expect((await clerk.fetch('/v1/me/access-log')).status).to.equal(403);

    const wrongKind = new Browser(gateway.url);
    const refused = await wrongKind.login(DEMO_CITIZENS[1]!.sub, 'clerk');
    expect(refused.status).to.equal(403);
    expect(refused.headers.get('content-type')).to.match(/application\/problem\+json/);
    expect(wrongKind.jar.header(new URL(`${gateway.url}/`))).to.not.contain('juc_session');
  });

  it('refuses a clerk of a suspended agency and an unregistered clerk', async () => {
    const { organisations } = gateway.composition.services;
    await organisations.setOrganisationStatus('org-mma', 'suspended', 'test', { id: 'test' });
    try {
      const browser = new Browser(gateway.url);
      expect((await browser.login('clerk-mma', 'clerk')).status).to.equal(403);
    } finally {
      await organisations.setOrganisationStatus('org-mma', 'active', 'test', { id: 'test' });
    }
    await gateway.database.db('clerk').where({ idp_sub: 'clerk-nts' }).delete();
    expect((await new Browser(gateway.url).login('clerk-nts', 'clerk')).status).to.equal(403);
  });

  it('signs staff in by role, and logs out with CSRF protection', async () => {
    const admin = new Browser(gateway.url);
    await admin.login('admin', 'staff', '/v1/admin/organisations');
    expect((await admin.fetch('/v1/admin/organisations')).status).to.equal(200);

    // Logout without the CSRF token is refused and changes nothing.
    const forged = await admin.fetch('/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=wrong',
    });
    expect(forged.status).to.equal(403);
    expect((await admin.fetch('/v1/me')).status).to.equal(200);

    const token = await admin.csrfToken();
    const out = await admin.fetch('/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${token}`,
    });
    expect(out.status).to.equal(303);
    expect(out.headers.get('location')).to.equal('/auth/signed-out');
    expect((await admin.fetch('/v1/me')).status).to.equal(401);
    const signedOut = await admin.fetch('/auth/signed-out');
    expect(await signedOut.text()).to.contain(`${gateway.identity.devIdp!.issuer}/session/end`);
  });

  it('needs the CSRF header for unsafe API calls made with a session cookie', async () => {
    const admin = new Browser(gateway.url);
    await admin.login('admin', 'staff');
    const body = JSON.stringify({ reason: 'csrf test' });
    const headers = { 'content-type': 'application/json' };
    const without = await admin.fetch('/v1/admin/organisations/org-nps/suspend', {
      method: 'POST',
      headers,
      body,
    });
    expect(without.status).to.equal(403);
    expect((await gateway.composition.services.organisations.getOrganisation('org-nps')).status).to.equal(
      'active',
    );
    const token = await admin.csrfToken();
    const withToken = await admin.fetch('/v1/admin/organisations/org-nps/reinstate', {
      method: 'POST',
      headers: { ...headers, 'x-csrf-token': token },
      body,
    });
    expect(withToken.status).to.equal(200);
  });

  it('never redirects off-site after sign-in', async () => {
    for (const evil of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const browser = new Browser(gateway.url);
      const done = await browser.login(DEMO_CITIZENS[2]!.sub, 'citizen', evil);
      expect(done.status).to.equal(303);
      expect(done.headers.get('location'), evil).to.equal('/');
    }
  });

  it('lets a bank get a token with private_key_jwt + DPoP and call a protected route', async () => {
    const bank = await bankClient(gateway, 'bank-hanbit-app');
    await bank.token(true);
    const response = await bank.call(`${gateway.url}/v1/me`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      kind: 'client',
      clientId: 'bank-hanbit-app',
      orgId: 'org-bank-hanbit',
      scope: ['records:query'],
      dpopBound: true,
    });
    // A bank is not a citizen or an operator.
    expect((await bank.call(`${gateway.url}/v1/admin/organisations`)).status).to.equal(403);
  });

  it('lets a bearer-token client (DPoP not required) call with a plain Bearer token', async () => {
    const bank = await bankClient(gateway, 'bank-nuri-app');
    const token = await bank.token(false);
    const response = await fetch(`${gateway.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.include({ clientId: 'bank-nuri-app', dpopBound: false });
  });
});
