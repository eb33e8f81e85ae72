/**
 * The clerk at the counter (DESIGN §4): which purposes the clerk's agency may use, what a purpose asks for
 * (record types, the citizen's identifier, object identifiers, the consent modes its legal basis allows),
 * checking the counter form, starting a citizen consent request (QR / short link), and running the query
 * in-process through the query service. No Express, no knex. National IDs pass through here only on their
 * way to the consent and query services, which key them by HMAC; nothing here stores or logs them.
 */
import type { ClerkPrincipal } from '../auth/principal.js';
import type { Catalog, RecordType } from '../catalog/catalog.types.js';
import { identifierSchemes, type IdentifierSchemeId } from '../catalog/identifiers/index.js';
import type { ConsentsService } from '../consents/consents.service.js';
import type { ConsentRequestView } from '../consents/consents.types.js';
import { AppError, IdentifierInvalidError } from '../errors.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { Organisation, Purpose } from '../organisations/organisations.types.js';
import type { PolicyService } from '../policy/policy.service.js';
import type { QueryService } from '../queries/queries.service.js';
import {
  isSubjectScheme,
  type QueryRequest,
  type QueryResponse,
  type SubjectScheme,
} from '../queries/queries.types.js';
import type { ConsoleRepo, RecentQueryEntry } from './console.repo.js';

export type ConsentModeChoice = 'citizen' | 'attested' | 'statutory';
export const CONSENT_MODES: readonly ConsentModeChoice[] = ['citizen', 'attested', 'statutory'];

/** What the counter form sends (already trimmed strings; the page reads them from the body). */
export interface CounterForm {
  purpose: string;
  records: string[];
  subjectScheme: string;
  subjectId: string;
  /** Object identifiers by record type (parcel number, plate, ...). */
  identifiers: Record<string, string>;
  mode: 'full' | 'fact-check';
  consentMode: ConsentModeChoice | '';
  documentReference: string;
  /** Attested mode: the signed form carries the separate agreement (PIPA arts. 23, 24). */
  separateAgreement?: boolean;
  /** Citizen mode, once the request exists. */
  consentId: string;
}

/** A problem with one form field: `field` names the input, `key` the message (params fill it). */
export interface FieldProblem {
  field: string;
  key: string;
  params?: Record<string, string | number>;
}

/** A purpose as the counter sees it. */
export interface CounterPurpose {
  organisation: Organisation;
  purpose: Purpose;
  records: RecordType[];
  /** Identifier schemes of the person/corporation records (the citizen's identifier). */
  subjectSchemes: IdentifierSchemeId[];
  consentModes: ConsentModeChoice[];
  factCheckAvailable: boolean;
}

export interface CheckedForm {
  form: CounterForm;
  selected: RecordType[];
  subject?: { scheme: SubjectScheme; canonical: string; masked: string };
  needsConsent: boolean;
}

export interface ConsoleDeps {
  organisations: Pick<OrganisationsService, 'entitlements' | 'assertEntitled' | 'allPurposes'>;
  catalog: Pick<Catalog, 'get' | 'has'>;
  policy: Pick<PolicyService, 'plan'>;
  consents: Pick<ConsentsService, 'createRequest' | 'getRequest'>;
  queries: Pick<QueryService, 'run'>;
  repo: ConsoleRepo;
  now?: () => Date;
}

