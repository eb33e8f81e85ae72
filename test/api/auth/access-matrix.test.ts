// Every API operation × every kind of caller × the scope sets a client's token may carry, with real
// sessions from the dev IdP and real access tokens, through the real middleware. The expectations are
// the table below, written by hand from what each operation is for; they are never derived from the
// `x-access` rules or the scopes in openapi/gateway.yaml, so a wrong rule there fails this test. A new
// operation fails it too until someone decides its row.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { loadOperationAccess } from '../../../server/auth/access.js';
import { DEV_API_AUDIENCE } from '../../../server/dev/dev-identity.js';
import { DEMO_CITIZENS } from '../../../server/dev/demo-identities.js';
import { bankClient, Browser, startTestGateway, type TestGateway } from '../../support/oidc.js';

/** ok: not refused by the access layer (any answer of the handler but 401, 403 and 500). */
const ok = 'ok';
/** 401 unauthenticated · 403 forbidden (the role) · SC: 403 insufficient_scope (the token's scope). */
const SC = 'scope';
type Expected = typeof ok | 401 | 403 | typeof SC;

const CALLERS = [
  'anonymous',
  'citizen',
  'clerk',
  'auditor',
  'admin',
  'client[]',
  'client[records:query]',
  'client[consents:request]',
  'client[consents:read]',
  'client[all]',
] as const;
type Caller = (typeof CALLERS)[number];

/** Scope of the client-credentials token request for each client column. */
const CLIENT_SCOPES: Partial<Record<Caller, string>> = {
  'client[]': '',
  'client[records:query]': 'records:query',
  'client[consents:request]': 'consents:request',
  'client[consents:read]': 'consents:read',
  'client[all]': 'records:query consents:request consents:read',
};

