/**
 * Every environment variable, declared once: its JSON schema (the source of the `Settings` type and of
 * the ajv check), the text that tells an operator how to fix it, and the sample in `.env.example`
 * (kept in step by test/unit/config.test.ts). A data table: it may grow past the 400-line file limit.
 */
export interface VariableSpec {
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
  DB_POOL_IDLE_MS: {
    schema: { type: 'integer', minimum: 1000, maximum: 86400000, default: 300000 },
    help: 'how long an idle database connection stays open, in milliseconds (closing and reopening one costs a fork, sign-in and re-planned statements)',
    example: '300000',
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
