/**
 * From environment strings to typed settings: `<NAME>_FILE` secrets read, every variable checked by
 * ajv at once (strings coerced, defaults filled), and the `Settings` type derived from the same schema,
 * so a variable is declared only in variables.ts.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { variables, type VariableName, type VariableSpec } from './variables.js';

export type Env = Record<string, string | undefined>;

/** The variables as one object schema: what ajv checks and what `Settings` is derived from. */
const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(Object.entries(variables).map(([name, spec]) => [name, spec.schema])) as {
    [Name in VariableName]: (typeof variables)[Name]['schema'];
  },
} as const;

/**
 * The validated values: a variable with a default is always present, one without may be undefined,
 * an enum is its union of literals.
 */
export type Settings = FromSchema<typeof settingsSchema>;

/** Shared with the JSON-valued variables (json-settings.ts): every error listed, not the first. */
export const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: true });
const validate = ajv.compile<Settings>(settingsSchema);

export interface ReadSettings {
  settings: Settings;
  /** Variables set in the environment (or by their file), as opposed to filled from a default. */
  given: ReadonlySet<VariableName>;
  problems: string[];
}

export function readSettings(env: Env): ReadSettings {
  const problems: string[] = [];
  const values: Record<string, unknown> = collectRaw(env, problems);
  const given = new Set(Object.keys(values) as VariableName[]);
  if (!validate(values)) {
    for (const error of validate.errors ?? []) {
      const name = error.instancePath.replace(/^\//, '') as VariableName;
      const spec: VariableSpec | undefined = variables[name];
      problems.push(
        `${name}=${JSON.stringify(env[name] ?? '')} is invalid: expected ${spec?.help ?? error.message}`,
      );
    }
  }
  // Typed as valid even when it is not: every invalid variable is in `problems`, and loadConfig throws
  // on any problem before a value reaches the Config.
  return { settings: values as Settings, given, problems };
}

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
