/**
 * Which identity providers this gateway trusts, from configuration: an OpenID provider for browser
 * sign-in (OIDC_*) and access-token issuers for institutional clients (API_TOKEN_ISSUERS). With no
 * OpenID provider configured outside production, the dev identity provider is started on loopback
 * and serves both; in production that is refused.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { importJWK, type JWK } from 'jose';
import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { DEMO_API_CLIENTS } from '../dev/demo-clients.js';
import { DEMO_CITIZENS, DEMO_CLERKS, DEMO_STAFF } from '../dev/demo-identities.js';
import {
  DEFAULT_API_RESOURCE,
  generateDevSigningKeys,
  startDevIdentityProvider,
  type DevIdentityProvider,
} from '../dev/identity-provider.js';
import { createOrganisationsRepo } from '../organisations/organisations.repo.js';
import type { TrustedIssuer } from './access-token.js';
import type { RelyingPartyConfig } from './login.service.js';
import { randomToken } from './sessions.repo.js';

/** What compose needs to wire sign-in and API authentication. */
export interface IdentitySetup {
  /** Browser sign-in; undefined → /auth/login answers 503. */
  rp: RelyingPartyConfig | undefined;
  /** Trusted access-token issuers; empty → every access token is refused. */
  apiIssuers: TrustedIssuer[];
}

export interface Identity {
  setup: IdentitySetup;
  devIdp: DevIdentityProvider | undefined;
  /** Registers the gateway's redirect URIs at the dev identity provider once its URL is known. */
  gatewayListening(url: string): void;
  /** Start-up lines for the console (the dev IdP and its demo logins). */
  describe(): string[];
  stop(): Promise<void>;
}

export const DEV_GATEWAY_CLIENT_ID = 'joint-use-center-gateway';
/** The audience institutional clients ask the dev IdP for (resource indicator). */
export const DEV_API_AUDIENCE = DEFAULT_API_RESOURCE;

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

async function configuredClientAuth(
  oidcConfig: NonNullable<Config['auth']['oidc']>,
): Promise<oidc.ClientAuth> {
  if (oidcConfig.clientSecret) return oidc.ClientSecretBasic(oidcConfig.clientSecret);
  const jwk = JSON.parse(readFileSync(oidcConfig.privateKeyFile!, 'utf8')) as JWK;
  if (!jwk.d || !jwk.alg) throw new Error('OIDC_CLIENT_PRIVATE_KEY_FILE must hold a private JWK with "alg".');
  const key = await importJWK(jwk, jwk.alg);
  return oidc.PrivateKeyJwt({ key: key as CryptoKey, ...(jwk.kid ? { kid: jwk.kid } : {}) });
}

/** Loopback gateway URLs are registered under both 127.0.0.1 and localhost. */
export function redirectUriVariants(gatewayUrl: string, path: string): string[] {
  const url = new URL(path, gatewayUrl.replace(/\/?$/, '/'));
  const out = new Set([url.href]);
  if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') {
    for (const host of ['127.0.0.1', 'localhost']) {
      const variant = new URL(url.href);
      variant.hostname = host;
      out.add(variant.href);
    }
  }
  return [...out];
}

interface DevIdpState {
  port?: number;
  signingKeys?: JWK[];
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The dev IdP keeps its port and keys across restarts, so its issuer (and clerk mappings) stay put. */
async function loadDevIdpState(dir: string): Promise<{ state: DevIdpState; save(s: DevIdpState): void }> {
  const file = join(dir, 'dev-idp.json');
  let state: DevIdpState = {};
  if (existsSync(file)) {
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as DevIdpState;
    } catch {
      state = {};
    }
  }
  return {
    state,
    save(next) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    },
  };
}

