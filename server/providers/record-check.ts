/**
 * Checks a provider's record against its record type's schema before anything else sees it
 * (DESIGN §4, issue 3 item 6). With a field list the record must hold exactly the requested
 * fields (required ones among them present); extra fields are an error, never dropped silently.
 */
import type { Catalog } from '../catalog/catalog.types.js';

export interface RecordCheckProblem {
  pointer: string;
  message: string;
}

export function checkRecord(
  catalog: Catalog,
  recordType: string,
  record: unknown,
  fields?: readonly string[],
): RecordCheckProblem[] {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return [{ pointer: '/', message: 'must be an object' }];
  }
  const issues = catalog.validator(recordType)(record);
  if (!fields) return issues.map(({ pointer, message }) => ({ pointer, message }));
  const wanted = new Set(fields);
  const problems: RecordCheckProblem[] = issues
    // Required fields that were not asked for are legitimately absent.
    .filter((i) => !(i.pointer === '/' && i.missing !== undefined && !wanted.has(i.missing)))
    .map(({ pointer, message }) => ({ pointer, message }));
  for (const key of Object.keys(record)) {
    if (!wanted.has(key)) problems.push({ pointer: `/${key}`, message: 'was not requested' });
  }
  return problems;
}
