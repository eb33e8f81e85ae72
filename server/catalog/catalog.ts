import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { RecordTypeUnknownError } from '../errors.js';
import { checkCategoryFile } from './catalog-checks.js';
import type {
  Catalog,
  CatalogFilter,
  Category,
  CategoryFile,
  Holder,
  RecordType,
  RecordValidationIssue,
  RecordValidator,
} from './catalog.types.js';
import { createMetaAjv, createRecordAjv } from './record-ajv.js';

export type { Catalog, Holder, RecordType, RecordValidator } from './catalog.types.js';

export const DEFAULT_CATALOG_DIR = fileURLToPath(new URL('./record-types/', import.meta.url));
export const DEFAULT_HOLDERS_FILE = fileURLToPath(new URL('./holders.json', import.meta.url));
const META_SCHEMA_PATH = fileURLToPath(new URL('./record-type.schema.json', import.meta.url));
const HOLDERS_SCHEMA_PATH = fileURLToPath(new URL('./holders.schema.json', import.meta.url));

/** The catalog data is wrong; names the file and the JSON pointer inside it so the fix is obvious. */
export class CatalogFileError extends Error {
  readonly file: string;
  readonly pointer: string;
  constructor(file: string, pointer: string, message: string, cause?: unknown) {
    super(
      `Invalid record catalog file ${file} at ${pointer || '/'}: ${message}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'CatalogFileError';
    this.file = file;
    this.pointer = pointer;
  }
}

function describeAjvError(error: ErrorObject): string {
  const extra = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (extra.additionalProperty) return `${error.message} ("${extra.additionalProperty}")`;
  if (extra.allowedValues)
    return `${error.message}: ${extra.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return error.message ?? 'is invalid';
}

function toIssues(errors: readonly ErrorObject[] | null | undefined): RecordValidationIssue[] {
  return (errors ?? []).map((e) => {
    const missing = (e.params as { missingProperty?: string }).missingProperty;
    return {
      pointer: e.instancePath || '/',
      message: describeAjvError(e),
      ...(e.keyword === 'required' && missing ? { missing } : {}),
    };
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function readCategoryFile(path: string, validateFile: ValidateFunction): CategoryFile {
  const name = basename(path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CatalogFileError(name, '/', `is not readable JSON (${(err as Error).message})`, err);
  }
  if (!validateFile(data)) {
    const first = validateFile.errors?.[0];
    throw new CatalogFileError(
      name,
      first?.instancePath ?? '/',
      first ? describeAjvError(first) : 'is invalid',
    );
  }
  const file = data as CategoryFile;
  if (name !== `${file.category.id}.json`) {
    throw new CatalogFileError(name, '/category/id', `"${file.category.id}" must match the file name`);
  }
  const problem = checkCategoryFile(file)[0];
  if (problem) throw new CatalogFileError(name, problem.pointer, problem.message);
  return file;
}

function readHolders(path: string): Map<string, Holder> {
  const name = basename(path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CatalogFileError(name, '/', `is not readable JSON (${(err as Error).message})`, err);
  }
  const validate = createMetaAjv().compile(JSON.parse(readFileSync(HOLDERS_SCHEMA_PATH, 'utf8')));
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw new CatalogFileError(
      name,
      first?.instancePath ?? '/',
      first ? describeAjvError(first) : 'is invalid',
    );
  }
  const holders = new Map<string, Holder>();
  (data as { holders: Holder[] }).holders.forEach((holder, i) => {
    if (holders.has(holder.id))
      throw new CatalogFileError(name, `/holders/${i}/id`, `duplicate holder "${holder.id}"`);
    holders.set(holder.id, deepFreeze(holder));
  });
  return holders;
}

/**
 * Reads, validates and compiles every record-types/*.json and the holders table at start-up.
 * Synchronous on purpose: the service must not listen before its catalog is known to be sound.
 */
export function loadCatalog(dir: string = DEFAULT_CATALOG_DIR, holdersFile = DEFAULT_HOLDERS_FILE): Catalog {
  const holders = readHolders(holdersFile);
  const held = new Set<string>();
  const validateFile = createMetaAjv().compile(JSON.parse(readFileSync(META_SCHEMA_PATH, 'utf8')));
  const recordAjv = createRecordAjv();
  const byId = new Map<string, { recordType: RecordType; validate: ValidateFunction; file: string }>();
  const categories: Category[] = [];

  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort();
  for (const name of names) {
    const file = readCategoryFile(join(dir, name), validateFile);
    categories.push(file.category);
    file.recordTypes.forEach((entry, i) => {
      const holder = holders.get(entry.holder);
      if (!holder) {
        throw new CatalogFileError(
          name,
          `/recordTypes/${i}/holder`,
          `"${entry.holder}" is not a holder in ${basename(holdersFile)}`,
        );
      }
      held.add(holder.id);
      const recordType: RecordType = { ...entry, holder };
      const earlier = byId.get(recordType.id);
      if (earlier) {
        throw new CatalogFileError(
          name,
          `/recordTypes/${i}/id`,
          `"${recordType.id}" is already defined in ${earlier.file}`,
        );
      }
      let validate: ValidateFunction;
      try {
        validate = recordAjv.compile(recordType.schema);
      } catch (err) {
        throw new CatalogFileError(name, `/recordTypes/${i}/schema`, (err as Error).message, err);
      }
      byId.set(recordType.id, { recordType: deepFreeze(recordType), validate, file: name });
    });
  }

  const idle = [...holders.keys()].filter((id) => !held.has(id));
  if (idle.length) {
    // A holder with nothing to fetch would still need a registry configured: keep the table honest.
    const i = [...holders.keys()].indexOf(idle[0]!);
    throw new CatalogFileError(basename(holdersFile), `/holders/${i}`, `"${idle[0]}" holds no record type`);
  }
  const holderList = Object.freeze([...holders.values()]);
  const all = [...byId.values()].map((e) => e.recordType);
  const validators = new Map<string, RecordValidator>();
  for (const [id, entry] of byId) {
    validators.set(id, (record: unknown) => (entry.validate(record) ? [] : toIssues(entry.validate.errors)));
  }
  Object.freeze(categories);

  return {
    size: all.length,
    list(filter: CatalogFilter = {}): readonly RecordType[] {
      const q = filter.q?.trim().toLowerCase();
      return all.filter(
        (rt) =>
          (filter.category === undefined || rt.category === filter.category) &&
          (filter.subjectKind === undefined || rt.subjectKind === filter.subjectKind) &&
          (!q ||
            [rt.id, rt.names.en, rt.names.ko, rt.names.ja].some((text) => text.toLowerCase().includes(q))),
      );
    },
    get(id: string): RecordType {
      const entry = byId.get(id);
      if (!entry) throw new RecordTypeUnknownError(id);
      return entry.recordType;
    },
    has(id: string): boolean {
      return byId.has(id);
    },
    categories(): readonly Category[] {
      return categories;
    },
    holders(): readonly Holder[] {
      return holderList;
    },
    holder(id: string): Holder {
      const holder = holders.get(id);
      if (!holder) throw new Error(`no holder "${id}" in the catalog`);
      return holder;
    },
    validator(id: string): RecordValidator {
      const validator = validators.get(id);
      if (!validator) throw new RecordTypeUnknownError(id);
      return validator;
    },
  };
}