/** Counter consents are short: a week at most, a few uses (the purpose's bounds may be tighter). */
const COUNTER_CONSENT_DAYS = 7;
const COUNTER_CONSENT_USES = 3;
const DOCUMENT_REFERENCE = /^[\p{L}\p{N}][\p{L}\p{N} ./#:_-]{2,199}$/u;

const needsConsent = (type: RecordType) => type.consentClass !== 'no-subject-fee';

export function createConsoleService(deps: ConsoleDeps) {
  const now = deps.now ?? (() => new Date());

  async function purposes(clerk: ClerkPrincipal): Promise<Purpose[]> {
    const [codes, all] = await Promise.all([
      deps.organisations.entitlements(clerk.orgId),
      deps.organisations.allPurposes(),
    ]);
    const entitled = new Set(codes);
    return all
      .filter((p) => entitled.has(p.code) && p.status === 'active')
      .sort((a, b) => Number(b.procedure) - Number(a.procedure) || a.names.en.localeCompare(b.names.en));
  }

  /** Throws forbidden (purpose_not_allowed) for a purpose the clerk's agency may not use. */
  async function describe(clerk: ClerkPrincipal, code: string): Promise<CounterPurpose> {
    const { organisation, purpose } = await deps.organisations.assertEntitled(clerk.orgId, code);
    const records = purpose.recordTypes
      .filter((id) => deps.catalog.has(id))
      .map((id) => deps.catalog.get(id));
    const subjectSchemes = [
      ...new Set(records.filter((r) => r.subjectKind !== 'object').map((r) => r.identifierScheme)),
    ];
    const consentModes = CONSENT_MODES.filter((mode) =>
      mode === 'statutory' ? purpose.consentBasis !== 'consent' : purpose.consentBasis !== 'statutory',
    );
    return {
      organisation,
      purpose,
      records,
      subjectSchemes,
      consentModes,
      factCheckAvailable: records.some((r) => r.accessModes.includes('fact-check')),
    };
  }

  /** Every problem with the form at once, each tied to its field; the canonical identifiers when valid. */
  function check(
    described: CounterPurpose,
    form: CounterForm,
  ): { problems: FieldProblem[]; checked: CheckedForm } {
    const problems: FieldProblem[] = [];
    const byId = new Map(described.records.map((r) => [r.id, r]));
    const selected = [...new Set(form.records)].filter((id) => byId.has(id)).map((id) => byId.get(id)!);
    if (selected.length === 0 || selected.length !== new Set(form.records).size) {
      problems.push({ field: 'records', key: 'console.error.records' });
    }
    let subject: CheckedForm['subject'];
    const subjectRecords = selected.filter((r) => r.subjectKind !== 'object');
    if (subjectRecords.length > 0 || form.subjectId !== '') {
      const scheme = form.subjectScheme || described.subjectSchemes[0] || 'rrn';
      if (!isSubjectScheme(scheme) || !described.subjectSchemes.includes(scheme)) {
        problems.push({ field: 'subjectId', key: 'console.error.scheme' });
      } else if (form.subjectId === '') {
        problems.push({ field: 'subjectId', key: 'console.error.subjectMissing' });
      } else {
        try {
          const canonical = identifierSchemes[scheme].canonicalise(form.subjectId);
          subject = { scheme, canonical, masked: identifierSchemes[scheme].mask(canonical) };
        } catch (err) {
          if (!(err instanceof IdentifierInvalidError)) throw err;
          problems.push({ field: 'subjectId', key: 'console.error.identifier', params: { scheme } });
        }
        const other = subjectRecords.find((r) => r.identifierScheme !== scheme);
        if (other)
          problems.push({
            field: 'records',
            key: 'console.error.mixedSchemes',
            params: { recordType: other.id },
          });
      }
    }
    for (const type of selected.filter((r) => r.subjectKind === 'object')) {
      const value = form.identifiers[type.id] ?? '';
      const field = `identifier:${type.id}`;
      if (value === '') {
        problems.push({
          field,
          key: 'console.error.objectMissing',
          params: { scheme: type.identifierScheme, recordType: type.id },
        });
        continue;
      }
      try {
        identifierSchemes[type.identifierScheme].canonicalise(value);
      } catch (err) {
        if (!(err instanceof IdentifierInvalidError)) throw err;
        problems.push({ field, key: 'console.error.identifier', params: { scheme: type.identifierScheme } });
      }
    }
    const unsupported = selected.find((r) => !r.accessModes.includes(form.mode));
    if (unsupported) {
      problems.push({
        field: 'mode',
        key: `console.error.mode.${form.mode}`,
        params: { recordType: unsupported.id },
      });
    }
    const consentNeeded = selected.some(needsConsent);
    if (consentNeeded || (selected.length === 0 && described.records.some(needsConsent))) {
      if (form.consentMode === '' || !described.consentModes.includes(form.consentMode)) {
        problems.push({ field: 'consentMode', key: 'console.error.consentMode' });
      } else if (form.consentMode === 'citizen') {
        const notPersonal = selected.find(
          (r) => needsConsent(r) && (r.subjectKind !== 'person' || r.consentClass !== 'consent-required'),
        );
        if (notPersonal) {
          problems.push({
            field: 'consentMode',
            key: 'console.error.citizenPersonal',
            params: { recordType: notPersonal.id },
          });
        } else if (subject && subject.scheme !== 'rrn' && subject.scheme !== 'frn') {
          problems.push({
            field: 'consentMode',
            key: 'console.error.citizenPersonal',
            params: { recordType: subjectRecords[0]!.id },
          });
        }
      } else if (form.consentMode === 'attested' && !DOCUMENT_REFERENCE.test(form.documentReference)) {
        problems.push({ field: 'documentReference', key: 'console.error.documentReference' });
      }
    }
    return {
      problems,
      checked: { form, selected, ...(subject ? { subject } : {}), needsConsent: consentNeeded },
    };
  }

  /** The record fields the consent asks for: what policy would release to this agency, as record fields. */
  function consentFields(described: CounterPurpose, type: RecordType, mode: CounterForm['mode']): string[] {
    const plan = deps.policy.plan({
      requester: { orgId: described.organisation.id, class: described.organisation.class },
      purpose: described.purpose.code,
      recordType: type.id,
      consentedFields: 'all',
      requestedFields: 'all',
    });
    const fields = new Set(plan.release.flatMap((f) => f.sources));
    if (mode === 'fact-check')
      for (const check of type.factChecks) for (const f of check.basis) fields.add(f);
    const known = [...fields].filter((f) => Object.hasOwn(type.schema.properties, f));
    return known.length ? known : [...type.schema.required];
  }

  async function startCitizenConsent(
    clerk: ClerkPrincipal,
    described: CounterPurpose,
    checked: CheckedForm,
    language: 'ko' | 'en' | 'ja',
  ): Promise<ConsentRequestView> {
    const { bounds } = described.purpose;
    const maxUses = Math.min(COUNTER_CONSENT_USES, bounds.maxUses);
    return deps.consents.createRequest(clerk, {
      subject: { scheme: checked.subject!.scheme as 'rrn' | 'frn', id: checked.subject!.canonical },
      purpose: described.purpose.code,
      records: checked.selected.filter(needsConsent).map((type) => ({
        recordType: type.id,
        fields: { required: consentFields(described, type, checked.form.mode) },
      })),
      durationDays: Math.min(COUNTER_CONSENT_DAYS, bounds.maxConsentDays),
      usage: maxUses <= 1 ? { fetch: 'once' } : { fetch: 'limited', maxUses },
      dataLife: { unit: 'day', value: 30 },
      language,
    });
  }

  function queryRequest(described: CounterPurpose, checked: CheckedForm): QueryRequest {
    const { form } = checked;
    const consent: QueryRequest['consent'] =
      form.consentMode === 'citizen'
        ? { mode: 'citizen', consentId: form.consentId }
        : form.consentMode === 'attested'
          ? {
              mode: 'attested',
              documentReference: form.documentReference,
              ...(form.separateAgreement ? { separateAgreement: true } : {}),
            }
          : { mode: 'statutory' };
    return {
      purpose: described.purpose.code,
      ...(checked.subject
        ? { subject: { scheme: checked.subject.scheme, id: checked.subject.canonical } }
        : {}),
      records: checked.selected.map((type) => ({
        recordType: type.id,
        ...(type.subjectKind === 'object' ? { identifier: checked.form.identifiers[type.id] ?? '' } : {}),
      })),
      mode: form.mode,
      ...(checked.needsConsent ? { consent } : {}),
    };
  }

  return {
    purposes,
    describe,
    check,
    startCitizenConsent,
    /** The request's status as the requesting agency sees it (404 for another agency's request). */
    consentStatus: (clerk: ClerkPrincipal, id: string) => deps.consents.getRequest(clerk, id),
    /** Runs the verification in-process; refusals come back as AppErrors with their stable codes. */
    async run(
      clerk: ClerkPrincipal,
      described: CounterPurpose,
      checked: CheckedForm,
      requestId: string,
    ): Promise<QueryResponse> {
      return deps.queries.run(clerk, queryRequest(described, checked), { requestId, now: now() });
    },
    recent: (clerk: ClerkPrincipal, limit = 20): Promise<RecentQueryEntry[]> =>
      deps.repo.recentQueries(clerk.orgId, clerk.clerkId, limit),
  };
}

/** A query error's field, when it points at an input of the counter form. */
export function fieldOfPointer(pointer: string, checked: CheckedForm): string | undefined {
  if (pointer.startsWith('/subject')) return 'subjectId';
  if (pointer === '/mode') return 'mode';
  if (pointer.startsWith('/consent'))
    return pointer.includes('documentReference') ? 'documentReference' : 'consentMode';
  const m = /^\/records\/(\d+)\/identifier/.exec(pointer);
  if (m) {
    const type = checked.selected[Number(m[1])];
    return type ? `identifier:${type.id}` : undefined;
  }
  if (pointer.startsWith('/records')) return 'records';
  return undefined;
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

export type ConsoleService = ReturnType<typeof createConsoleService>;
