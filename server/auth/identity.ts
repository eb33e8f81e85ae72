/**
 * Which identity providers this gateway trusts, from configuration: an OpenID provider for browser
 * sign-in (OIDC_*) and access-token issuers for institutional clients (API_TOKEN_ISSUERS). With no
 * OpenID provider configured outside production, the dev identity provider that the composition
 * root passes in (server/dev/dev-identity.ts) serves both; in production that is refused.
 */
import { readFileSync } from 'node:fs';
import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { TrustedIssuer } from './access-token.js';
import type { RelyingPartyConfig } from './login.service.js';

/** What compose needs to wire sign-in and API authentication. */
export interface IdentitySetup {
  /** Browser sign-in; undefined → /auth/login answers 503. */
  rp: RelyingPartyConfig | undefined;
  /** Trusted access-token issuers; empty → every access token is refused. */
  apiIssuers: TrustedIssuer[];
}

export interface Identity {
  setup: IdentitySetup;
  /** The dev identity provider when composition started one (its issuer, and its keys for tests). */
  devIdp: { issuer: string; keys: { private: JWK[]; public: JWK[] } } | undefined;
  /** Registers the gateway's redirect URIs at the dev identity provider once its URL is known. */
  gatewayListening(url: string): void;
  /** Start-up lines for the console (the dev IdP and its demo logins). */
  describe(): string[];
  stop(): Promise<void>;
}

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

/** Starts the dev identity provider; the composition root hands it in (server/dev/dev-identity.ts). */
export type StartDevIdentity = (options: { config: Readonly<Config>; logger: Logger }) => Promise<Identity>;

export async function startIdentity(options: {
  config: Readonly<Config>;
  logger: Logger;
  /** Outside production without OIDC_*: the dev identity provider. Production code never imports it. */
  startDev?: StartDevIdentity;
}): Promise<Identity> {
  const { config, logger } = options;
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
  if (!options.startDev) {
    throw new Error(
      'No identity provider is configured: set OIDC_ISSUER_URL, OIDC_CLIENT_ID and a client secret or key.',
    );
  }
  return options.startDev({ config, logger });
}
