/**
 * Variables whose value is JSON or a file of it (WITNESSES, API_TOKEN_ISSUERS, HOLDERS) and the trust
 * proxy setting. Each JSON shape is an ajv schema, and its TypeScript type is derived from it.
 */
import { readFileSync } from 'node:fs';
import type { FromSchema } from 'json-schema-to-ts';
import { parseHolderLinks, type HolderLinks } from '../providers/holder-settings.js';
import { ajv } from './settings.js';
import { variables } from './variables.js';

const tokenIssuerSchema = {
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
} as const;

export type TokenIssuerConfig = FromSchema<typeof tokenIssuerSchema>;

const witnessSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url', 'publicKey'],
  properties: {
    name: { type: 'string', pattern: '^[^\\s+]+$' },
    url: { type: 'string', pattern: '^https?://[^\\s]+$' },
    publicKey: { type: 'string', pattern: '^[^\\s+]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]+$' },
  },
} as const;

/** A witness the checkpointer asks (c2sp.org/tlog-witness): cosigner key name, submission prefix, vkey. */
export type WitnessEndpoint = FromSchema<typeof witnessSchema>;

const validTokenIssuers = ajv.compile<TokenIssuerConfig[]>({ type: 'array', items: tokenIssuerSchema });
const validWitnesses = ajv.compile<WitnessEndpoint[]>({ type: 'array', maxItems: 32, items: witnessSchema });

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function parseWitnesses(raw: string | undefined, problems: string[]): WitnessEndpoint[] {
  if (raw === undefined || raw.trim() === '') return [];
  const parsed = parseJson(raw);
  // The vkey names the cosigner: a name that differs from it would make every cosignature unmatched.
  if (!validWitnesses(parsed) || parsed.some((w) => !w.publicKey.startsWith(`${w.name}+`))) {
    problems.push(
      `WITNESSES is invalid: expected ${variables.WITNESSES.help}, each publicKey named by its name`,
    );
    return [];
  }
  return parsed.map((w) => Object.freeze({ name: w.name, url: w.url, publicKey: w.publicKey }));
}

export function parseTokenIssuers(raw: string | undefined, problems: string[]): TokenIssuerConfig[] {
  if (raw === undefined) return [];
  const parsed = parseJson(raw);
  if (!validTokenIssuers(parsed)) {
    problems.push(`API_TOKEN_ISSUERS is invalid: expected ${variables.API_TOKEN_ISSUERS.help}`);
    return [];
  }
  return parsed.map((issuer) => Object.freeze({ ...issuer }));
}

export function holderLinks(
  inline: string | undefined,
  file: string | undefined,
  problems: string[],
): HolderLinks {
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

/** Express 'trust proxy': false, true, a hop count, or addresses as written. */
export function parseTrustProxy(value: string): string | boolean | number {
  if (value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}
