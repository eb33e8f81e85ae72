/**
 * The verification query (DESIGN §4): authenticate → entitled to the purpose → purpose allows the
 * record types → consent (or statutory basis) → fetch in parallel under one deadline → policy →
 * durable audit entry per record → respond.
 *
 * Consent is checked twice on purpose. A dry run before the fetch (one read, nothing counted)
 * keeps us from reading a registry without a valid consent; the counted use commits with the audit
 * entries, after the fetch, so a revocation that commits while registries are being read stops the
 * release (no record leaves after a revocation commits). Usually that is one statement (the
 * consent's conditional UPDATE guards the audit INSERT); the last use of a consent, and any use
 * whose guard matched nothing, take a transaction that re-checks and says why.
 */
import type { AuditEntryInput, AuditReceipt } from '../audit/audit.types.js';
import type { Principal } from '../auth/principal.js';
import type { RecordType } from '../catalog/catalog.types.js';
import { canonicaliseIdentifier } from '../catalog/identifiers/index.js';
import { assertSeparateAgreement, type ReleasedOutput } from '../consents/separate-consent.js';
import {
  AppError,
  AuditUnavailableError,
  auditReasonOf,
  ForbiddenError,
  ProviderError,
  UndisclosedRefusalError,
  ValidationError,
  type ErrorCode,
} from '../errors.js';
import { embargoUntil } from '../organisations/embargo.js';
import type { OrgClass, Purpose } from '../organisations/organisations.types.js';
import {
  appendWith,
  createRefusalAudit,
  markAudited,
  refusingRequester,
  requesterOfEntry,
  type RefusingRequester,
} from './audit-refusal.js';
import { answerFactChecks } from './fact-checks.js';
import type { ConsentGrant, FetchedRecord, QueryDeps } from './queries.ports.js';
import type { QueryRequest, QueryResponse, RecordRequest, RecordResult } from './queries.types.js';

export interface QueryContext {
  requestId: string;
  now: Date;
}

interface Requester extends RefusingRequester {
  /** Known once the organisation is confirmed active and entitled. */
  orgClass?: OrgClass;
}

interface PlannedRecord {
  request: RecordRequest;
  type: RecordType;
  identifier: string;
  subjectKey: string;
}

/** Refusals with the code the caller sees; the audit log records the same code. */
class Refusal extends Error {
  readonly error: AppError;
  constructor(error: AppError) {
    super(error.message);
    this.error = error;
  }
}

function requesterOf(principal: Principal | undefined): Requester {
  const requester = refusingRequester(principal);
  if (requester) return requester;
  throw new ForbiddenError('forbidden', 'Only institutional clients and clerks may query records.');
}

function needsConsent(type: RecordType): boolean {
  return type.consentClass !== 'no-subject-fee';
}

