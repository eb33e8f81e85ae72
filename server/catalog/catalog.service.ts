/**
 * Catalog use cases for the public API: browse record types, read one with its schema, list
 * categories and identifier schemes, and check an identifier as a clerk types it. No Express here.
 */
import { createHash } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import type { Catalog, Category, Names, RecordType, SubjectKind } from './catalog.types.js';
import {
  identifierSchemeIds,
  identifierSchemes,
  isIdentifierSchemeId,
  type IdentifierScheme,
} from './identifiers/index.js';

export interface CatalogListQuery {
  category?: string;
  subjectKind?: SubjectKind;
  q?: string;
  limit: number;
  /** The id of the last item of the previous page. */
  after?: string;
}

export type RecordTypeSummary = Pick<
  RecordType,
  | 'id'
  | 'version'
  | 'names'
  | 'description'
  | 'category'
  | 'subjectKind'
  | 'identifierScheme'
  | 'consentClass'
  | 'accessModes'
> & { holder: Pick<RecordType['holder'], 'id' | 'names'> };

/** A record type as the contract's CatalogEntry shows it: its holder by id and names only. */
export type CatalogEntry = Omit<RecordType, 'holder'> & {
  holder: Pick<RecordType['holder'], 'id' | 'names'>;
};

export interface CatalogPage {
  items: RecordTypeSummary[];
  /** Cursor of the next page, null on the last. */
  next: string | null;
  /** Matches of the filter over all pages. */
  total: number;
}

export interface CategorySummary {
  id: string;
  names: Names;
  recordTypeCount: number;
}

export interface IdentifierSchemeSummary {
  id: string;
  names: IdentifierScheme['names'];
  example: string;
  exampleMasked: string;
  /** Record types queried with this scheme. */
  recordTypeCount: number;
}

export interface IdentifierCheck {
  scheme: string;
  canonical: string;
  masked: string;
}

export interface CatalogService {
  /** Strong validator of the whole catalog: changes only when a record type or schema changes. */
  readonly etag: string;
  list(query: CatalogListQuery): CatalogPage;
  get(id: string): { recordType: CatalogEntry; etag: string };
  categories(): CategorySummary[];
  identifierSchemes(): IdentifierSchemeSummary[];
  checkIdentifier(scheme: string, value: string): IdentifierCheck;
}

function summary(rt: RecordType): RecordTypeSummary {
  return {
    id: rt.id,
    version: rt.version,
    names: rt.names,
    description: rt.description,
    category: rt.category,
    holder: { id: rt.holder.id, names: rt.holder.names },
    subjectKind: rt.subjectKind,
    identifierScheme: rt.identifierScheme,
    consentClass: rt.consentClass,
    accessModes: rt.accessModes,
  };
}

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 27);

export function createCatalogService(catalog: Catalog): CatalogService {
  const all = [...catalog.list()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const entryEtags = new Map(all.map((rt) => [rt.id, `"${digest(JSON.stringify(rt))}"`]));
  const etag = `"${digest([...entryEtags].map(([id, tag]) => `${id}=${tag}`).join('\n'))}"`;
  const countBy = (key: (rt: RecordType) => string): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const rt of all) counts.set(key(rt), (counts.get(key(rt)) ?? 0) + 1);
    return counts;
  };
  const byCategory = countBy((rt) => rt.category);
  const byScheme = countBy((rt) => rt.identifierScheme);

  return {
    etag,
    list(query) {
      const matching = catalog.list({
        ...(query.category ? { category: query.category } : {}),
        ...(query.subjectKind ? { subjectKind: query.subjectKind } : {}),
        ...(query.q ? { q: query.q } : {}),
      });
      const ids = new Set(matching.map((rt) => rt.id));
      const sorted = all.filter((rt) => ids.has(rt.id));
      const start = query.after ? sorted.findIndex((rt) => rt.id > query.after!) : 0;
      const page = start < 0 ? [] : sorted.slice(start, start + query.limit);
      const last = page.at(-1);
      const more = start >= 0 && start + query.limit < sorted.length;
      return { items: page.map(summary), next: more && last ? last.id : null, total: sorted.length };
    },
    get(id) {
      const recordType = catalog.get(id);
      const holder = { id: recordType.holder.id, names: recordType.holder.names };
      return { recordType: { ...recordType, holder }, etag: entryEtags.get(id)! };
    },
    categories() {
      return catalog
        .categories()
        .map((c: Category) => ({ id: c.id, names: c.names, recordTypeCount: byCategory.get(c.id) ?? 0 }));
    },
    identifierSchemes() {
      return identifierSchemeIds.map((id) => {
        const scheme = identifierSchemes[id];
        return {
          id,
          names: scheme.names,
          example: scheme.example,
          exampleMasked: scheme.mask(scheme.example),
          recordTypeCount: byScheme.get(id) ?? 0,
        };
      });
    },
    checkIdentifier(schemeId, value) {
      if (!isIdentifierSchemeId(schemeId))
        throw new NotFoundError(`There is no identifier scheme "${schemeId}".`);
      const scheme = identifierSchemes[schemeId];
      const canonical = scheme.canonicalise(value);
      return { scheme: schemeId, canonical, masked: scheme.mask(canonical) };
    },
  };
}