export async function startIdentity(options: {
  config: Readonly<Config>;
  db: Knex;
  logger: Logger;
}): Promise<Identity> {
  const { config, db, logger } = options;
  const auth = config.auth;

  if (auth.oidc) {
    const issuerUrl = new URL(auth.oidc.issuerUrl);
    const rp: RelyingPartyConfig = {
      issuer: auth.oidc.issuerUrl,
      clientId: auth.oidc.clientId,
      clientAuth: await configuredClientAuth(auth.oidc),
      allowInsecureRequests:
        config.nodeEnv !== 'production' && issuerUrl.protocol === 'http:' && isLoopback(issuerUrl),
    };
    if (auth.apiTokenIssuers.length === 0) {
      logger.warn('API_TOKEN_ISSUERS is unset: institutional clients cannot call the API');
    }
    return {
      setup: { rp, apiIssuers: [...auth.apiTokenIssuers] },
      devIdp: undefined,
      gatewayListening: () => undefined,
      describe: () => [`  Sign-in         ${auth.oidc!.issuerUrl} (client ${auth.oidc!.clientId})`],
      stop: async () => undefined,
    };
  }

  if (config.nodeEnv === 'production') {
    throw new Error(
      'No identity provider is configured: set OIDC_ISSUER_URL, OIDC_CLIENT_ID and a client secret or key ' +
        '(the dev identity provider never runs in production).',
    );
  }

  const { state, save } = await loadDevIdpState(auth.devDataDir);
  const signingKeys = state.signingKeys ?? (await generateDevSigningKeys());
  let port = auth.devIdpPort || state.port || 0;
  if (!auth.devIdpPort && state.port && !(await portIsFree(state.port))) {
    logger.warn({ port: state.port }, 'the dev identity provider port is taken; using a new one');
    port = 0;
  }
  const repo = createOrganisationsRepo(db);
  const devIdp = await startDevIdentityProvider({
    nodeEnv: config.nodeEnv,
    port,
    clients: {},
    signingKeys,
    async findApiClient(clientId) {
      const client = await repo.getClient(clientId);
      if (!client || client.status !== 'active') return undefined;
      return {
        clientId: client.id,
        org: client.orgId,
        jwks: client.jwks as never,
        dpopRequired: client.dpopRequired,
      };
    },
  });
  save({ port: Number(new URL(devIdp.issuer).port), signingKeys });

  const clientSecret = randomToken();
  const gatewayListening = (url: string) =>
    devIdp.registerWebClient({
      clientId: DEV_GATEWAY_CLIENT_ID,
      clientSecret,
      redirectUris: redirectUriVariants(url, 'auth/callback'),
      postLogoutRedirectUris: redirectUriVariants(url, ''),
    });
  if (config.publicUrl) gatewayListening(config.publicUrl);

  const apiIssuers: TrustedIssuer[] = auth.apiTokenIssuers.length
    ? [...auth.apiTokenIssuers]
    : [{ issuer: devIdp.issuer, jwksUri: `${devIdp.url}/jwks`, audience: DEV_API_AUDIENCE }];

  return {
    setup: {
      rp: {
        issuer: devIdp.issuer,
        clientId: DEV_GATEWAY_CLIENT_ID,
        clientAuth: oidc.ClientSecretBasic(clientSecret),
        allowInsecureRequests: true,
      },
      apiIssuers,
    },
    devIdp,
    gatewayListening,
    describe: () => [
      `  Dev IdP         ${devIdp.issuer}  (development only; any password)`,
      `    citizens      ${DEMO_CITIZENS.map((c) => c.sub).join(', ')}`,
      `    clerks        ${DEMO_CLERKS.map((c) => c.sub).join(', ')}`,
      `    staff         ${DEMO_STAFF.map((c) => c.sub).join(', ')}`,
      `    bank clients  ${DEMO_API_CLIENTS.map((c) => c.clientId).join(', ')}`,
      `                  keys in ${join(auth.devDataDir, 'demo-clients')}/, audience ${DEV_API_AUDIENCE}`,
    ],
    stop: () => devIdp.stop(),
  };
}
