/**
 * A consent request checked against the catalog, the purpose's bounds (duration, uses, data range)
 * and the requester's redirect and webhook URIs; every problem is collected into one 400.
 */
import { subjectKey as keyOfSubject } from '../../audit/commitment.js';
import type { ClerkPrincipal, ClientPrincipal } from '../../auth/principal.js';
import { canonicaliseIdentifier } from '../../catalog/identifiers/index.js';
import { ValidationError, type FieldIssue } from '../../errors.js';
import type { Organisation, Purpose } from '../../organisations/organisations.types.js';
import type { ConsentRequestInput, PeriodUnit, RequestedFields, Usage } from '../consents.types.js';
import { DAY_MS, type ConsentsContext } from './context.js';

const PERIOD_DAYS: Record<PeriodUnit, number> = { day: 1, week: 7, month: 30, year: 365 };

function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

function checkUri(value: string, allowLoopbackHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not an absolute URL';
  }
  if (url.hash) return 'must not have a fragment';
  if (url.username || url.password) return 'must not hold credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined;
  return allowLoopbackHttp ? 'must be https (or http on a loopback address)' : 'must be https';
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Checks one request against the ctx.deps.catalog and the purpose's bounds; collects every problem. */
export async function checkRequest(
  ctx: ConsentsContext,
  requester: ClientPrincipal | ClerkPrincipal,
  input: ConsentRequestInput,
): Promise<{
  organisation: Organisation;
  purpose: Purpose;
  subjectKey: string | null;
  fieldsRequested: Record<string, RequestedFields>;
  usage: Usage;
}> {
  const issues: FieldIssue[] = [];
  let subjectKey: string | null = null;
  if (input.subject) {
    const canonical = canonicaliseIdentifier(input.subject.scheme, input.subject.id, '/subject/id');
    subjectKey = keyOfSubject(ctx.deps.pepper, canonical);
  }
  const { organisation, purpose } = await ctx.deps.organisations.assertEntitled(
    requester.orgId,
    input.purpose,
  );
  if (purpose.consentBasis === 'statutory') {
    issues.push({
      pointer: '/purpose',
      message: 'this purpose has a statutory basis; no consent is asked for it',
    });
  }

  const fieldsRequested: Record<string, RequestedFields> = {};
  input.records.forEach((r, i) => {
    const at = `/records/${i}`;
    if (fieldsRequested[r.recordType]) {
      issues.push({ pointer: `${at}/recordType`, message: 'record type listed twice' });
      return;
    }
    if (!ctx.deps.catalog.has(r.recordType)) {
      issues.push({ pointer: `${at}/recordType`, message: `unknown record type ${r.recordType}` });
      return;
    }
    if (!purpose.recordTypes.includes(r.recordType)) {
      issues.push({
        pointer: `${at}/recordType`,
        message: `purpose ${purpose.code} does not cover ${r.recordType}`,
      });
      return;
    }
    const type = ctx.deps.catalog.get(r.recordType);
    if (type.consentClass !== 'consent-required' || type.subjectKind !== 'person') {
      issues.push({
        pointer: `${at}/recordType`,
        message: `${r.recordType} is not a personal record a citizen consents to (${type.consentClass})`,
      });
      return;
    }
    const known = type.schema.properties;
    const required = r.fields.required;
    const optional = r.fields.optional ?? [];
    const seen = new Set<string>();
    for (const [kind, list] of [
      ['required', required],
      ['optional', optional],
    ] as const) {
      list.forEach((field, j) => {
        if (!Object.hasOwn(known, field)) {
          issues.push({
            pointer: `${at}/fields/${kind}/${j}`,
            message: `${r.recordType} has no field ${field}`,
          });
        } else if (seen.has(field)) {
          issues.push({ pointer: `${at}/fields/${kind}/${j}`, message: `field ${field} listed twice` });
        }
        seen.add(field);
      });
    }
    if (seen.size === 0) issues.push({ pointer: `${at}/fields`, message: 'ask for at least one field' });
    fieldsRequested[r.recordType] = { required: [...new Set(required)], optional: [...new Set(optional)] };
  });

  const { bounds } = purpose;
  if (input.durationDays > bounds.maxConsentDays) {
    issues.push({
      pointer: '/durationDays',
      message: `at most ${bounds.maxConsentDays} days for purpose ${purpose.code}`,
    });
  }
  let usage: Usage;
  if (input.usage.fetch === 'once') {
    usage = { fetch: 'once', maxUses: 1 };
  } else if (input.usage.fetch === 'limited') {
    usage = { fetch: 'limited', maxUses: input.usage.maxUses };
    if (input.usage.maxUses > bounds.maxUses) {
      issues.push({
        pointer: '/usage/maxUses',
        message: `at most ${bounds.maxUses} uses for purpose ${purpose.code}`,
      });
    }
  } else {
    const { unit, value } = input.usage.frequency;
    const periods = Math.max(1, Math.ceil(input.durationDays / PERIOD_DAYS[unit]));
    usage = { fetch: 'periodic', frequency: { unit, value }, maxUses: periods * value };
    if (usage.maxUses > bounds.maxUses) {
      issues.push({
        pointer: '/usage/frequency',
        message: `${value} per ${unit} for ${input.durationDays} days is ${usage.maxUses} uses; purpose ${purpose.code} allows at most ${bounds.maxUses}`,
      });
    }
  }
  if (input.dataRange) {
    const span = daysBetween(input.dataRange.from, input.dataRange.to);
    if (!Number.isFinite(span) || span < 0) {
      issues.push({ pointer: '/dataRange', message: 'from must be a date on or before to' });
    } else if (span > bounds.maxDataRangeDays) {
      issues.push({
        pointer: '/dataRange',
        message: `at most ${bounds.maxDataRangeDays} days of records for purpose ${purpose.code}`,
      });
    }
  }

  if (requester.kind === 'clerk') {
    if (input.redirectUri)
      issues.push({ pointer: '/redirectUri', message: 'counter requests have no redirect' });
    if (input.webhookUrl)
      issues.push({ pointer: '/webhookUrl', message: 'counter requests have no webhook' });
  } else {
    if (input.redirectUri) {
      const registered = await ctx.repo.redirectUris(requester.clientId);
      if (registered.length) {
        if (!registered.includes(input.redirectUri))
          issues.push({ pointer: '/redirectUri', message: 'not registered for this client' });
      } else if (!ctx.deps.allowLoopbackHttp) {
        issues.push({ pointer: '/redirectUri', message: 'this client has no registered redirect URI' });
      } else {
        const problem = checkUri(input.redirectUri, true);
        if (problem) issues.push({ pointer: '/redirectUri', message: problem });
      }
    }
    if (input.webhookUrl) {
      const problem = checkUri(input.webhookUrl, ctx.deps.allowLoopbackHttp);
      if (problem) issues.push({ pointer: '/webhookUrl', message: problem });
    }
  }
  if (issues.length) throw new ValidationError('The consent request is not acceptable.', issues);
  return { organisation, purpose, subjectKey, fieldsRequested, usage };
}
