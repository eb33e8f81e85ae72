/** The deploy/ha configuration files are templates: `${NAME}` placeholders, filled per host. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HA_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Fills every `${NAME}`; a placeholder without a value is an error, never an empty string. */
export function render(template: string, values: Record<string, string | number>): string {
  return template.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template value ${name} is missing`);
    return String(value);
  });
}

/** Renders deploy/ha/<name> into `target`; returns the target path. */
export function renderFile(name: string, target: string, values: Record<string, string | number>): string {
  writeFileSync(target, render(readFileSync(join(HA_DIR, name), 'utf8'), values), { mode: 0o640 });
  return target;
}

/** KEY=value lines (no quoting; `#` starts a comment line) as an environment. */
export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`not KEY=value: ${trimmed}`);
    env[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return env;
}