// prettier-ignore
const MATRIX: Record<string, Expected[]> = {
  //                                                anon  citizen clerk auditor admin  c[]  c[query] c[request] c[read] c[all]
  'GET /healthz':                                   [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /readyz':                                    [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /metrics':                                   [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/purposes':                               [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/purposes/{code}':                        [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/policy/explain':                         [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/admin/organisations':                    [401, 403,    403,  ok,     ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/organisations':                   [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'GET /v1/admin/organisations/{orgId}':            [401, 403,    403,  ok,     ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/organisations/{orgId}/suspend':   [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/organisations/{orgId}/reinstate': [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'PUT /v1/admin/organisations/{orgId}/purposes':   [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'GET /v1/admin/organisations/{orgId}/clients':    [401, 403,    403,  ok,     ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/organisations/{orgId}/clients':   [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/clients/{clientId}/suspend':      [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/clients/{clientId}/reinstate':    [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'GET /v1/admin/organisations/{orgId}/clerks':     [401, 403,    403,  ok,     ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/organisations/{orgId}/clerks':    [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/purposes':                        [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'POST /v1/admin/purposes/{code}/retire':          [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'GET /.well-known/jwks.json':                     [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/log/key':                                [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/log/checkpoint':                         [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /audit/v1/checkpoint':                      [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /audit/v1/tile/{level}/{n0}':               [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /audit/v1/tile/{level}/{x1}/{n0}':          [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /audit/v1/tile/{level}/{x2}/{x1}/{n0}':     [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /audit/v1/tile/{level}/{n0}.p/{width}':     [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /audit/v1/tile/{level}/{x1}/{n0}.p/{width}':[ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /audit/v1/tile/{level}/{x2}/{x1}/{n0}.p/{width}':[ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/audit/entries':                          [401, 403,    403,  ok,     ok,    403, 403,     403,       403,    403],
  'GET /v1/audit/anomalies':                        [401, 403,    403,  ok,     ok,    403, 403,     403,       403,    403],
  'GET /v1/log/receipts/{entryId}':                 [401, 403,    ok,   ok,     ok,    SC,  ok,      SC,        SC,     ok],
  'GET /v1/log/proofs/inclusion':                   [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/log/proofs/consistency':                 [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/log/entries':                            [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/me':                                     [401, ok,     ok,   ok,     ok,    SC,  ok,      ok,        ok,     ok],
  'GET /v1/me/access-log':                          [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'GET /v1/me/access-log.csv':                      [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/queries':                               [401, 403,    ok,   403,    403,   SC,  ok,      SC,        SC,     ok],
  'POST /v1/consent-requests':                      [401, 403,    ok,   403,    403,   SC,  SC,      ok,        SC,     ok],
  'GET /v1/consent-requests/{id}':                  [401, 403,    ok,   403,    403,   SC,  SC,      SC,        ok,     ok],
  'POST /v1/consents/{id}/token':                   [401, 403,    403,  403,    403,   SC,  SC,      SC,        ok,     ok],
  'GET /v1/me/consents':                            [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'GET /v1/me/consents/{id}':                       [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/me/consents/{id}/pause':                [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/me/consents/{id}/resume':               [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/me/consents/{id}/revoke':               [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'GET /v1/me/protection-orders':                   [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/me/protection-orders':                  [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/me/protection-orders/{id}/withdraw':    [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/admin/protection-orders':               [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'GET /v1/me/representatives':                     [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/me/representatives':                    [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/me/representatives/{id}/revoke':        [401, ok,     403,  403,    403,   403, 403,     403,       403,    403],
  'POST /v1/admin/representatives':                 [401, 403,    403,  403,    ok,    403, 403,     403,       403,    403],
  'GET /v1/catalog':                                [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/catalog/categories':                     [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/catalog/{recordTypeId}':                 [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'GET /v1/identifier-schemes':                     [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
  'POST /v1/identifier-schemes/{scheme}/check':     [ok,  ok,     ok,   ok,     ok,    ok,  ok,      ok,        ok,     ok],
};

/** Plausible path parameter values, so allowed callers mostly reach the handler. */
const SAMPLE_PARAMS: Record<string, string> = {
  orgId: 'org-mois',
  clientId: 'bank-nuri-app',
  code: 'resident.id-verification',
  recordTypeId: 'resident.registration-abstract',
  scheme: 'rrn',
};

type Send = (method: string, path: string) => Promise<Response>;

function tokenCaller(base: string, scheme: 'Bearer' | 'DPoP', token: string, handle?: oidc.DPoPHandle) {
  return async (method: string, path: string, config?: oidc.Configuration): Promise<Response> => {
    const body = method === 'GET' ? undefined : '{}';
    const headers = new Headers(body ? { 'content-type': 'application/json' } : {});
    if (scheme === 'DPoP') {
      try {
        return await oidc.fetchProtectedResource(config!, token, new URL(path, base), method, body, headers, {
          DPoP: handle!,
        });
      } catch (err) {
        // openid-client throws on a WWW-Authenticate challenge; the challenge is what we test.
        if (err instanceof oidc.WWWAuthenticateChallengeError) return err.response;
        throw err;
      }
    }
    headers.set('authorization', `Bearer ${token}`);
    return fetch(new URL(path, base), { method, headers, ...(body ? { body } : {}) });
  };
}

async function problemOf(response: Response): Promise<{ code?: string; requiredScopes?: string[] }> {
  return response.headers.get('content-type')?.includes('json')
    ? ((await response.json()) as { code?: string })
    : (await response.text(), {});
}

describe('authorization matrix (real sessions and tokens, expectations by hand)', function () {
  this.timeout(60_000);
  let gateway: TestGateway;
  const send: Partial<Record<Caller, Send>> = {};

  before(async () => {
    gateway = await startTestGateway();
    const people: [Caller, string, 'citizen' | 'clerk' | 'staff'][] = [
      ['citizen', DEMO_CITIZENS[0]!.sub, 'citizen'],
      ['clerk', 'clerk-molit', 'clerk'],
      ['auditor', 'auditor', 'staff'],
      ['admin', 'admin', 'staff'],
    ];
    for (const [caller, login, as] of people) {
      const browser = new Browser(gateway.url);
      const done = await browser.login(login, as);
      expect(done.status, `${caller} signs in`).to.equal(303);
      const csrf = await browser.csrfToken();
      send[caller] = (method, path) =>
        browser.fetch(path, {
          method,
          ...(method === 'GET'
            ? {}
            : { headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: '{}' }),
        });
    }
    const bank = await bankClient(gateway, 'bank-nuri-app'); // bearer client: no proof per request
    for (const [caller, scope] of Object.entries(CLIENT_SCOPES) as [Caller, string][]) {
      const tokens = await oidc.clientCredentialsGrant(bank.config, { scope, resource: DEV_API_AUDIENCE });
      expect((tokens.scope ?? '').split(' ').filter(Boolean).sort(), caller).to.deep.equal(
        scope.split(' ').filter(Boolean).sort(),
      );
      send[caller] = tokenCaller(gateway.url, 'Bearer', tokens.access_token);
    }
    send.anonymous = (method, path) =>
      fetch(new URL(path, gateway.url), {
        method,
        ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
  });

  it('has a row for every operation of openapi/gateway.yaml, and no row for one that is gone', () => {
    const declared = loadOperationAccess();
    const invalid = declared.filter((op) => !op.access).map((op) => `${op.method} ${op.path}: ${op.problem}`);
    expect(invalid, 'fix the x-access rule or security requirements of these operations').to.deep.equal([]);
    const operations = declared.map((op) => `${op.method} ${op.path}`);
    expect(Object.keys(MATRIX).sort()).to.deep.equal([...operations].sort());
    for (const [operation, row] of Object.entries(MATRIX)) {
      expect(row, operation).to.have.length(CALLERS.length);
    }
  });

  it('gives each caller and scope set the status of the table, for every operation', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const [operation, row] of Object.entries(MATRIX)) {
      const [method, template] = operation.split(' ') as [string, string];
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x');
      for (const [i, caller] of CALLERS.entries()) {
        const expected = row[i]!;
        const response = await send[caller]!(method, path);
        const { code } = await problemOf(response);
        const status = response.status;
        const refusedByAccess =
          status === 401 || (status === 403 && (code === 'forbidden' || code === 'insufficient_scope'));
        const ok =
          expected === 401
            ? status === 401 && code === 'unauthenticated'
            : expected === 403
              ? status === 403 && code === 'forbidden'
              : expected === SC
                ? status === 403 && code === 'insufficient_scope'
                : !refusedByAccess && status !== 500;
        checked++;
        if (!ok)
          mismatches.push(`${operation} as ${caller}: got ${status} ${code ?? ''}, expected ${expected}`);
      }
    }
    expect(checked).to.equal(Object.keys(MATRIX).length * CALLERS.length);
    expect(mismatches).to.deep.equal([]);
  });

  it('refuses a query to a token with only consents:read: 403 insufficient_scope and a Bearer challenge', async () => {
    const response = await send['client[consents:read]']!('POST', '/v1/queries');
    expect(response.status).to.equal(403);
    expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).to.equal(
      'Bearer error="insufficient_scope", scope="records:query"',
    );
    expect(await response.json()).to.include({ status: 403, code: 'insufficient_scope' });
    const allowed = await send['client[records:query]']!('POST', '/v1/queries');
    expect(allowed.status, 'an empty body is then the validator’s to refuse').to.equal(400);
    expect((await problemOf(allowed)).code).to.equal('validation_failed');
  });

  it('answers a DPoP-bound token without the scope with a DPoP challenge', async () => {
    const bank = await bankClient(gateway, 'bank-hanbit-app'); // DPoP required
    const handle = oidc.getDPoPHandle(bank.config, bank.dpopKeys);
    const tokens = await oidc.clientCredentialsGrant(
      bank.config,
      { scope: 'consents:request consents:read', resource: DEV_API_AUDIENCE },
      { DPoP: handle },
    );
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
    const call = tokenCaller(gateway.url, 'DPoP', tokens.access_token, handle);
    const refused = await call('POST', '/v1/queries', bank.config);
    expect(refused.status).to.equal(403);
    expect(refused.headers.get('www-authenticate')).to.equal(
      'DPoP error="insufficient_scope", scope="records:query"',
    );
    expect(await problemOf(refused)).to.deep.include({
      code: 'insufficient_scope',
      requiredScopes: ['records:query'],
    });
    const me = await call('GET', '/v1/me', bank.config);
    expect(me.status).to.equal(200);
    expect(await me.json()).to.deep.include({ scope: ['consents:request', 'consents:read'] });
  });
});
