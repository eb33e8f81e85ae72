/**
 * The two parties of test/contract/bank-flow.ts: a bank calling the API with a DPoP-bound token
 * (openid-client, private_key_jwt at the dev identity provider, a fresh proof per request), and a
 * citizen's browser signing in and approving on the gateway's pages. Each step is recorded with the
 * violations a validating proxy reported for it.
 */
import * as client from 'openid-client';
import { importJWK } from 'jose';
import { demoClientPrivateJwk } from '../../server/dev/demo-clients.js';
import { DEFAULT_API_RESOURCE } from '../../server/dev/identity-provider.js';
import { CookieJar } from '../integration/auth/login-driver.js';

export interface Step {
  step: string;
  status: number | 'ok';
  /** "request.…" or "response.…" locations with Prism's message. */
  violations: string[];
  proxied?: boolean;
  unexpected?: boolean;
}

interface PrismViolation {
  location?: string[];
  message?: string;
}

/** What a validating proxy said about one exchange: its sl-violations header, or its error body. */
function violationsOf(response: Response, body: Record<string, unknown>): string[] {
  const header = response.headers.get('sl-violations');
  const listed: PrismViolation[] = header
    ? header.startsWith('[')
      ? (JSON.parse(header) as PrismViolation[])
      : [{ location: ['request'], message: header }]
    : [];
  const inBody = Array.isArray(body.validation) ? (body.validation as PrismViolation[]) : [];
  const proxyError = typeof body.type === 'string' && /stoplight\.io\/prism/.test(body.type);
  const all = [...listed, ...inBody];
  if (proxyError && all.length === 0) all.push({ location: ['request'], message: String(body.detail) });
  // Prism repeats a response violation in its header and its error body: count it once.
  return [...new Set(all.map((v) => `${(v.location ?? []).join('.')} ${v.message ?? ''}`.trim()))];
}

export interface CallOptions {
  expect: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function bankApi(options: {
  publicUrl: string;
  idpIssuer: string;
  steps: Step[];
  scope?: string;
  clientId?: string;
  /** false: a bearer token, for a client registered without DPoP. */
  dpop?: boolean;
}) {
  const clientId = options.clientId ?? 'bank-hanbit-app'; // registered with DPoP required
  const jwk = await demoClientPrivateJwk(clientId);
  const as = await client.discovery(
    new URL(options.idpIssuer),
    clientId,
    {},
    client.PrivateKeyJwt({ key: (await importJWK(jwk, 'ES256')) as CryptoKey, kid: jwk.kid! }),
    { execute: [client.allowInsecureRequests] },
  );
  const dpop =
    options.dpop === false
      ? undefined
      : { DPoP: client.getDPoPHandle(as, await client.randomDPoPKeyPair('ES256')) };
  const scope = options.scope ?? 'records:query consents:request consents:read';
  const tokens = await client.clientCredentialsGrant(as, { scope, resource: DEFAULT_API_RESOURCE }, dpop);
  const kind = dpop ? 'DPoP-bound' : 'bearer';
  options.steps.push({ step: `${clientId}: ${kind} token (scope ${scope})`, status: 'ok', violations: [] });

  return {
    async call(method: string, path: string, call: CallOptions): Promise<Record<string, unknown>> {
      const headers = new Headers(call.headers);
      if (call.body !== undefined) headers.set('content-type', 'application/json');
      let response: Response;
      try {
        response = await client.fetchProtectedResource(
          as,
          tokens.access_token,
          new URL(path, options.publicUrl),
          method,
          call.body === undefined ? undefined : JSON.stringify(call.body),
          headers,
          dpop,
        );
      } catch (err) {
        // A refusal with a WWW-Authenticate challenge is an answer like any other here.
        if (!(err instanceof client.WWWAuthenticateChallengeError)) throw err;
        response = err.response;
      }
      const text = await response.text();
      const body = /json/.test(response.headers.get('content-type') ?? '')
        ? (JSON.parse(text) as Record<string, unknown>)
        : {};
      const step: Step = {
        step: `${method} ${path}`,
        status: response.status,
        violations: violationsOf(response, body),
        proxied: true,
        unexpected: response.status !== call.expect,
      };
      options.steps.push(step);
      if (step.unexpected) {
        throw new Error(
          `${step.step} answered ${response.status}, not ${call.expect}: ${text.slice(0, 600)}`,
        );
      }
      return body;
    },
  };
}

/**
 * The citizen opens the consent link, signs in at the dev IdP and approves. Pages are outside the
 * API contract, so requests for the public origin go to the gateway itself, as an ingress in front
 * of a validating proxy would send them.
 */
export async function citizenApproves(options: {
  consentUrl: string;
  publicUrl: string;
  gatewayUrl: string;
  steps: Step[];
  login?: string;
}): Promise<void> {
  const publicOrigin = new URL(options.publicUrl).origin;
  const route = (url: URL) =>
    url.origin === publicOrigin ? new URL(url.pathname + url.search, options.gatewayUrl) : url;
  const jar = new CookieJar();
  const go = async (url: URL, init: RequestInit = {}) => {
    const target = route(url);
    const cookie = jar.header(target);
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    jar.store(response);
    return response;
  };

  let url = new URL(options.consentUrl);
  let init: RequestInit = {};
  let html = '';
  for (let hop = 0; ; hop++) {
    if (hop === 25) throw new Error('the citizen did not reach the approval screen in 25 hops');
    const response = await go(url, init);
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      url = new URL(response.headers.get('location')!, url);
      init = {};
      continue;
    }
    html = await response.text();
    if (url.origin === publicOrigin) break;
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action)
      throw new Error(`unexpected IdP page (${response.status}): ${html.slice(0, 300)}`);
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', options.login ?? 'citizen-minjun');
      form.set('password', 'any password works');
    }
    url = new URL(action, url);
    init = {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
  }
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error(`no approval form at ${url.href}: ${html.slice(0, 300)}`);
  const posted = await go(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: publicOrigin,
      'sec-fetch-site': 'same-origin',
    },
    body: new URLSearchParams({ _csrf: csrf, decision: 'approve', lang: 'en' }).toString(),
  });
  if (posted.status !== 303)
    throw new Error(`the approval answered ${posted.status}: ${await posted.text()}`);
  const done = await go(new URL(posted.headers.get('location')!, url));
  const page = await done.text();
  if (!page.includes('You approved the request.'))
    throw new Error(`approval not confirmed: ${page.slice(0, 300)}`);
  options.steps.push({
    step: 'citizen signs in and approves (pages, beside the proxy)',
    status: 'ok',
    violations: [],
  });
}
