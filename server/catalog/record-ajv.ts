import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { sensitivities } from './catalog.types.js';

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

export const SENSITIVITY_KEYWORD = 'x-sensitivity';
export const DATE_KEYWORD = 'x-date';
export const SEPARATE_CONSENT_KEYWORD = 'x-separate-consent';

/**
 * The validator for records a provider returns. Strict, so a typo in a catalog schema fails at
 * start-up instead of silently validating nothing; x-sensitivity and x-date are registered as annotations.
 */
export function createRecordAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv, ['date', 'date-time', 'email', 'uri']);
  ajv.addKeyword({
    keyword: SENSITIVITY_KEYWORD,
    schemaType: 'string',
    metaSchema: { enum: [...sensitivities] },
  });
  // Data-range dating, read by the policy engine at release (catalog-checks.ts checks placement).
  ajv.addKeyword({
    keyword: DATE_KEYWORD,
    schemaType: 'string',
    metaSchema: { enum: ['on', 'from', 'until'] },
  });
  // PIPA arts. 23/24 classes, read by the consent screen and the query (server/consents/separate-consent.ts).
  ajv.addKeyword({
    keyword: SEPARATE_CONSENT_KEYWORD,
    schemaType: 'string',
    metaSchema: { enum: ['sensitive', 'unique-identifier'] },
  });
  return ajv;
}

/** Validates catalog files against record-type.schema.json; first error only, which is the one to fix. */
export function createMetaAjv(): Ajv2020 {
  // strictTypes off: the meta-schema combines $ref and if/then with required, which is sound but trips those lints.
  return new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: false });
}
