// Every API operation × {anonymous, citizen, clerk, bank client, auditor, admin}, with real sessions
// from the dev IdP and a real bank token, through the real middleware. Expectations come from the
// `x-access` rules in openapi/gateway.yaml, so new operations are covered without touching this file.
import { expect } from 'chai';
import { decide, loadOperationAccess, ROLES, type Role } from '../../../server/auth/access.js';
import { DEMO_CITIZENS } from '../../../server/dev/demo-identities.js';
import { bankClient, Browser, startTestGateway, type TestGateway } from '../../support/oidc.js';

type Caller = 'anonymous' | Role;
const CALLERS: Caller[] = ['anonymous', 'citizen', 'clerk', 'client', 'auditor', 'admin'];

/** Plausible path parameter values, so allowed callers mostly reach the handler. */
const SAMPLE_PARAMS: Record<string, string> = {
  orgId: 'org-mois',
  clientId: 'bank-nuri-app',
  code: 'resident.id-verification',
  recordTypeId: 'resident.registration-abstract',
  scheme: 'rrn',
};

describe('access rules', () => {
  it('every API operation declares a valid x-access rule', () => {
    const missing = loadOperationAccess()
      .filter((op) => !op.access)
      .map((op) => `${op.method} ${op.path}: ${op.problem}`);
    expect(
      missing,
      'add `x-access: public` or `x-access: [roles]` to these operations in openapi/gateway.yaml',
    ).to.deep.equal([]);
  });
});

describe('authorization matrix (real sessions and tokens)', function () {
  this.timeout(40_000);
  let gateway: TestGateway;
  const send: Partial<Record<Caller, (method: string, path: string) => Promise<Response>>> = {};

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
    const token = await bank.token(false);
    send.client = (method, path) =>
      fetch(new URL(path, gateway.url), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
        },
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
    send.anonymous = (method, path) =>
      fetch(new URL(path, gateway.url), {
        method,
        ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
  });

  it('gives each caller the status its declared rule implies, for every operation', async () => {
    const operations = loadOperationAccess().filter((op) => op.access);
    expect(operations.length).to.be.greaterThan(20);
    const mismatches: string[] = [];
    let checked = 0;
    for (const op of operations) {
      const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x');
      for (const caller of CALLERS) {
        const response = await send[caller]!(op.method, path);
        const body = response.headers.get('content-type')?.includes('json')
          ? ((await response.json()) as { code?: string })
          : (await response.text(), {});
        const expected = decide(op.access!, caller === 'anonymous' ? undefined : principalStub(caller));
        const status = response.status;
        const ok =
          expected === 401
            ? status === 401 && body.code === 'unauthenticated'
            : expected === 403
              ? status === 403 && body.code === 'forbidden'
              : // Allowed: whatever the handler says (200, 400, 404, 503 ...) but not a refusal or a crash.
                status !== 401 && !(status === 403 && body.code === 'forbidden') && status !== 500;
        checked++;
        if (!ok) {
          mismatches.push(
            `${op.method} ${op.path} as ${caller}: got ${status} ${body.code ?? ''}, rule ${JSON.stringify(op.access)} → ${expected}`,
          );
        }
      }
    }
    expect(checked).to.equal(operations.length * CALLERS.length);
    expect(mismatches).to.deep.equal([]);
  });
});

function principalStub(role: Role) {
  switch (role) {
    case 'citizen':
      return { kind: 'citizen' as const, sub: 's', subjectKey: 'k' };
    case 'clerk':
      return { kind: 'clerk' as const, sub: 's', clerkId: 'c', orgId: 'o' };
    case 'client':
      return { kind: 'client' as const, clientId: 'c', orgId: 'o', scope: [] };
    case 'auditor':
    case 'admin':
      return { kind: 'staff' as const, sub: 's', role };
  }
}

// Keep ROLES and the callers of this matrix in step.
expect([...ROLES].sort()).to.deep.equal(CALLERS.filter((c) => c !== 'anonymous').sort());
