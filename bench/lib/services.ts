/**
 * The processes under test, started the same way by the bench and the fault suite: the reference
 * registry as its own process, and the gateway on every core (node:cluster) with production
 * settings — NODE_ENV=production with real secrets, API tokens from the harness's own dev IdP
 * (API_TOKEN_ISSUERS), browser sign-in configured against it (OIDC_*, unused here), REGISTRY_URL,
 * no demo data, pre-generated keys, and query limits raised so the load is not rate limited.
 */
import type { DevIdentityProvider } from '../../server/dev/identity-provider.js';
import { BENCH_SECRETS } from './prepare.js';

export function registryArgs(port: number, keyStoreDir: string): string[] {
  return ['--port', String(port), '--trust-keys', keyStoreDir];
}

export function registryEnv(dbUrl: string, keyStoreDir: string): Record<string, string> {
  return { NODE_ENV: 'development', DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', KEY_STORE_DIR: keyStoreDir };
}

export function gatewayEnv(options: {
  port: number;
  dbUrl: string;
  keyStoreDir: string;
  devDataDir: string;
  idp: DevIdentityProvider;
  registryUrl: string;
  workers?: number;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    DATABASE_URL: options.dbUrl,
    DB_POOL_MAX: '10',
    LOG_LEVEL: 'info',
    SUBJECT_PEPPER: BENCH_SECRETS.subjectPepper,
    POLICY_PAIRWISE_KEY: BENCH_SECRETS.policyPairwiseKey,
    AUDIT_LOG_ORIGIN: BENCH_SECRETS.auditLogOrigin,
    KEY_STORE_DIR: options.keyStoreDir,
    DEV_DATA_DIR: options.devDataDir,
    API_TOKEN_ISSUERS: JSON.stringify([
      {
        issuer: options.idp.issuer,
        jwksUri: `${options.idp.url}/jwks`,
        audience: 'urn:joint-use-center:api',
      },
    ]),
    OIDC_ISSUER_URL: options.idp.issuer,
    OIDC_CLIENT_ID: 'bench-gateway',
    OIDC_CLIENT_SECRET: 'bench-gateway-secret-not-used-for-sign-in',
    REGISTRY_URL: options.registryUrl,
    QUERY_RATE_LIMIT_PER_MINUTE: '1000000',
    HARVEST_FLAG_SUBJECTS_PER_HOUR: '1000000',
    HARVEST_MAX_SUBJECTS_PER_HOUR: '1000000',
    BENCH_WORKERS: String(options.workers ?? 2),
    ...options.extra,
  };
}
