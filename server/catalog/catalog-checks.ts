import type { CategoryFile, FieldSchema, ItemSchema, RecordTypeEntry } from './catalog.types.js';
import type { CatalogProblem } from './catalog.types.js';
import { separateConsentProblems } from './separate-consent-checks.js';

export type { CatalogProblem };

function checkRequired(schema: FieldSchema | ItemSchema, pointer: string, problems: CatalogProblem[]): void {
  if (schema.properties) {
    for (const name of schema.required ?? []) {
      if (!(name in schema.properties))
        problems.push({ pointer: `${pointer}/required`, message: `requires undefined field "${name}"` });
    }
    for (const [name, field] of Object.entries(schema.properties))
      checkRequired(field, `${pointer}/properties/${name}`, problems);
  }
  if (schema.items) checkRequired(schema.items, `${pointer}/items`, problems);
}

const DATE_FORMATS = ['date', 'date-time'];

/** Where a dated field sits: a top-level field, a property of a list entry, or anywhere else. */
type DatePlace = 'top' | 'entry' | 'inner';

function checkEntryDates(entry: FieldSchema | ItemSchema, pointer: string, problems: CatalogProblem[]): void {
  const roles = Object.values(entry.properties ?? {}).map((f) => f['x-date']);
  const count = (r: string): number => roles.filter((x) => x === r).length;
  const on = count('on');
  const from = count('from');
  const until = count('until');
  if (on > 1 || from > 1 || until > 1 || (on > 0 && from > 0) || (until > 0 && from === 0))
    problems.push({
      pointer,
      message: 'an entry is dated by one "on", or by one "from" with at most one "until"',
    });
}

/**
 * x-date annotations (data-range bounds): only on date fields; on a top-level field only `on`
 * (the field dates itself); on properties of list entries `on`, or `from` with an optional
 * `until`; nowhere else, so every annotated date has one meaning at release.
 */
function checkDates(
  schema: FieldSchema | ItemSchema,
  pointer: string,
  place: DatePlace,
  problems: CatalogProblem[],
): void {
  const role = schema['x-date'];
  if (role !== undefined) {
    const at = `${pointer}/x-date`;
    if (schema.type !== 'string' || !DATE_FORMATS.includes(String(schema.format)))
      problems.push({ pointer: at, message: 'dates only a string field of format date or date-time' });
    else if (place === 'top' && role !== 'on')
      problems.push({ pointer: at, message: 'a top-level field can only be dated "on" (it dates itself)' });
    else if (place === 'inner')
      problems.push({
        pointer: at,
        message: 'only top-level fields and properties of list entries are dated',
      });
  }
  if (schema.items) {
    const items = schema.items;
    if (items.properties) {
      checkEntryDates(items, `${pointer}/items`, problems);
      for (const [name, field] of Object.entries(items.properties))
        checkDates(field, `${pointer}/items/properties/${name}`, 'entry', problems);
    } else checkDates(items, `${pointer}/items`, 'inner', problems);
  }
  if (schema.properties) {
    for (const [name, field] of Object.entries(schema.properties))
      checkDates(field, `${pointer}/properties/${name}`, 'inner', problems);
  }
}

function checkFieldRefs(
  fields: readonly string[],
  known: Set<string>,
  pointer: string,
  problems: CatalogProblem[],
): void {
  fields.forEach((field, i) => {
    if (!known.has(field))
      problems.push({
        pointer: `${pointer}/${i}`,
        message: `names field "${field}" that the schema does not define`,
      });
  });
}

function checkRecordType(
  file: CategoryFile,
  rt: RecordTypeEntry,
  at: string,
  problems: CatalogProblem[],
): void {
  const categoryId = file.category.id;
  if (rt.category !== categoryId) {
    problems.push({
      pointer: `${at}/category`,
      message: `is "${rt.category}" but the file holds category "${categoryId}"`,
    });
  }
  if (!rt.id.startsWith(`${categoryId}.`)) {
    problems.push({
      pointer: `${at}/id`,
      message: `"${rt.id}" must start with the category "${categoryId}."`,
    });
  }
  const fields = new Set(Object.keys(rt.schema.properties));
  checkRequired(rt.schema as unknown as FieldSchema, `${at}/schema`, problems);
  for (const [name, field] of Object.entries(rt.schema.properties))
    checkDates(field, `${at}/schema/properties/${name}`, 'top', problems);
  problems.push(...separateConsentProblems(rt.schema.properties, `${at}/schema/properties`));

  const variantIds = new Set<string>();
  let defaults = 0;
  rt.disclosureVariants.forEach((variant, i) => {
    if (variantIds.has(variant.id))
      problems.push({
        pointer: `${at}/disclosureVariants/${i}/id`,
        message: `duplicate variant "${variant.id}"`,
      });
    variantIds.add(variant.id);
    if (variant.default) defaults++;
    checkFieldRefs(variant.fields, fields, `${at}/disclosureVariants/${i}/fields`, problems);
  });
  if (defaults > 1)
    problems.push({ pointer: `${at}/disclosureVariants`, message: 'more than one default variant' });

  const checkIds = new Set<string>();
  rt.factChecks.forEach((check, i) => {
    if (checkIds.has(check.id))
      problems.push({ pointer: `${at}/factChecks/${i}/id`, message: `duplicate fact check "${check.id}"` });
    checkIds.add(check.id);
    checkFieldRefs(check.basis, fields, `${at}/factChecks/${i}/basis`, problems);
  });
  const factMode = rt.accessModes.includes('fact-check');
  if (factMode !== rt.factChecks.length > 0) {
    problems.push({
      pointer: `${at}/accessModes`,
      message: 'the fact-check mode and a non-empty factChecks list go together',
    });
  }

  const selectable = rt.accessModes.includes('citizen-selectable');
  if (selectable !== (rt.citizenSelection !== undefined)) {
    problems.push({
      pointer: `${at}/accessModes`,
      message: 'the citizen-selectable mode and citizenSelection go together',
    });
  }
  if (rt.citizenSelection) {
    checkFieldRefs(
      rt.citizenSelection.mandatoryFields,
      fields,
      `${at}/citizenSelection/mandatoryFields`,
      problems,
    );
  }
}

/** Cross-field rules for one file that has already passed the meta-schema. */
export function checkCategoryFile(file: CategoryFile): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const ids = new Set<string>();
  file.recordTypes.forEach((rt, i) => {
    if (ids.has(rt.id))
      problems.push({ pointer: `/recordTypes/${i}/id`, message: `duplicate record type "${rt.id}"` });
    ids.add(rt.id);
    checkRecordType(file, rt, `/recordTypes/${i}`, problems);
  });
  return problems;
}
