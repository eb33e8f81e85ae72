/**
 * The dev identity provider as the gateway's sign-in when no OpenID provider is configured outside
 * production: it keeps its port and keys across restarts, registers the gateway as a web client
 * once its URL is known, and finds institutional clients in the organisations repo. The composition
 * root (boot.ts, the tests) hands it to startIdentity; production code never imports it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import type { TrustedIssuer } from '../auth/access-token.js';
import {
  redirectUriVariants,
  startIdentity,
  type Identity,
  type StartDevIdentity,
} from '../auth/identity.js';
import { randomToken } from '../auth/sessions.repo.js';
import type { Config } from '../config.js';
import { createOrganisationsRepo, type OrganisationsRepo } from '../organisations/organisations.repo.js';
import { DEMO_API_CLIENTS } from './demo-clients.js';
import { DEMO_CITIZENS, DEMO_CLERKS, DEMO_STAFF } from './demo-identities.js';
import {
  DEFAULT_API_RESOURCE,
  generateDevSigningKeys,
  startDevIdentityProvider,
} from './identity-provider.js';

export const DEV_GATEWAY_CLIENT_ID = 'joint-use-center-gateway';
/** The audience institutional clients ask the dev IdP for (resource indicator). */
export const DEV_API_AUDIENCE = DEFAULT_API_RESOURCE;

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

/** The dev identity provider over the organisations repo, for startIdentity's `startDev`. */
export function devIdentity(organisations: Pick<OrganisationsRepo, 'getClient'>): StartDevIdentity {
  return async ({ config, logger }) => {
    const auth = config.auth;
    const { state, save } = await loadDevIdpState(auth.devDataDir);
    const signingKeys = state.signingKeys ?? (await generateDevSigningKeys());
    let port = auth.devIdpPort || state.port || 0;
    if (!auth.devIdpPort && state.port && !(await portIsFree(state.port))) {
      logger.warn({ port: state.port }, 'the dev identity provider port is taken; using a new one');
      port = 0;
    }
    const devIdp = await startDevIdentityProvider({
      nodeEnv: config.nodeEnv,
      port,
      clients: {},
      signingKeys,
      async findApiClient(clientId) {
        const client = await organisations.getClient(clientId);
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
  };
}

/** startIdentity as the process composes it: the configured provider, else the dev one. */
export function startIdentityOrDevIdp(options: {
  config: Readonly<Config>;
  db: Knex;
  logger: Logger;
}): Promise<Identity> {
  const { config, db, logger } = options;
  return startIdentity({ config, logger, startDev: devIdentity(createOrganisationsRepo(db)) });
}