export function createQueryService(deps: QueryDeps) {
  const { catalog } = deps;
  const refusals = createRefusalAudit(deps);

  function resolveRecords(req: QueryRequest, purpose: Purpose): RecordRequest[] {
    if (req.procedure) {
      if (req.records?.length) throw new ValidationError('Give either records or procedure, not both.');
      return purpose.recordTypes.map((recordType) => ({ recordType }));
    }
    if (!req.records?.length) throw new ValidationError('Name at least one record type, or procedure: true.');
    const seen = new Set<string>();
    req.records.forEach((r, i) => {
      if (seen.has(r.recordType)) {
        throw new ValidationError('A record type is listed twice.', [
          { pointer: `/records/${i}/recordType`, message: 'duplicate' },
        ]);
      }
      seen.add(r.recordType);
    });
    return req.records;
  }

  function planRecords(req: QueryRequest, requests: RecordRequest[], purpose: Purpose): PlannedRecord[] {
    let subject: { scheme: string; canonical: string; key: string } | undefined;
    if (req.subject) {
      const canonical = canonicaliseIdentifier(req.subject.scheme, req.subject.id, '/subject/id');
      subject = { scheme: req.subject.scheme, canonical, key: deps.subjectKeyOf(canonical) };
    }
    return requests.map((request, i) => {
      const type = catalog.get(request.recordType);
      if (!purpose.recordTypes.includes(type.id)) {
        throw new ForbiddenError(
          'purpose_not_allowed',
          `Purpose ${purpose.code} does not cover ${type.id}.`,
          {
            recordType: type.id,
          },
        );
      }
      if (req.mode === 'fact-check' && !type.accessModes.includes('fact-check')) {
        throw new ValidationError(`${type.id} answers no fact checks.`, [
          { pointer: `/records/${i}/recordType`, message: 'no fact-check mode' },
        ]);
      }
      if (req.mode === 'full' && !type.accessModes.includes('full')) {
        throw new ValidationError(`${type.id} is available as fact checks only.`, [
          { pointer: '/mode', message: 'use fact-check' },
        ]);
      }
      const declared = new Set(type.factChecks.map((f) => f.id));
      request.factChecks?.forEach((id, j) => {
        if (!declared.has(id)) {
          throw new ValidationError(`Unknown fact check ${id}.`, [
            { pointer: `/records/${i}/factChecks/${j}`, message: `not declared by ${type.id}` },
          ]);
        }
      });
      if (type.subjectKind === 'object') {
        if (!request.identifier) {
          throw new ValidationError(`${type.id} is looked up by ${type.identifierScheme}.`, [
            { pointer: `/records/${i}/identifier`, message: `required (${type.identifierScheme})` },
          ]);
        }
        const identifier = canonicaliseIdentifier(
          type.identifierScheme,
          request.identifier,
          `/records/${i}/identifier`,
        );
        // An object record's access is still about the citizen the query is for, when there is one.
        return {
          request,
          type,
          identifier,
          subjectKey: subject?.key ?? deps.subjectKeyOf(`${type.identifierScheme}:${identifier}`),
        };
      }
      if (!subject) {
        throw new ValidationError(`${type.id} is about a ${type.subjectKind}: give the subject.`, [
          { pointer: '/subject', message: 'required' },
        ]);
      }
      if (subject.scheme !== type.identifierScheme) {
        throw new ValidationError(
          `${type.id} is looked up by ${type.identifierScheme}, not ${subject.scheme}.`,
          [{ pointer: '/subject/scheme', message: `expected ${type.identifierScheme}` }],
        );
      }
      return { request, type, identifier: subject.canonical, subjectKey: subject.key };
    });
  }

  async function establishConsent(
    requester: Requester,
    req: QueryRequest,
    purpose: Purpose,
    records: PlannedRecord[],
    subjectKey: string,
    now: Date,
  ): Promise<{ consentId?: string; consentToken?: string; mode: 'citizen' | 'attested' | 'statutory' }> {
    const ref = req.consent;
    const statutoryOnly = records.some((r) => r.type.consentClass === 'statutory-only');
    const statutoryAllowed = purpose.consentBasis !== 'consent';
    if (!ref)
      throw new Refusal(new ForbiddenError('consent_required', 'This query needs a consent reference.'));
    if ('token' in ref) {
      if (requester.principal.kind !== 'client') {
        throw new Refusal(new ForbiddenError('consent_invalid', 'Clerks give a consent mode, not a token.'));
      }
      if (statutoryOnly) {
        throw new Refusal(
          new ForbiddenError('consent_invalid', 'These records are released on a statutory basis only.'),
        );
      }
      return { consentToken: ref.token, mode: 'citizen' };
    }
    if (requester.principal.kind !== 'clerk') {
      throw new Refusal(
        new ForbiddenError('consent_required', 'Institutional clients present a consent token.'),
      );
    }
    const clerk = requester.principal;
    const recordTypes = records.map((r) => r.type.id);
    if (ref.mode === 'statutory') {
      if (!statutoryAllowed) {
        throw new Refusal(
          new ForbiddenError(
            'consent_required',
            `Purpose ${purpose.code} has no statutory basis; the citizen must consent.`,
          ),
        );
      }
      const { id } = await deps.consents.recordStatutoryBasis({
        clerk,
        subjectKey,
        purposeCode: purpose.code,
        recordTypes,
        now,
      });
      return { consentId: id, mode: 'statutory' };
    }
    if (statutoryOnly) {
      throw new Refusal(
        new ForbiddenError('consent_invalid', 'These records are released on a statutory basis only.'),
      );
    }
    if (ref.mode === 'attested') {
      const { id } = await deps.consents.recordAttestedConsent({
        clerk,
        subjectKey,
        purposeCode: purpose.code,
        recordTypes,
        documentReference: ref.documentReference,
        ...(ref.separateAgreement ? { separateAgreement: true } : {}),
        now,
      });
      return { consentId: id, mode: 'attested' };
    }
    return { consentId: ref.consentId, mode: 'citizen' };
  }

  const appendAudited = (entries: AuditEntryInput[]) => appendWith(() => deps.audit.appendMany(entries));

  function requestedFields(records: PlannedRecord[]): Record<string, string[] | 'all'> {
    return Object.fromEntries(records.map((r) => [r.type.id, r.request.fields ?? 'all']));
  }

  function auditEntry(
    ctx: QueryContext,
    requester: Requester,
    purpose: Purpose,
    record: PlannedRecord,
    consent: { id?: string | undefined; mode: 'citizen' | 'attested' | 'statutory' } | null,
    outcome: AuditEntryInput['outcome'],
    fields: AuditEntryInput['fields'],
    reasonCode?: string,
  ): AuditEntryInput {
    const embargoed = embargoUntil(purpose.bounds, ctx.now);
    return {
      requestId: ctx.requestId,
      subjectKey: record.subjectKey,
      outcome,
      ...(reasonCode ? { reasonCode } : {}),
      requester: requesterOfEntry(requester),
      purposeCode: purpose.code,
      legalBasis: purpose.legalBasis,
      consent: consent ? { id: consent.id ?? null, mode: consent.mode } : null,
      recordType: record.type.id,
      fields,
      // The agency whose registry failed is named in the log, not only implied by the record type.
      ...(outcome === 'provider_error' ? { holder: record.type.holder.id } : {}),
      // An investigation's access (refused ones too) is hidden from the citizen until this date.
      ...(embargoed ? { embargoUntil: embargoed } : {}),
    };
  }

  /** Writes one denied entry per record, then surfaces the refusal. */
  async function refuse(
    ctx: QueryContext,
    requester: Requester,
    purpose: Purpose,
    records: PlannedRecord[],
    error: AppError,
    consent: { id?: string | undefined; mode: 'citizen' | 'attested' | 'statutory' } | null,
  ): Promise<never> {
    await appendAudited(
      records.map((r) => auditEntry(ctx, requester, purpose, r, consent, 'denied', [], auditReasonOf(error))),
    );
    throw markAudited(error);
  }

  async function fetchAll(records: PlannedRecord[], ctx: QueryContext) {
    const deadline = AbortSignal.timeout(deps.deadlineMs);
    return Promise.allSettled(
      records.map((r) =>
        deps.records.fetchRecord({
          recordType: r.type.id,
          identifier: r.identifier,
          fields: r.request.fields ?? 'all',
          requestId: ctx.requestId,
          deadline,
        }),
      ),
    );
  }

  function release(
    requester: Requester,
    purpose: Purpose,
    record: PlannedRecord,
    fetched: FetchedRecord,
    grant: ConsentGrant | undefined,
    req: QueryRequest,
    now: Date,
  ): Pick<RecordResult, 'released' | 'fields' | 'withheld' | 'policy' | 'factChecks'> & {
    fields: RecordResult['fields'] & object;
  } {
    if (req.mode === 'fact-check') {
      const checks = record.request.factChecks ?? record.type.factChecks.map((f) => f.id);
      const factChecks = answerFactChecks(record.type.id, checks, fetched.record, now);
      return { factChecks, fields: checks.map((name) => ({ name, form: 'fact-check' })) };
    }
    const consented = consentedOutputs(requester, purpose, record, grant);
    const plan = deps.policy.plan({
      requester: { orgId: requester.orgId, class: requester.orgClass! },
      purpose: purpose.code,
      recordType: record.type.id,
      consentedFields: consented,
      requestedFields: record.request.fields ?? 'all',
      dataRange: {
        maxDays: purpose.bounds.maxDataRangeDays,
        ...(grant?.dataRange ? { from: grant.dataRange.from, to: grant.dataRange.to } : {}),
      },
    });
    const result = deps.policy.apply(plan, fetched.record, now);
    return {
      released: { ...result.released },
      fields: result.fields.map((f) => ({
        name: f.name,
        form: typeof f.form === 'string' ? f.form : describeForm(f.form),
      })),
      withheld: result.withheld.map((w) => ({ name: w.name, reason: w.reason })),
      policy: result.policy ? { id: result.policy.id, version: result.policy.version } : null,
    };
  }

  /**
   * A consent names record fields. A yes/no predicate computed only from consented fields reveals
   * less than they do, so it counts as consented too (e.g. `tax_arrears` from `hasArrears`).
   */
  function consentedOutputs(
    requester: Requester,
    purpose: Purpose,
    record: PlannedRecord,
    grant: ConsentGrant | undefined,
  ): readonly string[] | 'all' {
    const granted = grant ? (grant.grantedFields[record.type.id] ?? []) : 'all';
    if (granted === 'all') return 'all';
    const everything = deps.policy.plan({
      requester: { orgId: requester.orgId, class: requester.orgClass! },
      purpose: purpose.code,
      recordType: record.type.id,
      consentedFields: 'all',
      requestedFields: 'all',
    });
    const derived = everything.release
      .filter((f) => f.form.form === 'predicate' && f.sources.every((source) => granted.includes(source)))
      .map((f) => f.name);
    return [...granted, ...derived];
  }

  /** What a record's release would carry and the fields each output comes from (PIPA arts. 23, 24). */
  function releasedOutputs(
    requester: Requester,
    purpose: Purpose,
    record: PlannedRecord,
    grant: ConsentGrant,
    req: QueryRequest,
  ): ReleasedOutput[] {
    if (req.mode === 'fact-check') {
      const asked = record.request.factChecks ?? record.type.factChecks.map((f) => f.id);
      return record.type.factChecks
        .filter((f) => asked.includes(f.id))
        .map((f) => ({ name: f.id, sources: f.basis }));
    }
    return deps.policy
      .plan({
        requester: { orgId: requester.orgId, class: requester.orgClass! },
        purpose: purpose.code,
        recordType: record.type.id,
        consentedFields: consentedOutputs(requester, purpose, record, grant),
        requestedFields: record.request.fields ?? 'all',
      })
      .release.map((f) => ({ name: f.name, sources: f.sources }));
  }

  /** The pipeline; `seen` keeps the purpose once the requester is found entitled to it. */
  async function runQuery(
    requester: Requester,
    req: QueryRequest,
    ctx: QueryContext,
    seen: { purpose?: Purpose },
  ): Promise<QueryResponse> {
    let records: PlannedRecord[];
    let purpose: Purpose;
    try {
      const entitled = await deps.entitlements.assertEntitled(
        requester.orgId,
        req.purpose,
        requester.principal.kind === 'client' ? requester.principal.clientId : undefined,
      );
      purpose = entitled.purpose;
      seen.purpose = purpose;
      requester.orgClass = entitled.organisation.class;
      records = planRecords(req, resolveRecords(req, purpose), purpose);
    } catch (err) {
      // A query refused before admission still spends the requester's budget, so a flood of refused
      // queries meets the same 429 as a flood of answered ones (reliability check A10).
      if (err instanceof AppError && err.status < 500)
        await deps.limits.admit({ requester: requester.key, subjectKey: undefined, now: ctx.now });
      throw err;
    }
    const subjectKey = records[0]!.subjectKey;
    await deps.limits.admit({ requester: requester.key, subjectKey, now: ctx.now });
    if (await deps.protections?.bars(subjectKey, requester.principal)) {
      return refuse(ctx, requester, purpose, records, new UndisclosedRefusalError('protection_order'), null);
    }

    const consentNeeded = records.some((r) => needsConsent(r.type));
    let consent:
      { consentId?: string; consentToken?: string; mode: 'citizen' | 'attested' | 'statutory' } | undefined;
    let checked: ConsentGrant | undefined;
    const authorize = (trx: unknown, dryRun = false) =>
      deps.consents.authorizeUse(
        {
          principal: requester.principal,
          subjectKey,
          purposeCode: purpose.code,
          recordTypes: records.filter((r) => needsConsent(r.type)).map((r) => r.type.id),
          requestedFields: requestedFields(records.filter((r) => needsConsent(r.type))),
          ...(consent?.consentToken ? { consentToken: consent.consentToken } : {}),
          ...(consent?.consentId ? { consentId: consent.consentId } : {}),
          now: ctx.now,
        },
        dryRun ? { dryRun: true } : { trx, ...(checked ? { checked } : {}) },
      );
    if (consentNeeded) {
      try {
        consent = await establishConsent(requester, req, purpose, records, subjectKey, ctx.now);
        checked = await authorize(undefined, true);
        for (const r of records.filter((x) => needsConsent(x.type)))
          assertSeparateAgreement(
            r.type,
            checked.mode,
            checked.separateAgreement,
            releasedOutputs(requester, purpose, r, checked, req),
          );
      } catch (err) {
        const error = err instanceof Refusal ? err.error : err;
        if (error instanceof AppError && error.status < 500) {
          return refuse(
            ctx,
            requester,
            purpose,
            records,
            error,
            consent ? { id: consent.consentId, mode: consent.mode } : null,
          );
        }
        throw error;
      }
    }

    const fetched = await fetchAll(records, ctx);
    const outcomes = records.map((record, i) => {
      const settled = fetched[i]!;
      if (settled.status === 'rejected') {
        const error =
          settled.reason instanceof ProviderError
            ? settled.reason
            : new ProviderError(
                record.type.holder.id,
                'unavailable',
                'The registry could not be read.',
                settled.reason,
              );
        return { record, error };
      }
      return { record, fetched: settled.value };
    });

    const consentRef = consent ? { id: consent.consentId, mode: consent.mode } : null;
    /** What each record's outcome releases and the audit entry that says so, under one grant. */
    const settle = (grant: ConsentGrant | undefined) => {
      const results: Omit<RecordResult, 'audit'>[] = [];
      const entries: AuditEntryInput[] = [];
      const ref = grantRef(grant, consentRef);
      const addEntry = (
        o: (typeof outcomes)[number],
        outcome: AuditEntryInput['outcome'],
        fields: AuditEntryInput['fields'],
        reasonCode?: string,
      ) => entries.push(auditEntry(ctx, requester, purpose, o.record, ref, outcome, fields, reasonCode));
      for (const o of outcomes) {
        if ('error' in o && o.error) {
          const code: ErrorCode = o.error.code;
          const { holder } = o.record.type;
          results.push({
            recordType: o.record.type.id,
            outcome: 'provider_error',
            error: {
              code,
              holder: holder.id,
              detail: `${holder.names.en}: ${o.error.detail ?? o.error.title}`,
            },
          });
          addEntry(o, 'provider_error', [], code);
          continue;
        }
        const out = release(
          requester,
          purpose,
          o.record,
          o.fetched!,
          needsConsent(o.record.type) ? grant : undefined,
          req,
          ctx.now,
        );
        results.push({
          recordType: o.record.type.id,
          outcome: 'released',
          ...out,
          provenance: o.fetched!.provenance,
        });
        addEntry(o, 'released', out.fields);
      }
      return { results, entries };
    };

    let grant: ConsentGrant | undefined;
    let receipts: AuditReceipt[] | undefined;
    let results: Omit<RecordResult, 'audit'>[] = [];
    // The common case in one statement (one round trip, its own transaction): the checked use
    // counted by a conditional UPDATE and the audit entries inserted only if it matched. Without a
    // consent the entries are the only write. Anything else (the last use, a race) takes the
    // transaction below, which re-checks and says why.
    const guard = consentNeeded && checked ? deps.consents.useGuard(checked, ctx.now) : undefined;
    if (!consentNeeded || guard) {
      grant = consentNeeded ? checked : undefined;
      const settled = settle(grant);
      results = settled.results;
      receipts = await appendWith(() =>
        guard ? deps.audit.appendIf(guard, settled.entries) : deps.audit.appendMany(settled.entries),
      );
    }
    if (!receipts) {
      try {
        ({ grant, receipts, results } = await deps.unitOfWork(async (trx) => {
          const grant = await authorize(trx);
          const { results, entries } = settle(grant);
          const receipts = await appendWith(() => deps.audit.appendMany(entries, { trx }));
          return { grant, receipts, results };
        }));
      } catch (err) {
        if (err instanceof AuditUnavailableError) throw err;
        if (err instanceof AppError && err.status < 500 && consentNeeded) {
          // The consent changed while the registries were read: nothing is released.
          return refuse(ctx, requester, purpose, records, err, consentRef);
        }
        throw err;
      }
    }

    const response: QueryResponse = {
      queryId: ctx.requestId,
      purpose: purpose.code,
      mode: req.mode,
      consent: grant ? { id: grant.consentId, mode: grant.mode } : { id: null, mode: 'none' },
      records: results.map((r, i) => ({
        ...r,
        audit: { entryId: receipts[i]!.entryId, digest: receipts[i]!.digest },
      })),
    };
    if (req.signedCopy) {
      for (const record of response.records) {
        if (record.outcome !== 'released') continue;
        record.signedCopy = await deps.signer.signRecord({
          queryId: response.queryId,
          requester: requester.orgId,
          purpose: response.purpose,
          recordType: record.recordType,
          ...(record.released ? { released: record.released } : {}),
          ...(record.factChecks ? { factChecks: record.factChecks } : {}),
          fields: record.fields ?? [],
          policy: record.policy ?? null,
          provenance: record.provenance ?? null,
          audit: record.audit,
          issuedAt: ctx.now.toISOString(),
        });
      }
    }
    return response;
  }

  return {
    /**
     * Every refusal is audited (audit-refusal.ts): consent refusals write their entries where they
     * are decided; any other 4xx (entitlement, a malformed or unknown record, an invalid identifier,
     * a rate limit) is written here, one entry per named record. A 429 costs one more write per
     * refused request, and is worth it: it is still an attempt at someone's records (the harvesting
     * cap's refusals are what a citizen and an auditor most want to see), its sender is an
     * authenticated client or clerk that can be suspended, and it writes at most 20 entries.
     */
    async run(
      principal: Principal | undefined,
      req: QueryRequest,
      ctx: QueryContext,
    ): Promise<QueryResponse> {
      const requester = requesterOf(principal);
      const seen: { purpose?: Purpose } = {};
      try {
        return await runQuery(requester, req, ctx, seen);
      } catch (err) {
        if (err instanceof AppError) {
          await refusals.refused(principal, req, err, {
            requestId: ctx.requestId,
            ...(seen.purpose ? { purpose: seen.purpose } : {}),
            namesRecords: true,
          });
        }
        throw err;
      }
    },
  };
}

function grantRef(
  grant: ConsentGrant | undefined,
  fallback: { id?: string | undefined; mode: 'citizen' | 'attested' | 'statutory' } | null,
) {
  return grant ? { id: grant.consentId, mode: grant.mode } : fallback;
}

function describeForm(form: object): string {
  const f = form as { form?: string; name?: string; kind?: string };
  if (f.form === 'predicate') return `predicate:${f.name ?? ''}`;
  if (f.form === 'generalise') return `generalise:${f.kind ?? ''}`;
  return f.form ?? 'full';
}

export type QueryService = ReturnType<typeof createQueryService>;
