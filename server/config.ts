/**
 * The only reader of process.env. Every variable is declared once in `variables` (with the text
 * that tells an operator how to fix it), validated with ajv, and frozen. A bad start lists every
 * bad variable in one message instead of failing on the first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseHolderLinks, type HolderLinks } from './providers/holder-settings.js';

export type NodeEnv = 'development' | 'test' | 'production';

interface VariableSpec {
  schema: Record<string, unknown>;
  help: string;
  /** Secrets may also come from `<NAME>_FILE`, a path whose contents are the value. */
  secret?: boolean;
  /** Sample value written to `.env.example` (kept in sync by a test). */
  example: string;
}

/** Development and test only: production refuses to start with it (or without POLICY_PAIRWISE_KEY). */
export const DEV_POLICY_PAIRWISE_KEY = 'dev-only-policy-pairwise-key-not-for-production-00';

/** Development and test only: production refuses to start with it (or without SUBJECT_PEPPER). */
export const DEV_SUBJECT_PEPPER = 'dev-only-subject-pepper-not-for-production-0000';

export const variables = {
  NODE_ENV: {
    schema: { enum: ['development', 'test', 'production'], default: 'development' },
    help: 'one of development, test, production',
    example: 'development',
  },
  HOST: {
    schema: { type: 'string', minLength: 1, default: '127.0.0.1' },
    help: 'interface to listen on, e.g. 127.0.0.1 or 0.0.0.0',
    example: '127.0.0.1',
  },
  PORT: {
    schema: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    help: 'TCP port to listen on (0 picks a free port)',
    example: '3000',
  },
  PUBLIC_URL: {
    schema: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' },
    help: 'external base URL, e.g. https://joint-use.example.go.kr (default http://HOST:PORT)',
    example: 'http://127.0.0.1:3000',
  },
  DATABASE_URL: {
    schema: { type: 'string', pattern: '^postgres(ql)?://' },
    help: 'postgres://user:password@host:5432/db; leave unset to run an embedded PostgreSQL',
    secret: true,
    example: '',
  },
  EMBEDDED_PG_DIR: {
    schema: { type: 'string', minLength: 1, default: '.data/postgres' },
    help: 'data folder of the embedded PostgreSQL used when DATABASE_URL is unset',
    example: '.data/postgres',
  },
  EMBEDDED_PG_PORT: {
    schema: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    help: 'port of the embedded PostgreSQL (0 picks a free port)',
    example: '0',
  },
  DB_POOL_MAX: {
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 10 },
    help: 'largest number of database connections this process opens',
    example: '10',
  },
  DB_STATEMENT_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 600000, default: 15000 },
    help: 'statement_timeout for every query, in milliseconds',
    example: '15000',
  },
  LOG_LEVEL: {
    schema: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    help: 'one of fatal, error, warn, info, debug, trace, silent',
    example: 'info',
  },
  BODY_LIMIT_BYTES: {
    schema: { type: 'integer', minimum: 1024, maximum: 10485760, default: 102400 },
    help: 'largest accepted request body in bytes',
    example: '102400',
  },
  VALIDATE_RESPONSES: {
    schema: { type: 'boolean', default: true },
    help: 'true or false: check every response against openapi/gateway.yaml (production logs and counts a violation and still sends the response; elsewhere it becomes a 500)',
    example: 'true',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 0, maximum: 120000, default: 10000 },
    help: 'how long SIGTERM waits for requests in flight before closing them',
    example: '10000',
  },
  SHED_TARGET_LATENCY_MS: {
    schema: { type: 'integer', minimum: 10, maximum: 60000, default: 250 },
    help: 'load shedding: answers slower than this while a process is saturated lower its in-flight limit',
    example: '250',
  },
  SHED_MIN_IN_FLIGHT: {
    schema: { type: 'integer', minimum: 1, maximum: 100000, default: 4 },
    help: 'load shedding: API requests each process always admits at once',
    example: '4',
  },
  SHED_MAX_IN_FLIGHT: {
    schema: { type: 'integer', minimum: 1, maximum: 100000, default: 64 },
    help: 'load shedding: API requests each process admits at once at most; beyond its limit, 503 at once',
    example: '64',
  },
  TRUST_PROXY: {
    schema: { type: 'string', default: 'loopback' },
    help: "Express 'trust proxy' setting: false, loopback, a hop count or a list of addresses",
    example: 'loopback',
  },
  QUERY_DEADLINE_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 },
    help: 'one deadline for all registry reads of a query, in milliseconds',
    example: '5000',
  },
  QUERY_RATE_LIMIT_PER_MINUTE: {
    schema: { type: 'integer', minimum: 1, maximum: 1000000, default: 600 },
    help: 'queries each client or clerk may make per minute (shared by all gateway processes)',
    example: '600',
  },
  HARVEST_FLAG_SUBJECTS_PER_HOUR: {
    schema: { type: 'integer', minimum: 1, maximum: 1000000, default: 100 },
    help: 'distinct subjects per client or clerk per hour above which harvesting is reported',
    example: '100',
  },
  HARVEST_MAX_SUBJECTS_PER_HOUR: {
    schema: { type: 'integer', minimum: 1, maximum: 1000000, default: 300 },
    help: 'distinct subjects per client or clerk per hour above which further subjects are refused',
    example: '300',
  },
  QUERY_IDEMPOTENCY_TTL_S: {
    schema: { type: 'integer', minimum: 60, maximum: 86400, default: 600 },
    help: 'how long a query answer is kept for replay under its Idempotency-Key, in seconds',
    example: '600',
  },
  DATA_KEY_ROTATION_S: {
    schema: { type: 'integer', minimum: 60, maximum: 86400, default: 3600 },
    help: 'how long one data key seals stored answers before a new one is made (envelope encryption at rest), in seconds',
    example: '3600',
  },
  SEED_DEMO_DATA: {
    schema: { type: 'boolean' },
    help: 'true or false: load demo organisations, purposes and registry subjects at start (default true outside production; refused in production)',
    example: 'true',
  },
  SUBJECT_PEPPER: {
    schema: { type: 'string', minLength: 32, default: DEV_SUBJECT_PEPPER },
    help: 'secret of at least 32 characters keying subject pseudonyms (HMAC-SHA256); required in production',
    secret: true,
    example: '',
  },
  POLICY_PAIRWISE_KEY: {
    schema: { type: 'string', minLength: 32, default: DEV_POLICY_PAIRWISE_KEY },
    help: 'secret of at least 32 characters keying pairwise hashes of released fields (HMAC-SHA256); required in production',
    secret: true,
    example: '',
  },
  KEY_STORE_DIR: {
    schema: { type: 'string', minLength: 1, default: '.data/keys' },
    help: 'folder of the file key store (checkpoint, consent-token, response-signature keys)',
    example: '.data/keys',
  },
  KEY_STORE: {
    schema: { enum: ['file', 'pkcs11'], default: 'file' },
    help: 'file (keys under KEY_STORE_DIR, the zero-setup default) or pkcs11 (signing keys inside a PKCS#11 token: PKCS11_MODULE, PKCS11_TOKEN_LABEL or PKCS11_SLOT, PKCS11_PIN)',
    example: 'file',
  },
  PKCS11_MODULE: {
    schema: { type: 'string', minLength: 1, default: '/usr/lib/softhsm/libsofthsm2.so' },
    help: "path of the PKCS#11 module (the HSM vendor's library; Debian's SoftHSM2 by default)",
    example: '/usr/lib/softhsm/libsofthsm2.so',
  },
  PKCS11_TOKEN_LABEL: {
    schema: { type: 'string', minLength: 1, maxLength: 32 },
    help: 'label of the PKCS#11 token that holds our keys (or give PKCS11_SLOT)',
    example: '',
  },
  PKCS11_SLOT: {
    schema: { type: 'integer', minimum: 0 },
    help: 'PKCS#11 slot id of the token, when it is not chosen by PKCS11_TOKEN_LABEL',
    example: '',
  },
  PKCS11_PIN: {
    schema: { type: 'string', minLength: 4 },
    help: "the token's user PIN (KEY_STORE=pkcs11); better as PKCS11_PIN_FILE",
    secret: true,
    example: '',
  },
  KEY_OVERLAP_DAYS: {
    schema: { type: 'number', minimum: 0, maximum: 365, default: 7 },
    help: 'days a rotated consent-token or response-signature key keeps verifying (and stays in the JWKS) before it retires',
    example: '7',
  },
  AUDIT_LOG_ORIGIN: {
    schema: { type: 'string', pattern: '^[^\\s+]+$', default: 'joint-use-center.localhost/audit/v1' },
    help: 'audit log origin and checkpoint key name, e.g. joint-use.example.go.kr/audit/v1 (no spaces or +)',
    example: 'joint-use-center.localhost/audit/v1',
  },
  WITNESSES: {
    schema: { type: 'string' },
    help: 'JSON list of witnesses asked to cosign each checkpoint: [{"name":"<key name>","url":"https://…/","publicKey":"<vkey>"}]',
    example: '',
  },
  WITNESS_POLICY_FILE: {
    schema: { type: 'string', minLength: 1 },
    help: "C2SP tlog-policy file (log key, witness keys, k-of-n quorum) pinned into the portal's in-browser check when it is bundled; npm start writes one for its witnesses",
    example: '',
  },
  DEV_WITNESSES: {
    schema: { type: 'integer', minimum: 0, maximum: 8, default: 2 },
    help: 'witnesses npm start runs beside the service outside production (own ports, keys and folders under DEV_DATA_DIR)',
    example: '2',
  },
  AUDIT_SEQUENCER_INTERVAL_MS: {
    schema: { type: 'integer', minimum: 10, maximum: 200, default: 200 },
    help: 'how often the audit sequencer drains the queue, in milliseconds (at most 200)',
    example: '200',
  },
  AUDIT_SEQUENCER_BATCH: {
    schema: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
    help: 'most queued audit entries sequenced in one transaction',
    example: '1000',
  },
  AUDIT_RETENTION_MONTHS: {
    schema: { type: 'integer', minimum: 0, maximum: 1200, default: 60 },
    help: 'months of audit entry bodies to keep (whole months are dropped; leaves and proofs stay); 0 keeps all',
    example: '60',
  },
  OIDC_ISSUER_URL: {
    schema: { type: 'string', pattern: '^https?://[^\\s]+$' },
    help: 'issuer URL of the OpenID provider for citizen, clerk and staff sign-in; unset outside production runs the dev identity provider',
    example: '',
  },
  OIDC_CLIENT_ID: {
    schema: { type: 'string', minLength: 1 },
    help: 'client id of this gateway at OIDC_ISSUER_URL',
    example: '',
  },
  OIDC_CLIENT_SECRET: {
    schema: { type: 'string', minLength: 1 },
    help: 'client secret (client_secret_basic) at OIDC_ISSUER_URL; or use OIDC_CLIENT_PRIVATE_KEY_FILE',
    secret: true,
    example: '',
  },
  OIDC_CLIENT_PRIVATE_KEY_FILE: {
    schema: { type: 'string', minLength: 1 },
    help: 'path to a private JWK (JSON, with kid) for private_key_jwt client authentication at OIDC_ISSUER_URL',
    example: '',
  },
  API_TOKEN_ISSUERS: {
    schema: { type: 'string', minLength: 2 },
    help: 'JSON list of trusted access-token issuers: [{"issuer":"https://as.example","jwksUri":"https://as.example/jwks","audience":"urn:joint-use-center:api"}]',
    example: '',
  },
  DEV_IDP_PORT: {
    schema: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    help: 'port of the dev identity provider (0: the port it used last time, else a free one)',
    example: '0',
  },
  DEV_DATA_DIR: {
    schema: { type: 'string', minLength: 1, default: '.data' },
    help: 'folder of development-only state: the dev identity provider (port, keys) and demo bank client keys',
    example: '.data',
  },
  SESSION_IDLE_TIMEOUT_SEC: {
    schema: { type: 'integer', minimum: 60, maximum: 86400, default: 1800 },
    help: 'browser sessions end after this many seconds without a request',
    example: '1800',
  },
  SESSION_ABSOLUTE_TIMEOUT_SEC: {
    schema: { type: 'integer', minimum: 300, maximum: 604800, default: 28800 },
    help: 'browser sessions end this many seconds after sign-in, however active',
    example: '28800',
  },
  REGISTRY_URL: {
    schema: { type: 'string', pattern: '^https?://[^\\s?#@]+$' },
    help: 'base URL of one registry API (openapi/provider.yaml) serving every holder that HOLDERS does not give its own URL; with neither, outside production, one reference registry per holder runs in-process',
    example: '',
  },
  HOLDERS: {
    schema: { type: 'string', minLength: 2 },
    help: 'JSON {"holders":{"<holder>":{"url","ownKey","timeoutMs","maxConcurrent","breaker":{...}}}}: each holding agency\'s registry and its settings (see holders/demo.json); or HOLDERS_FILE',
    example: '',
  },
  HOLDERS_FILE: {
    schema: { type: 'string', minLength: 1 },
    help: 'path of a JSON file in the HOLDERS format, e.g. holders/demo.json',
    example: '',
  },
  PROVIDER_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 50, maximum: 60000, default: 3000 },
    help: 'timeout of one registry request attempt in milliseconds (headers and body)',
    example: '3000',
  },
  PROVIDER_MAX_CONCURRENCY: {
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 32 },
    help: 'most requests in flight to one registry (bulkhead); twice as many may wait',
    example: '32',
  },
  PROVIDER_MAX_RESPONSE_BYTES: {
    schema: { type: 'integer', minimum: 1024, maximum: 16777216, default: 1048576 },
    help: 'largest registry response accepted, in bytes',
    example: '1048576',
  },
  PROVIDER_BREAKER_THRESHOLD: {
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 5 },
    help: 'consecutive failed calls to a registry that open its circuit breaker',
    example: '5',
  },
  PROVIDER_BREAKER_COOLDOWN_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 600000, default: 10000 },
    help: 'how long an open circuit fails fast before letting one trial call through, in milliseconds',
    example: '10000',
  },
  CONSENT_REQUEST_TTL_SECONDS: {
    schema: { type: 'integer', minimum: 60, maximum: 604800, default: 1800 },
    help: 'how long a citizen has to answer a consent request, in seconds (60 to 604800)',
    example: '1800',
  },
  CONSENT_TOKEN_TTL_SECONDS: {
    schema: { type: 'integer', minimum: 10, maximum: 600, default: 300 },
    help: 'lifetime of a consent token in seconds (at most 600)',
    example: '300',
  },
  CONSENT_REQUESTS_PER_MINUTE: {
    schema: { type: 'integer', minimum: 1, maximum: 1000000, default: 60 },
    help: 'consent requests each client (or each agency, at the counter) may make per minute (shared by all gateway processes)',
    example: '60',
  },
  CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR: {
    schema: { type: 'integer', minimum: 1, maximum: 1000000, default: 20 },
    help: 'consent requests naming one citizen per hour, from every requester together (shared by all gateway processes)',
    example: '20',
  },
  EMAIL_NOTICES: {
    schema: { type: 'boolean' },
    help: 'true or false: citizens may choose e-mail access notices (default true outside production; in production, true when SMTP_URL or SMTP_HOST is set, and true needs one of them)',
    example: 'true',
  },
  SMTP_URL: {
    schema: { type: 'string', pattern: '^smtps?://[^\\s]+$' },
    help: 'mail relay as smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465 (TLS); or give SMTP_HOST and the rest; unset outside production, npm start runs a local mail sink',
    secret: true,
    example: '',
  },
  SMTP_HOST: {
    schema: { type: 'string', pattern: '^[^\\s/:@]+$' },
    help: 'host name of the mail relay (instead of SMTP_URL)',
    example: '',
  },
  SMTP_PORT: {
    schema: { type: 'integer', minimum: 1, maximum: 65535, default: 587 },
    help: 'port of the mail relay at SMTP_HOST',
    example: '587',
  },
  SMTP_SECURE: {
    schema: { type: 'boolean', default: false },
    help: 'true for TLS from the first byte (port 465), false for STARTTLS when the relay offers it',
    example: 'false',
  },
  SMTP_USER: {
    schema: { type: 'string', minLength: 1 },
    help: 'user name at the mail relay at SMTP_HOST (unset: no authentication)',
    example: '',
  },
  SMTP_PASSWORD: {
    schema: { type: 'string', minLength: 1 },
    help: 'password of SMTP_USER; better as SMTP_PASSWORD_FILE',
    secret: true,
    example: '',
  },
  SMTP_FROM: {
    schema: { type: 'string', pattern: '^[^\\r\\n]*<?[^\\s<>@]+@[^\\s<>@]+>?$' },
    help: 'sender of access notices, e.g. "공동이용센터 <no-reply@joint-use.example.go.kr>"; required in production with EMAIL_NOTICES',
    example: '',
  },
  NOTICE_MAX_ATTEMPTS: {
    schema: { type: 'integer', minimum: 1, maximum: 50, default: 8 },
    help: 'attempts at one access notice (e-mail or webhook) before it becomes a dead letter (status dead, counted in notification_dead_letters)',
    example: '8',
  },
  WEBHOOK_ALLOW_PRIVATE: {
    schema: { type: 'boolean', default: false },
    help: 'true lets webhooks reach loopback and private addresses (tests, local demos); refused in production',
    example: 'false',
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof variables;

export interface Config {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  embeddedPg: { dir: string; port: number };
  db: { poolMax: number; statementTimeoutMs: number };
  logLevel: string;
  bodyLimitBytes: number;
  /**
   * Every JSON response checked against openapi/gateway.yaml, production included: it costs ~0.17 ms of
   * CPU for the largest document (an access-log page with proofs, 28 KB), 4 % of that request and about
   * 1 % of a query's (bench/response-validation.ts, README "Response validation"); too little to
   * sample (that would take a second validator instance) or to leave a drifting contract unseen.
   */
  validateResponses: boolean;
  /**
   * What a response that breaks the contract does: `fail` (a 500, so tests catch it) outside production;
   * `report` in production (logged and counted in openapi_response_violations_total, still sent), since a
   * query's audit entry and consent use are already committed when its answer is checked.
   */
  responseViolations: 'fail' | 'report';
  shutdownTimeoutMs: number;
  /** Load shedding of API requests per process (server/limits/load-shedder.ts). */
  shedding: { targetLatencyMs: number; minInFlight: number; maxInFlight: number };
  seedDemoData: boolean;
  queries: {
    deadlineMs: number;
    rateLimitPerMinute: number;
    harvestFlagSubjectsPerHour: number;
    harvestMaxSubjectsPerHour: number;
    idempotencyTtlMs: number;
    /** Sealing period of one query-replay data key (docs/data-at-rest.md). */
    dataKeyRotationMs: number;
  };
  trustProxy: string | boolean | number;
  /** HMAC key of subject pseudonyms (DESIGN §2.4). */
  subjectPepper: string;
  /** HMAC key of the policy `hash` form: pairwise per requester organisation (DESIGN §8). */
  policyPairwiseKey: string;
  keyStoreDir: string;
  /** Where the signing keys live (KEY_STORE) and how long a rotated one overlaps. */
  keyStore: {
    kind: 'file' | 'pkcs11';
    overlapMs: number;
    pkcs11?: { module: string; tokenLabel?: string; slot?: number; pin: string };
  };
  audit: {
    logOrigin: string;
    /** Witnesses the checkpointer submits every checkpoint to (WITNESSES). */
    witnesses: readonly WitnessEndpoint[];
    /** Trust policy pinned into the portal's bundle (WITNESS_POLICY_FILE). */
    witnessPolicyFile: string | undefined;
    devWitnesses: number;
    sequencerIntervalMs: number;
    sequencerBatchSize: number;
    retentionMonths: number;
  };
  auth: AuthConfig;
  /** Registries we fetch records from (DESIGN §4 "Provider fetch"). */
  providers: {
    registryUrl: string | undefined;
    /** Per holder: its registry URL, key and limits (HOLDERS or HOLDERS_FILE); unset settings use the defaults below. */
    holders: HolderLinks;
    timeoutMs: number;
    maxConcurrent: number;
    maxResponseBytes: number;
    breakerThreshold: number;
    breakerCooldownMs: number;
  };
  consents: {
    requestTtlSeconds: number;
    tokenTtlSeconds: number;
    /** Per client, or per agency for counter requests. */
    requestsPerMinute: number;
    /** Per named citizen, whoever asks: a citizen's list cannot be flooded. */
    requestsPerSubjectPerHour: number;
  };
  /** Access notices: e-mail through a relay, webhooks only to public addresses (server/notices). */
  notices: NoticesConfig;
}

export type SmtpSettings =
  { url: string } | { host: string; port: number; secure: boolean; user?: string; password?: string };

export interface NoticesConfig {
  email: boolean;
  /** undefined: no relay configured (outside production npm start runs a local sink). */
  smtp: SmtpSettings | undefined;
  from: string;
  maxAttempts: number;
  webhookAllowPrivate: boolean;
}

/** The sender when SMTP_FROM is unset (outside production only). */
export const DEV_SMTP_FROM = '공동이용센터 Joint-Use Center <no-reply@joint-use-center.localhost>';

/** A witness the checkpointer asks (c2sp.org/tlog-witness): cosigner key name, submission prefix, vkey. */
export interface WitnessEndpoint {
  name: string;
  url: string;
  publicKey: string;
}

export interface TokenIssuerConfig {
  issuer: string;
  jwksUri: string;
  audience: string | string[];
}

export interface AuthConfig {
  /** The OpenID provider for browser sign-in; undefined runs the dev identity provider (not in production). */
  oidc: { issuerUrl: string; clientId: string; clientSecret?: string; privateKeyFile?: string } | undefined;
  /** Trusted access-token issuers; empty with no OIDC provider means the dev identity provider. */
  apiTokenIssuers: TokenIssuerConfig[];
  devIdpPort: number;
  devDataDir: string;
  sessionIdleTimeoutSec: number;
  sessionAbsoluteTimeoutSec: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee .env.example for every variable with a sample value.',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Reads `<NAME>_FILE` for secrets; an unreadable file is a problem to report, not a crash. */
function collectRaw(env: Env, problems: string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [name, spec] of Object.entries(variables) as [VariableName, VariableSpec][]) {
    const direct = env[name];
    const file = spec.secret ? env[`${name}_FILE`] : undefined;
    if (direct !== undefined && direct !== '' && file) {
      problems.push(`${name} and ${name}_FILE are both set: keep one`);
      continue;
    }
    if (file) {
      try {
        raw[name] = readFileSync(file, 'utf8').trim();
      } catch (err) {
        problems.push(
          `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    } else if (direct !== undefined && direct !== '') {
      raw[name] = direct;
    }
  }
  return raw;
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: true });
const validate = ajv.compile({
  type: 'object',
  properties: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, v.schema])),
});

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  const values: Record<string, unknown> = collectRaw(env, problems);
  const given = new Set(Object.keys(values));
  if (!validate(values)) {
    for (const error of validate.errors ?? []) {
      const name = error.instancePath.replace(/^\//, '') as VariableName;
      const spec = variables[name];
      problems.push(
        `${name}=${JSON.stringify(env[name] ?? '')} is invalid: expected ${spec?.help ?? error.message}`,
      );
    }
  }
  const v = values as Record<VariableName, never>;
  const nodeEnv = v.NODE_ENV as NodeEnv;
  if (problems.length === 0 && nodeEnv === 'production' && !v.DATABASE_URL) {
    problems.push(
      'DATABASE_URL is required when NODE_ENV=production (the embedded PostgreSQL is for development)',
    );
  }
  if (problems.length === 0 && v.KEY_STORE === 'pkcs11') {
    if (!given.has('PKCS11_PIN'))
      problems.push('PKCS11_PIN (or PKCS11_PIN_FILE) is required when KEY_STORE=pkcs11');
    if (given.has('PKCS11_TOKEN_LABEL') === given.has('PKCS11_SLOT')) {
      problems.push('KEY_STORE=pkcs11 needs exactly one of PKCS11_TOKEN_LABEL and PKCS11_SLOT');
    }
  }
  if (problems.length === 0 && nodeEnv === 'production') {
    if (!given.has('SUBJECT_PEPPER') || v.SUBJECT_PEPPER === DEV_SUBJECT_PEPPER) {
      problems.push(
        'SUBJECT_PEPPER is required when NODE_ENV=production (a secret of at least 32 characters)',
      );
    }
    if (!given.has('POLICY_PAIRWISE_KEY') || v.POLICY_PAIRWISE_KEY === DEV_POLICY_PAIRWISE_KEY) {
      problems.push(
        'POLICY_PAIRWISE_KEY is required when NODE_ENV=production (a secret of at least 32 characters)',
      );
    }
    if (!given.has('AUDIT_LOG_ORIGIN')) {
      problems.push(
        'AUDIT_LOG_ORIGIN is required when NODE_ENV=production (it names the audit log for good)',
      );
    }
  }
  if (nodeEnv === 'production' && (v.SEED_DEMO_DATA as boolean | undefined) === true) {
    problems.push('SEED_DEMO_DATA=true is refused when NODE_ENV=production (demo data is for development)');
  }
  const witnesses = parseWitnesses(v.WITNESSES as string | undefined, problems);
  const apiTokenIssuers = parseTokenIssuers(v.API_TOKEN_ISSUERS as string | undefined, problems);
  const oidc = oidcSettings(v as Record<VariableName, unknown>, problems);
  const holders = holderLinks(
    v.HOLDERS as string | undefined,
    v.HOLDERS_FILE as string | undefined,
    problems,
  );
  const notices = noticeSettings(v as Record<VariableName, unknown>, nodeEnv, problems);
  if (problems.length) throw new ConfigError(problems);

  return Object.freeze({
    nodeEnv,
    host: v.HOST,
    port: v.PORT,
    publicUrl: v.PUBLIC_URL as string | undefined,
    databaseUrl: v.DATABASE_URL as string | undefined,
    embeddedPg: Object.freeze({ dir: v.EMBEDDED_PG_DIR, port: v.EMBEDDED_PG_PORT }),
    db: Object.freeze({ poolMax: v.DB_POOL_MAX, statementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS }),
    logLevel: v.LOG_LEVEL,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    validateResponses: v.VALIDATE_RESPONSES,
    responseViolations: nodeEnv === 'production' ? 'report' : 'fail',
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    shedding: Object.freeze({
      targetLatencyMs: v.SHED_TARGET_LATENCY_MS,
      minInFlight: v.SHED_MIN_IN_FLIGHT,
      maxInFlight: v.SHED_MAX_IN_FLIGHT,
    }),
    seedDemoData: (v.SEED_DEMO_DATA as boolean | undefined) ?? nodeEnv !== 'production',
    queries: Object.freeze({
      deadlineMs: v.QUERY_DEADLINE_MS,
      rateLimitPerMinute: v.QUERY_RATE_LIMIT_PER_MINUTE,
      harvestFlagSubjectsPerHour: v.HARVEST_FLAG_SUBJECTS_PER_HOUR,
      harvestMaxSubjectsPerHour: v.HARVEST_MAX_SUBJECTS_PER_HOUR,
      idempotencyTtlMs: (v.QUERY_IDEMPOTENCY_TTL_S as number) * 1000,
      dataKeyRotationMs: (v.DATA_KEY_ROTATION_S as number) * 1000,
    }),
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
    subjectPepper: v.SUBJECT_PEPPER,
    policyPairwiseKey: v.POLICY_PAIRWISE_KEY,
    keyStoreDir: v.KEY_STORE_DIR,
    keyStore: Object.freeze({
      kind: v.KEY_STORE,
      overlapMs: Math.round((v.KEY_OVERLAP_DAYS as number) * 86_400_000),
      ...(v.KEY_STORE === 'pkcs11'
        ? {
            pkcs11: Object.freeze({
              module: v.PKCS11_MODULE,
              pin: v.PKCS11_PIN,
              ...(v.PKCS11_TOKEN_LABEL ? { tokenLabel: v.PKCS11_TOKEN_LABEL } : {}),
              ...(v.PKCS11_SLOT !== undefined ? { slot: v.PKCS11_SLOT } : {}),
            }),
          }
        : {}),
    }),
    audit: Object.freeze({
      logOrigin: v.AUDIT_LOG_ORIGIN,
      witnesses,
      witnessPolicyFile: v.WITNESS_POLICY_FILE as string | undefined,
      devWitnesses: v.DEV_WITNESSES,
      sequencerIntervalMs: v.AUDIT_SEQUENCER_INTERVAL_MS,
      sequencerBatchSize: v.AUDIT_SEQUENCER_BATCH,
      retentionMonths: v.AUDIT_RETENTION_MONTHS,
    }),
    auth: Object.freeze({
      oidc,
      apiTokenIssuers,
      devIdpPort: v.DEV_IDP_PORT,
      devDataDir: v.DEV_DATA_DIR,
      sessionIdleTimeoutSec: v.SESSION_IDLE_TIMEOUT_SEC,
      sessionAbsoluteTimeoutSec: v.SESSION_ABSOLUTE_TIMEOUT_SEC,
    }),
    providers: Object.freeze({
      registryUrl: v.REGISTRY_URL as string | undefined,
      holders,
      timeoutMs: v.PROVIDER_TIMEOUT_MS,
      maxConcurrent: v.PROVIDER_MAX_CONCURRENCY,
      maxResponseBytes: v.PROVIDER_MAX_RESPONSE_BYTES,
      breakerThreshold: v.PROVIDER_BREAKER_THRESHOLD,
      breakerCooldownMs: v.PROVIDER_BREAKER_COOLDOWN_MS,
    }),
    consents: Object.freeze({
      requestTtlSeconds: v.CONSENT_REQUEST_TTL_SECONDS,
      tokenTtlSeconds: v.CONSENT_TOKEN_TTL_SECONDS,
      requestsPerMinute: v.CONSENT_REQUESTS_PER_MINUTE,
      requestsPerSubjectPerHour: v.CONSENT_REQUESTS_PER_SUBJECT_PER_HOUR,
    }),
    notices,
  });
}

function noticeSettings(
  v: Record<VariableName, unknown>,
  nodeEnv: NodeEnv,
  problems: string[],
): NoticesConfig {
  const url = v.SMTP_URL as string | undefined;
  const host = v.SMTP_HOST as string | undefined;
  if (url && host) problems.push('SMTP_URL and SMTP_HOST are both set: keep one');
  if (!host && (v.SMTP_USER || v.SMTP_PASSWORD)) problems.push('SMTP_USER and SMTP_PASSWORD need SMTP_HOST');
  const smtp: SmtpSettings | undefined = url
    ? { url }
    : host
      ? {
          host,
          port: v.SMTP_PORT as number,
          secure: v.SMTP_SECURE as boolean,
          ...(v.SMTP_USER ? { user: v.SMTP_USER as string } : {}),
          ...(v.SMTP_PASSWORD ? { password: v.SMTP_PASSWORD as string } : {}),
        }
      : undefined;
  const production = nodeEnv === 'production';
  const email = (v.EMAIL_NOTICES as boolean | undefined) ?? (!production || smtp !== undefined);
  if (production && email && !smtp) {
    problems.push(
      'EMAIL_NOTICES=true needs SMTP_URL or SMTP_HOST when NODE_ENV=production (or set EMAIL_NOTICES=false)',
    );
  }
  if (production && email && !v.SMTP_FROM) {
    problems.push('SMTP_FROM is required for e-mail notices when NODE_ENV=production');
  }
  if (production && v.WEBHOOK_ALLOW_PRIVATE === true) {
    problems.push(
      'WEBHOOK_ALLOW_PRIVATE=true is refused when NODE_ENV=production (webhooks reach public addresses only)',
    );
  }
  return Object.freeze({
    email,
    smtp: smtp && Object.freeze(smtp),
    from: (v.SMTP_FROM as string | undefined) ?? DEV_SMTP_FROM,
    maxAttempts: v.NOTICE_MAX_ATTEMPTS as number,
    webhookAllowPrivate: v.WEBHOOK_ALLOW_PRIVATE as boolean,
  });
}

const tokenIssuersSchema = ajv.compile({
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['issuer', 'jwksUri', 'audience'],
    properties: {
      issuer: { type: 'string', minLength: 1 },
      jwksUri: { type: 'string', pattern: '^https?://' },
      audience: {
        anyOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        ],
      },
    },
  },
});

const witnessesSchema = ajv.compile({
  type: 'array',
  maxItems: 32,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'url', 'publicKey'],
    properties: {
      name: { type: 'string', pattern: '^[^\\s+]+$' },
      url: { type: 'string', pattern: '^https?://[^\\s]+$' },
      publicKey: { type: 'string', pattern: '^[^\\s+]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]+$' },
    },
  },
});

function parseWitnesses(raw: string | undefined, problems: string[]): WitnessEndpoint[] {
  if (raw === undefined || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const list = parsed as WitnessEndpoint[];
  // The vkey names the cosigner: a name that differs from it would make every cosignature unmatched.
  if (
    parsed === undefined ||
    !witnessesSchema(parsed) ||
    list.some((w) => !w.publicKey.startsWith(`${w.name}+`))
  ) {
    problems.push(
      `WITNESSES is invalid: expected ${variables.WITNESSES.help}, each publicKey named by its name`,
    );
    return [];
  }
  return list.map((w) => Object.freeze({ name: w.name, url: w.url, publicKey: w.publicKey }));
}

function parseTokenIssuers(raw: string | undefined, problems: string[]): TokenIssuerConfig[] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !tokenIssuersSchema(parsed)) {
    problems.push(`API_TOKEN_ISSUERS is invalid: expected ${variables.API_TOKEN_ISSUERS.help}`);
    return [];
  }
  return (parsed as TokenIssuerConfig[]).map((issuer) => Object.freeze({ ...issuer }));
}

function oidcSettings(v: Record<VariableName, unknown>, problems: string[]): AuthConfig['oidc'] {
  const issuerUrl = v.OIDC_ISSUER_URL as string | undefined;
  const clientId = v.OIDC_CLIENT_ID as string | undefined;
  const clientSecret = v.OIDC_CLIENT_SECRET as string | undefined;
  const privateKeyFile = v.OIDC_CLIENT_PRIVATE_KEY_FILE as string | undefined;
  if (!issuerUrl) {
    if (clientId || clientSecret || privateKeyFile) {
      problems.push(
        'OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_CLIENT_PRIVATE_KEY_FILE need OIDC_ISSUER_URL',
      );
    }
    return undefined;
  }
  if (!clientId) problems.push('OIDC_ISSUER_URL needs OIDC_CLIENT_ID');
  if (Boolean(clientSecret) === Boolean(privateKeyFile)) {
    problems.push('OIDC_ISSUER_URL needs exactly one of OIDC_CLIENT_SECRET and OIDC_CLIENT_PRIVATE_KEY_FILE');
  }
  return Object.freeze({
    issuerUrl,
    clientId: clientId ?? '',
    ...(clientSecret ? { clientSecret } : {}),
    ...(privateKeyFile ? { privateKeyFile } : {}),
  });
}

function holderLinks(inline: string | undefined, file: string | undefined, problems: string[]): HolderLinks {
  if (inline !== undefined && file !== undefined) {
    problems.push('HOLDERS and HOLDERS_FILE are both set: keep one');
    return {};
  }
  if (inline !== undefined) return parseHolderLinks(inline, 'HOLDERS', problems);
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`HOLDERS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return {};
  }
  return parseHolderLinks(text, `HOLDERS_FILE ${file}`, problems);
}

function parseTrustProxy(value: string): string | boolean | number {
  if (value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Loads `.env` from the working directory when present; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** Test helper and tooling entry: the environment as config.ts sees it. */
export function currentEnv(): Env {
  return process.env;
}
