/**
 * How this deployment reaches each holder's registry (DESIGN §4 "Holders"): its URL, which key
 * signs our request tokens to it, its timeout, bulkhead and circuit breaker. Read from HOLDERS or
 * HOLDERS_FILE by config.ts; every setting left out falls back to the PROVIDER_* defaults.
 */
import { Ajv } from 'ajv';

export interface HolderLink {
  /** Base URL of the holder's registry API (openapi/provider.yaml); unset: REGISTRY_URL, or none. */
  url?: string;
  /** `aud` of our request tokens to this holder; default urn:juc:provider:<holder>. */
  audience?: string;
  /** Sign with this holder's own key (KEY_STORE_DIR/provider-request/<holder>/) instead of the shared one. */
  ownKey?: boolean;
  timeoutMs?: number;
  maxConcurrent?: number;
  maxQueued?: number;
  maxResponseBytes?: number;
  maxRetries?: number;
  breaker?: { threshold?: number; cooldownMs?: number };
}

export type HolderLinks = Readonly<Record<string, Readonly<HolderLink>>>;

const HOLDER_CODE = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';

/** The JSON Schema of a holders document (HOLDERS, or the file HOLDERS_FILE names). */
export const holdersFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['holders'],
  properties: {
    $schema: { type: 'string' },
    holders: {
      type: 'object',
      propertyNames: { pattern: HOLDER_CODE, maxLength: 40 },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          url: { type: 'string', pattern: '^https?://[^\\s?#@]+$' },
          audience: { type: 'string', minLength: 1, maxLength: 200 },
          ownKey: { type: 'boolean' },
          timeoutMs: { type: 'integer', minimum: 50, maximum: 60000 },
          maxConcurrent: { type: 'integer', minimum: 1, maximum: 1000 },
          maxQueued: { type: 'integer', minimum: 0, maximum: 10000 },
          maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 16777216 },
          maxRetries: { type: 'integer', minimum: 0, maximum: 2 },
          breaker: {
            type: 'object',
            additionalProperties: false,
            properties: {
              threshold: { type: 'integer', minimum: 1, maximum: 1000 },
              cooldownMs: { type: 'integer', minimum: 100, maximum: 600000 },
            },
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(holdersFileSchema);

/** Parses a holders document; adds one line per problem (naming `source`) and returns {} when invalid. */
export function parseHolderLinks(raw: string, source: string, problems: string[]): HolderLinks {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    problems.push(`${source} is not JSON (${(err as Error).message})`);
    return {};
  }
  if (!validate(parsed)) {
    for (const error of validate.errors ?? []) {
      const extra = (error.params as { additionalProperty?: string }).additionalProperty;
      problems.push(
        `${source}: ${error.instancePath || '/'} ${error.message ?? 'is invalid'}${extra ? ` ("${extra}")` : ''}`,
      );
    }
    return {};
  }
  const holders = (parsed as { holders: Record<string, HolderLink> }).holders;
  return Object.freeze(
    Object.fromEntries(Object.entries(holders).map(([code, link]) => [code, Object.freeze({ ...link })])),
  );
}
