/**
 * Dev identity provider: panva's oidc-provider with demo citizens, clerks and staff, on its own
 * loopback HTTP server. For demos and tests only — it accepts any password.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type Provider from 'oidc-provider';
import {
  apiClientMetadata,
  buildConfiguration,
  resourceScopes,
  webClientMetadata,
  DEFAULT_API_RESOURCE,
  DEFAULT_API_SCOPE,
  DEV_ACR,
  DEV_AMR,
  type DevApiClient,
  type DevClients,
  type DevResourceServer,
  type DevWebClient,
} from './identity-provider-config.js';
import { findDemoIdentity } from './demo-identities.js';

export {
  DEFAULT_API_RESOURCE,
  DEFAULT_API_SCOPE,
  DEV_ACR,
  DEV_AMR,
  type DevApiClient,
  type DevClients,
  type DevResourceServer,
  type DevWebClient,
} from './identity-provider-config.js';

export interface DevIdentityProviderOptions {
  /** Refuses to start when this is 'production'. */
  nodeEnv: string | undefined;
  /** Defaults to http://127.0.0.1:<port>. Only origin-only issuers are supported (no path). */
  issuerUrl?: string;
  /** Defaults to the issuerUrl's port, else 0 (a free port). */
  port?: number;
  host?: '127.0.0.1';
  clients: DevClients;
  /** Resource indicators the AS issues JWT access tokens for; defaults to one API resource. */
  resources?: Record<string, DevResourceServer>;
  /** Private signing JWKs (with kid and alg); generated (ES256 + EdDSA) when absent. */
  signingKeys?: JWK[];
  /**
   * Institutional clients looked up on demand (e.g. from the api_client table), so clients
   * registered after start work at once. `clients.api` entries take precedence.
   */
  findApiClient?: (clientId: string) => Promise<DevApiClient | undefined>;
}

export interface DevIdentityProviderKeys {
  /** Private JWKs, for tests that need to forge "legitimate" tokens. Never log them. */
  private: JWK[];
  public: JWK[];
}

export interface DevIdentityProvider {
  issuer: string;
  /** Base URL of the server (equal to the issuer). */
  url: string;
  keys: DevIdentityProviderKeys;
  provider: Provider;
  /** Adds or replaces a browser relying party after start (e.g. once the gateway's URL is known). */
  registerWebClient(client: DevWebClient): void;
  stop(): Promise<void>;
}

export async function generateDevSigningKeys(): Promise<JWK[]> {
  return Promise.all(
    (['ES256', 'EdDSA'] as const).map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(privateKey);
      return { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) };
    }),
  );
}

function toPublicJwk(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e, kid, alg, use } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e, kid, alg, use }).filter(([, v]) => v !== undefined),
  ) as JWK;
}

// oidc-provider warns at import time that Node 20 is below its preferred LTS; it still works
// (ecosystem.md §4), so that single line is dropped to keep test output readable.
async function importProviderQuietly(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}

function assertDevOnly(options: DevIdentityProviderOptions): void {
  if (options.nodeEnv === 'production') {
    throw new Error(
      'The dev identity provider accepts any password and must not run with NODE_ENV=production.',
    );
  }
  if ((options.host ?? '127.0.0.1') !== '127.0.0.1') {
    throw new Error('The dev identity provider only listens on 127.0.0.1.');
  }
}

async function readForm(req: IncomingMessage, limit = 8192): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * devInteractions' own login submit cannot record acr/amr, so the login step is finished here
 * (same form, same fields) and everything else — including the consent step — goes to oidc-provider.
 */
async function handleLogin(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const match = /^\/interaction\/([^/?]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
  if (req.method !== 'POST' || !match) return false;
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    return false; // let oidc-provider render its own error page
  }
  if (details.prompt.name !== 'login' || details.uid !== match[1]) return false;

  const form = await readForm(req);
  const identity = findDemoIdentity(form.get('login') ?? '');
  if (!identity) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Unknown demo account. Use a login name from server/dev/demo-identities.ts.');
    return true;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: identity.sub, acr: DEV_ACR, amr: [...DEV_AMR], remember: false } },
    { mergeWithLastSubmission: false },
  );
  return true;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startDevIdentityProvider(
  options: DevIdentityProviderOptions,
): Promise<DevIdentityProvider> {
  assertDevOnly(options);
  const host = '127.0.0.1';
  if (options.issuerUrl !== undefined && new URL(options.issuerUrl).pathname !== '/') {
    throw new Error('issuerUrl must not have a path when the dev IdP runs on its own server.');
  }

  const privateJwks = options.signingKeys ?? (await generateDevSigningKeys());
  const { default: OidcProvider, errors } = await importProviderQuietly();

  // The issuer must be known before construction but may depend on the port, so listen first
  // and bind the request handler once the provider exists.
  const bound: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => {
    if (bound.handler) return bound.handler(req, res);
    res.writeHead(503).end();
  });
  const issuerPort = options.issuerUrl === undefined ? 0 : Number(new URL(options.issuerUrl).port || 80);
  const address = await listen(server, options.port ?? issuerPort, host);
  const issuer = (options.issuerUrl ?? `http://${host}:${address.port}`).replace(/\/$/, '');

  // Clients registered after start, and clients looked up on demand, are served to oidc-provider
  // through its storage adapter's Client model; everything else stays in its memory adapter.
  const resources = options.resources ?? { [DEFAULT_API_RESOURCE]: { scope: DEFAULT_API_SCOPE } };
  const lateWebClients = new Map<string, DevWebClient>();
  const lateOrgs = new Map<string, string>();
  const { createMemoryAdapter } = (await import(
    // No typings for this deep import: it is oidc-provider's own default in-memory adapter.
    'oidc-provider/lib/adapters/memory_adapter.js' as string
  )) as { createMemoryAdapter: (clockTolerance: number) => (model: string) => Adapter };
  const memory = createMemoryAdapter(15);
  const clientAdapter: Adapter = {
    async find(id: string) {
      const web = lateWebClients.get(id);
      if (web) return webClientMetadata(web) as unknown as AdapterPayload;
      const api = await options.findApiClient?.(id);
      if (!api) return undefined;
      lateOrgs.set(api.clientId, api.org);
      return apiClientMetadata(api, resourceScopes(resources)) as unknown as AdapterPayload;
    },
    upsert: async () => undefined,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    destroy: async () => undefined,
    consume: async () => undefined,
    revokeByGrantId: async () => undefined,
  };
  const adapter = (model: string): Adapter => (model === 'Client' ? clientAdapter : memory(model));

  let provider: Provider;
  try {
    provider = new OidcProvider(
      issuer,
      buildConfiguration({
        clients: options.clients,
        resources,
        privateJwks,
        cookieKeys: [randomBytes(32).toString('base64url')],
        invalidTarget: () => new errors.InvalidTarget(),
        orgOf: (clientId) => lateOrgs.get(clientId),
        adapter,
      }),
    );
  } catch (err) {
    server.close();
    throw err;
  }
  const callback = provider.callback();
  bound.handler = (req, res) => {
    handleLogin(provider, req, res)
      .then((handled) => {
        if (!handled) callback(req, res);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('dev identity provider error');
      });
  };

  return {
    issuer,
    url: issuer,
    keys: { private: privateJwks, public: privateJwks.map(toPublicJwk) },
    provider,
    registerWebClient(client) {
      lateWebClients.set(client.clientId, client);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
