/**
 * The only reader of process.env. Every variable is declared once, in config/variables.ts (its schema,
 * the text that tells an operator how to fix it, its sample value); the `Config` type is derived from
 * those schemas through config/config-shape.ts. Values are validated with ajv and frozen, and a bad
 * start lists every bad variable in one message instead of failing on the first.
 */
import { existsSync } from 'node:fs';
import { configShape } from './config/config-shape.js';
import { holderLinks, parseTokenIssuers, parseWitnesses } from './config/json-settings.js';
import { crossVariableProblems, demoDataProblems, noticeSettings, oidcSettings } from './config/rules.js';
import { readSettings, type Env } from './config/settings.js';

export {
  DEV_POLICY_PAIRWISE_KEY,
  DEV_SUBJECT_PEPPER,
  variables,
  type VariableName,
} from './config/variables.js';
export { DEV_SMTP_FROM } from './config/rules.js';
export type { TokenIssuerConfig, WitnessEndpoint } from './config/json-settings.js';
export type { Settings } from './config/settings.js';

export type Config = ReturnType<typeof configShape>;
export type NodeEnv = Config['nodeEnv'];
export type AuthConfig = Config['auth'];
export type NoticesConfig = Config['notices'];
export type SmtpSettings = NonNullable<NoticesConfig['smtp']>;

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

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const { settings: s, given, problems } = readSettings(env);
  if (problems.length === 0) problems.push(...crossVariableProblems(s, given));
  problems.push(...demoDataProblems(s));
  const derived = {
    witnesses: parseWitnesses(s.WITNESSES, problems),
    apiTokenIssuers: parseTokenIssuers(s.API_TOKEN_ISSUERS, problems),
    oidc: oidcSettings(s, problems),
    holders: holderLinks(s.HOLDERS, s.HOLDERS_FILE, problems),
    notices: noticeSettings(s, problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return configShape(s, derived);
}

/** Loads `.env` from the working directory when present; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** Test helper and tooling entry: the environment as config.ts sees it. */
export function currentEnv(): Env {
  return process.env;
}
