/**
 * The admin forms' input is checked against the same request schemas as the JSON admin API
 * (openapi/gateway.yaml components), so the console enforces the contract's shapes (id patterns, lengths,
 * bounds) without restating them; the rules beyond shapes are the admin use cases' own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { parse } from 'yaml';
import { OPENAPI_DIR } from '../docs/docs.routes.js';
import { ValidationError } from '../errors.js';

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;
const BASE = 'https://joint-use-center.invalid/gateway.yaml';

type Spec = {
  paths: Record<string, Record<string, { requestBody?: { $ref?: string } }>>;
  components: unknown;
};

let loaded: { ajv: Ajv2020; spec: Spec } | undefined;
const compiled = new Map<string, ValidateFunction>();

function load() {
  if (!loaded) {
    const spec = parse(readFileSync(join(OPENAPI_DIR, 'gateway.yaml'), 'utf8')) as Spec;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: BASE, paths: spec.paths, components: spec.components }, BASE);
    loaded = { ajv, spec };
  }
  return loaded;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The JSON request body schema of an operation (following a $ref to components/requestBodies). */
function validator(path: string, method: string): ValidateFunction {
  const id = `${method} ${path}`;
  let v = compiled.get(id);
  if (!v) {
    const { ajv, spec } = load();
    const body = spec.paths[path]?.[method]?.requestBody;
    if (!body) throw new Error(`No request body for ${id} in gateway.yaml`);
    const at = body.$ref ?? `#/paths/${escapePointer(path)}/${method}/requestBody`;
    v = ajv.getSchema(`${BASE}${at}/content/application~1json/schema`);
    if (!v) throw new Error(`No JSON schema for ${id} in gateway.yaml`);
    compiled.set(id, v);
  }
  return v;
}

/**
 * Throws the API's ValidationError (with JSON pointers) when `value` is not a valid body of the admin API
 * operation at `path` (as written in the contract, e.g. /v1/admin/organisations/{orgId}/clerks).
 */
export function checkContract(path: string, method: 'post' | 'put', value: unknown): void {
  const validate = validator(path, method);
  if (validate(value)) return;
  throw new ValidationError(
    'The request is not valid.',
    (validate.errors ?? []).map((e) => ({ pointer: e.instancePath || '/', message: e.message ?? 'invalid' })),
  );
}
