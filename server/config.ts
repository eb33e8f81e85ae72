/**
 * The only reader of process.env. Every variable is declared once in `variables` (with the text
 * that tells an operator how to fix it), validated with ajv, and frozen. A bad start lists every
 * bad variable in one message instead of failing on the first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

export type NodeEnv = 'development' | 'test' | 'production';

interface VariableSpec {
  schema: Record<string, unknown>;
  help: string;
  /** Secrets may also come from `<NAME>_FILE`, a path whose contents are the value. */
  secret?: boolean;
  /** Sample value written to `.env.example` (kept in sync by a test). */
  example: string;
}

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
    schema: { type: 'boolean' },
    help: 'true or false: check every response against openapi/gateway.yaml (default true outside production)',
    example: 'true',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 0, maximum: 120000, default: 10000 },
    help: 'how long SIGTERM waits for requests in flight before closing them',
    example: '10000',
  },
  TRUST_PROXY: {
    schema: { type: 'string', default: 'loopback' },
    help: "Express 'trust proxy' setting: false, loopback, a hop count or a list of addresses",
    example: 'loopback',
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
  validateResponses: boolean;
  shutdownTimeoutMs: number;
  trustProxy: string | boolean | number;
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
    validateResponses: (v.VALIDATE_RESPONSES as boolean | undefined) ?? nodeEnv !== 'production',
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
  });
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
