/**
 * Real credentials for the fuzzer: browser sessions from the dev IdP (citizen, clerk, auditor,
 * admin) and bank access tokens from client credentials, one DPoP-bound (a fresh proof per request,
 * for the exact method and URL sent) and one bearer.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { accessTokenHash } from '../../../server/auth/dpop.js';
import { DEV_API_AUDIENCE } from '../../../server/dev/dev-identity.js';
import { DEFAULT_API_SCOPE } from '../../../server/dev/identity-provider-config.js';
import { DEMO_CITIZENS } from '../../../server/dev/demo-identities.js';
import { bankClient, Browser, type BankClient, type TestGateway } from '../../support/oidc.js';

export const CALLERS = [
  'anonymous',
  'citizen',
  'clerk',
  'client-dpop',
  'client-bearer',
  // A DPoP client whose token may only read consents: refused by scope on most client operations.
  'client-read-only',
  'auditor',
  'admin',
] as const;
export type Caller = (typeof CALLERS)[number];

export interface OutgoingRequest {
  method: string;
  /** Path and query, already encoded. */
  target: string;
  headers: Record<string, string>;
  /** Bytes as sent; a string is sent as UTF-8 with the content type in `headers` (if any). */
  body?: string;
}

/** Access tokens live 10 minutes at the dev IdP; renew well before that on long FUZZ_RUNS. */
const TOKEN_RENEW_MS = 4 * 60_000;

class TokenHolder {
  private token?: { value: string; at: number };
  private readonly bank: BankClient;
  private readonly dpop: boolean;
  private readonly scope: string;
  constructor(bank: BankClient, dpop: boolean, scope = DEFAULT_API_SCOPE) {
    this.bank = bank;
    this.dpop = dpop;
    this.scope = scope;
  }

  async get(): Promise<string> {
    if (this.token && Date.now() - this.token.at < TOKEN_RENEW_MS) return this.token.value;
    const handle = oidc.getDPoPHandle(this.bank.config, this.bank.dpopKeys);
    const tokens = await oidc.clientCredentialsGrant(
      this.bank.config,
      { scope: this.scope, resource: DEV_API_AUDIENCE },
      this.dpop ? { DPoP: handle } : undefined,
    );
    this.token = { value: tokens.access_token, at: Date.now() };
    return this.token.value;
  }
}

export interface Callers {
  send(caller: Caller, request: OutgoingRequest): Promise<Response>;
  /** The signed-in citizen's national id, for requests about a real subject. */
  citizenId: string;
  /** The browser of a signed-in person, for the pages outside the API (e.g. the approval screen). */
  browser(caller: 'citizen' | 'clerk' | 'auditor' | 'admin'): Browser;
}

export async function signInCallers(gateway: TestGateway): Promise<Callers> {
  const sessions = new Map<Caller, { browser: Browser; csrf: string }>();
  const citizen = DEMO_CITIZENS[0]!;
  const people: [Caller, string, 'citizen' | 'clerk' | 'staff'][] = [
    ['citizen', citizen.sub, 'citizen'],
    ['clerk', 'clerk-molit', 'clerk'],
    ['auditor', 'auditor', 'staff'],
    ['admin', 'admin', 'staff'],
  ];
  for (const [caller, login, as] of people) {
    const browser = new Browser(gateway.url);
    const done = await browser.login(login, as);
    if (done.status !== 303) throw new Error(`${caller} could not sign in: ${done.status}`);
    sessions.set(caller, { browser, csrf: await browser.csrfToken() });
  }
  const hanbit = await bankClient(gateway, 'bank-hanbit-app');
  const nuri = await bankClient(gateway, 'bank-nuri-app');
  const dpopToken = new TokenHolder(hanbit, true);
  const bearerToken = new TokenHolder(nuri, false);
  const readOnlyToken = new TokenHolder(hanbit, true, 'consents:read');

  async function proof(method: string, url: URL, token: string): Promise<string> {
    return new SignJWT({
      jti: randomUUID(),
      htm: method,
      htu: `${url.origin}${url.pathname}`,
      iat: Math.floor(Date.now() / 1000),
      ath: accessTokenHash(token),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: hanbit.dpopJwk })
      .sign(hanbit.dpopKeys.privateKey);
  }

  return {
    citizenId: citizen.national_id!,
    browser: (caller) => sessions.get(caller)!.browser,
    async send(caller, request) {
      const url = new URL(request.target, gateway.url);
      const headers = new Headers(request.headers);
      const init: RequestInit = { method: request.method, headers, redirect: 'manual' };
      // A string body would get text/plain from fetch when the request names no content type.
      if (request.body !== undefined) init.body = new TextEncoder().encode(request.body);
      if (caller === 'client-dpop' || caller === 'client-read-only') {
        const token = await (caller === 'client-dpop' ? dpopToken : readOnlyToken).get();
        headers.set('authorization', `DPoP ${token}`);
        headers.set('dpop', await proof(request.method, url, token));
      } else if (caller === 'client-bearer') {
        headers.set('authorization', `Bearer ${await bearerToken.get()}`);
      }
      const session = sessions.get(caller);
      if (!session) return fetch(url, init);
      if (!['GET', 'HEAD'].includes(request.method)) headers.set('x-csrf-token', session.csrf);
      return session.browser.fetch(url.pathname + url.search, init);
    },
  };
}
