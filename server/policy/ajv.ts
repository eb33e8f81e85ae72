import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

/**
 * Strict: for schemas we author (policy files, predicate arguments). strictRequired is off because
 * conditional branches (`then: { required: [...] }`) name properties declared by the parent.
 */
export function strictAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  return ajv;
}

/**
 * For release schemas derived from catalog field schemas: those carry annotations such as
 * `x-sensitivity` that strict mode would reject, and the catalog validates its schemas itself.
 */
export function releaseAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}
