/**
 * x-separate-consent annotations (PIPA arts. 23 and 24): a consent names top-level fields, so only
 * a top-level field can be asked for apart; and the class must agree with the field's sensitivity
 * (an art. 23 item is `sensitive`, an art. 24 number an `identifier`), so a typo cannot put a
 * resident registration number into the ordinary part of a consent screen.
 */
import type { CatalogProblem, FieldSchema, ItemSchema } from './catalog.types.js';

const EXPECTED = { sensitive: 'sensitive', 'unique-identifier': 'identifier' } as const;

function nestedProblems(schema: FieldSchema | ItemSchema, pointer: string, out: CatalogProblem[]): void {
  if (schema['x-separate-consent'] !== undefined)
    out.push({
      pointer: `${pointer}/x-separate-consent`,
      message: 'only top-level fields are asked for apart (a consent names top-level fields)',
    });
  for (const [name, field] of Object.entries(schema.properties ?? {}))
    nestedProblems(field, `${pointer}/properties/${name}`, out);
  if (schema.items) nestedProblems(schema.items, `${pointer}/items`, out);
}

export function separateConsentProblems(
  properties: Readonly<Record<string, FieldSchema>>,
  pointer: string,
): CatalogProblem[] {
  const out: CatalogProblem[] = [];
  for (const [name, field] of Object.entries(properties)) {
    const at = `${pointer}/${name}`;
    const kind = field['x-separate-consent'];
    if (kind !== undefined && field['x-sensitivity'] !== EXPECTED[kind])
      out.push({
        pointer: `${at}/x-separate-consent`,
        message: `"${kind}" marks only a field whose x-sensitivity is "${EXPECTED[kind]}"`,
      });
    for (const [inner, sub] of Object.entries(field.properties ?? {}))
      nestedProblems(sub, `${at}/properties/${inner}`, out);
    if (field.items) nestedProblems(field.items, `${at}/items`, out);
  }
  return out;
}
