/**
 * The Config that the rest of the server reads, built from validated settings. Its type is inferred
 * from this function, so each field's type comes from its variable's schema in variables.ts and a
 * variable is named once here, where it lands.
 */
import type { HolderLinks } from '../providers/holder-settings.js';
import type { TokenIssuerConfig, WitnessEndpoint } from './json-settings.js';
import type { noticeSettings, oidcSettings } from './rules.js';
import { parseTrustProxy } from './json-settings.js';
import type { Settings } from './settings.js';

/** Settings that take more than one variable or a parse, worked out (and their problems listed) first. */
export interface DerivedSettings {
  witnesses: readonly WitnessEndpoint[];
  apiTokenIssuers: TokenIssuerConfig[];
  oidc: ReturnType<typeof oidcSettings>;
  holders: HolderLinks;
  notices: ReturnType<typeof noticeSettings>;
}

export function configShape(s: Settings, d: DerivedSettings) {
  const nodeEnv = s.NODE_ENV;
  return Object.freeze({
    nodeEnv,
    host: s.HOST,
    port: s.PORT,
    publicUrl: s.PUBLIC_URL,
    databaseUrl: s.DATABASE_URL,
    embeddedPg: Object.freeze({ dir: s.EMBEDDED_PG_DIR, port: s.EMBEDDED_PG_PORT }),
    db: Object.freeze({
      poolMax: s.DB_POOL_MAX,
      poolIdleMs: s.DB_POOL_IDLE_MS,
      statementTimeoutMs: s.DB_STATEMENT_TIMEOUT_MS,
    }),
    logLevel: s.LOG_LEVEL,
    bodyLimitBytes: s.BODY_LIMIT_BYTES,
    /**
     * Every JSON response checked against openapi/gateway.yaml, production included: it costs ~0.17 ms of
     * CPU for the largest document (an access-log page with proofs, 28 KB), 4 % of that request and about
     * 1 % of a query's (bench/response-validation.ts, README "Response validation"); too little to
     * sample (that would take a second validator instance) or to leave a drifting contract unseen.
     */
    validateResponses: s.VALIDATE_RESPONSES,
    /**
     * What a response that breaks the contract does: `fail` (a 500, so tests catch it) outside production;
     * `report` in production (logged and counted in openapi_response_violations_total, still sent), since a
     * query's audit entry and consent use are already committed when its answer is checked.
     */
    responseViolations: nodeEnv === 'production' ? ('report' as const) : ('fail' as const),
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    /** Load shedding of API requests per process (server/limits/load-shedder.ts). */
    shedding: Object.freeze({
      targetLatencyMs: s.SHED_TARGET_LATENCY_MS,
      minInFlight: s.SHED_MIN_IN_FLIGHT,
      maxInFlight: s.SHED_MAX_IN_FLIGHT,
    }),
    seedDemoData: s.SEED_DEMO_DATA ?? nodeEnv !== 'production',
    queries: Object.freeze({
      deadlineMs: s.QUERY_DEADLINE_MS,
      rateLimitPerMinute: s.QUERY_RATE_LIMIT_PER_MINUTE,
      harvestFlagSubjectsPerHour: s.HARVEST_FLAG_SUBJECTS_PER_HOUR,
      harvestMaxSubjectsPerHour: s.HARVEST_MAX_SUBJECTS_PER_HOUR,
      idempotencyTtlMs: s.QUERY_IDEMPOTENCY_TTL_S * 1000,
      /** Sealing period of one query-replay data key (docs/data-at-rest.md). */
      dataKeyRotationMs: s.DATA_KEY_ROTATION_S * 1000,
    }),
    trustProxy: parseTrustProxy(s.TRUST_PROXY),
    /** HMAC key of subject pseudonyms (DESIGN §2.4). */
    subjectPepper: s.SUBJECT_PEPPER,
    /** HMAC key of the policy `hash` form: pairwise per requester organisation (DESIGN §8). */
    policyPairwiseKey: s.POLICY_PAIRWISE_KEY,
    keyStoreDir: s.KEY_STORE_DIR,
    /** Where the signing keys live (KEY_STORE) and how long a rotated one overlaps. */
    keyStore: Object.freeze({
      kind: s.KEY_STORE,
      overlapMs: Math.round(s.KEY_OVERLAP_DAYS * 86_400_000),
      ...(s.KEY_STORE === 'pkcs11'
        ? {
            pkcs11: Object.freeze({
              module: s.PKCS11_MODULE,
              // Required with KEY_STORE=pkcs11 (rules.ts): the empty string is never used.
              pin: s.PKCS11_PIN ?? '',
              ...(s.PKCS11_TOKEN_LABEL ? { tokenLabel: s.PKCS11_TOKEN_LABEL } : {}),
              ...(s.PKCS11_SLOT !== undefined ? { slot: s.PKCS11_SLOT } : {}),
            }),
          }
        : {}),
    }),
    audit: Object.freeze({
      logOrigin: s.AUDIT_LOG_ORIGIN,
      /** Witnesses the checkpointer submits every checkpoint to (WITNESSES). */
      witnesses: d.witnesses,
      /** Trust policy pinned into the portal's bundle (WITNESS_POLICY_FILE). */
      witnessPolicyFile: s.WITNESS_POLICY_FILE,
      devWitnesses: s.DEV_WITNESSES,
      sequencerIntervalMs: s.AUDIT_SEQUENCER_INTERVAL_MS,
      sequencerBatchSize: s.AUDIT_SEQUENCER_BATCH,
      retentionMonths: s.AUDIT_RETENTION_MONTHS,
    }),
    auth: Object.freeze({
      /** The OpenID provider for browser sign-in; undefined runs the dev identity provider (not in production). */
      oidc: d.oidc,
      /** Trusted access-token issuers; empty with no OIDC provider means the dev identity provider. */
      apiTokenIssuers: d.apiTokenIssuers,
      devIdpPort: s.DEV_IDP_PORT,
      devDataDir: s.DEV_DATA_DIR,
      sessionIdleTimeoutSec: s.SESSION_IDLE_TIMEOUT_SEC,
      sessionAbsoluteTimeoutSec: s.SESSION_ABSOLUTE_TIMEOUT_SEC,
    }),
    /** Registries we fetch records from (DESIGN §4 "Provider fetch"). */
    providers: Object.freeze({
      registryUrl: s.REGISTRY_URL,
      /** Per holder: its registry URL, key and limits (HOLDERS or HOLDERS_FILE); unset settings use the defaults below. */
      holders: d.holders,
      timeoutMs: s.PROVIDER_TIMEOUT_MS,
      maxConcurrent: s.PROVIDER_MAX_CONCURRENCY,
      maxResponseBytes: s.PROVIDER_MAX_RESPONSE_BYTES,
      breakerThreshold: s.PROVIDER_BREAKER_THRESHOLD,
      breakerCooldownMs: s.PROVIDER_BREAKER_COOLDOWN_MS,
    }),
    consents: Object.freeze({
      requestTtlSeconds: s.CONSENT_REQUEST_TTL_SECONDS,
      tokenTtlSeconds: s.CONSENT_TOKEN_TTL_SECONDS,
      /** Per client, or per agency for counter requests. */
      requestsPerMinute: s.CONSENT_REQUESTS_PER_MINUTE,
      /** Per named citizen, whoever asks: a citizen's list cannot be flooded. */
      requestsPerSubjectPerHour: s.CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR,
    }),
    /** Access notices: e-mail through a relay, webhooks only to public addresses (server/notices). */
    notices: d.notices,
  });
}
