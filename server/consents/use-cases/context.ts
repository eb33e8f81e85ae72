/**
 * What every consent use case is given: its ports (repo, organisations, catalog, keys, limits …)
 * and the settings derived from them once. Each use case is a function `(ctx, input) → result`.
 */
import type { Catalog } from '../../catalog/catalog.types.js';
import { ForbiddenError, type AppError } from '../../errors.js';
import type { KeyStore } from '../../keys/key-store.js';
import type { RateLimiter } from '../../limits/rate-limiter.js';
import type { OrganisationsService } from '../../organisations/organisations.service.js';
import type { ProtectionsService } from '../../protections/protections.service.js';
import type { RepresentativesService } from '../../representatives/representatives.service.js';
import type { TokenContext } from '../consent-token.js';
import type { ConsentsRepo } from '../consents.repo.js';
import type { ConsentRecord } from '../consents.types.js';

export interface ConsentsDeps {
  repo: ConsentsRepo;
  organisations: Pick<OrganisationsService, 'assertEntitled' | 'getOrganisation' | 'getPurpose'>;
  catalog: Pick<Catalog, 'has' | 'get'>;
  keys: KeyStore;
  /** SUBJECT_PEPPER as UTF-8 bytes. */
  pepper: Uint8Array;
  /** Our external base URL: consent token `iss`, citizen links. */
  publicUrl: string;
  /** Outside production: loopback http redirect and webhook URIs are accepted. */
  allowLoopbackHttp: boolean;
  requestTtlSeconds: number;
  tokenTtlSeconds: number;
  /** Validity of attested and statutory counter records (single use). */
  counterValidityMinutes?: number;
  /** Counts consent requests against the budgets below (server/limits/, in PostgreSQL). */
  rateLimiter: RateLimiter;
  /** Per client (per agency at the counter) per minute; per named citizen per hour, whoever asks. */
  requestLimits: { perMinute: number; perSubjectPerHour: number };
  /** Protection orders: a barred requester's request is refused, audited, undisclosed. */
  protections?: Pick<ProtectionsService, 'refuseConsentRequestIfBarred'>;
  /** Representatives: who may decide for a named subject (server/representatives). */
  representation?: Pick<RepresentativesService, 'actingFor'>;
  now?: () => Date;
}

export interface ConsentsContext {
  deps: ConsentsDeps;
  repo: ConsentsRepo;
  clock: () => Date;
  tokenCtx: TokenContext;
  /** The public base URL without a trailing slash. */
  base: string;
}

export const DAY_MS = 86_400_000;

export const consentTokenAudience = (publicUrl: string) => `${publicUrl.replace(/\/$/, '')}/v1/queries`;

export function createConsentsContext(deps: ConsentsDeps): ConsentsContext {
  const base = deps.publicUrl.replace(/\/$/, '');
  return {
    deps,
    repo: deps.repo,
    clock: deps.now ?? (() => new Date()),
    tokenCtx: { keys: deps.keys, issuer: base, audience: consentTokenAudience(deps.publicUrl) },
    base,
  };
}

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Why a record that is not ACTIVE cannot be used (DESIGN §10 codes). */
export function statusError(record: ConsentRecord): AppError {
  switch (record.status) {
    case 'REVOKED':
      return new ForbiddenError('consent_revoked', 'The citizen revoked this consent.');
    case 'EXHAUSTED':
      return new ForbiddenError('consent_exhausted', 'Every use this consent allows has been made.');
    case 'PAUSED':
      return new ForbiddenError('forbidden', 'The citizen paused this consent.');
    case 'EXPIRED':
      return new ForbiddenError('forbidden', 'This consent has expired.');
    case 'REJECTED':
      return new ForbiddenError('forbidden', 'The citizen refused this request.');
    case 'REQUESTED':
      return new ForbiddenError('forbidden', 'The citizen has not decided on this request yet.');
    default:
      return new ForbiddenError('forbidden', 'This consent cannot be used now.');
  }
}
