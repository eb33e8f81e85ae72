/** Every organisation and purpose (all pages of the admin use cases) and the record types, for names and lists. */
import type { Catalog } from '../catalog/catalog.types.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { Organisation, Page, Purpose } from '../organisations/organisations.types.js';
import type { Lang } from '../web/i18n.js';
import type { Names } from './views/auditor.views.js';
import type { Option } from './views/shell.js';

async function all<T>(fetch: (after: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  do {
    const page = await fetch(after);
    out.push(...page.items);
    after = page.next ?? undefined;
  } while (after);
  return out;
}

export type DirectoryDeps = {
  organisations: Pick<OrganisationsService, 'listOrganisations' | 'listPurposes'>;
  catalog: Pick<Catalog, 'list' | 'has' | 'get'>;
};

export async function loadDirectory(deps: DirectoryDeps) {
  const [organisations, purposes] = await Promise.all([
    all<Organisation>((after) =>
      deps.organisations.listOrganisations({ limit: 100, ...(after ? { after } : {}) }),
    ),
    all<Purpose>((after) => deps.organisations.listPurposes({ limit: 100, ...(after ? { after } : {}) })),
  ]);
  const orgById = new Map(organisations.map((o) => [o.id, o]));
  const purposeByCode = new Map(purposes.map((p) => [p.code, p]));
  return {
    organisations,
    purposes,
    names: (lang: Lang): Names => ({
      org: (id) => orgById.get(id)?.names[lang] ?? id,
      purpose: (code) => purposeByCode.get(code)?.names[lang] ?? code,
      record: (id) => (deps.catalog.has(id) ? deps.catalog.get(id).names[lang] : id),
    }),
    options: (lang: Lang): { organisations: Option[]; purposes: Option[]; recordTypes: Option[] } => ({
      organisations: organisations.map((o) => ({ value: o.id, label: o.names[lang] })),
      purposes: purposes.map((p) => ({ value: p.code, label: p.names[lang] })),
      recordTypes: deps.catalog.list().map((r) => ({ value: r.id, label: r.names[lang] })),
    }),
  };
}
