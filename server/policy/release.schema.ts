/**
 * The schema a released record must satisfy, derived from the record type's schema and the plan:
 * only planned keys (additionalProperties: false), each shaped by its form and its nested forms. It is the last guard
 * before data leaves, independent of how applyRelease built the object.
 */
import type { ValidateFunction } from 'ajv';
import { releaseAjv } from './ajv.js';
import { releasedSchema } from './forms.js';
import { nestedReleaseSchema } from './nested.js';
import type { NestedNode, PlannedField, PolicyRecordSchema } from './policy.types.js';

export function deriveReleaseSchema(
  recordSchema: PolicyRecordSchema,
  fields: readonly PlannedField[],
  nested: Readonly<Record<string, NestedNode>> = {},
): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.form.form === 'deny') continue;
    const field = recordSchema.properties[f.name];
    const node = nested[f.name];
    properties[f.name] =
      f.form.form === 'full' && node && field
        ? nestedReleaseSchema(node, field)
        : releasedSchema(f.form, field);
  }
  return { type: 'object', additionalProperties: false, properties };
}

const ajv = releaseAjv();
const cache = new Map<string, ValidateFunction>();
// Plans repeat per (requester class, purpose, record type, consent shape), so a bounded cache
// keeps compilation off the request path without growing without limit.
const CACHE_LIMIT = 500;

export function releaseValidator(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, validate);
  }
  return validate;
}
