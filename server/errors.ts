/**
 * One typed hierarchy for every failure a caller may see. Each class carries the stable `code`
 * of DESIGN §10; `server/http/problem.ts` maps them once to RFC 9457 problem+json.
 */

export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'insufficient_scope'
  | 'consent_required'
  | 'consent_invalid'
  | 'consent_revoked'
  | 'consent_exhausted'
  | 'separate_consent_required'
  | 'subject_mismatch'
  | 'purpose_not_allowed'
  | 'record_type_unknown'
  | 'identifier_invalid'
  | 'provider_unavailable'
  | 'provider_timeout'
  | 'audit_unavailable'
  | 'rate_limited'
  | 'cross_site_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'header_too_large'
  | 'uri_too_long'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'conflict'
  | 'service_unavailable'
  | 'internal';

/** One offending input: a JSON pointer into the request and what is wrong with it. */
export interface FieldIssue {
  pointer: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  issues?: FieldIssue[];
  /** Extra members for the problem body (must never hold secrets or national IDs). */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly title: string;
  readonly detail: string | undefined;
  readonly issues: FieldIssue[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, code: ErrorCode, title: string, options: AppErrorOptions = {}) {
    super(options.detail ?? title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = options.detail;
    this.issues = options.issues;
    this.extensions = options.extensions;
    this.headers = options.headers;
  }
}

export class ValidationError extends AppError {
  constructor(detail: string, issues?: FieldIssue[]) {
    super(400, 'validation_failed', 'The request is not valid', { detail, ...(issues ? { issues } : {}) });
  }
}

export class IdentifierInvalidError extends AppError {
  readonly scheme: string;
  constructor(scheme: string, detail: string, pointer?: string) {
    super(400, 'identifier_invalid', 'The identifier is not valid for its scheme', {
      detail,
      extensions: { scheme },
      ...(pointer ? { issues: [{ pointer, message: detail }] } : {}),
    });
    this.scheme = scheme;
  }
}

export class UnauthenticatedError extends AppError {
  constructor(detail = 'Valid credentials are required.') {
    super(401, 'unauthenticated', 'Authentication required', {
      detail,
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
}

export class ForbiddenError extends AppError {
  constructor(
    code: ErrorCode = 'forbidden',
    detail = 'You may not do this.',
    extensions?: Record<string, unknown>,
  ) {
    super(403, code, 'Forbidden', { detail, ...(extensions ? { extensions } : {}) });
  }
}

/**
 * A refusal whose reason must not reach the requester (a protection order): it answers the plain
 * `forbidden` any unexplained refusal gives, while the audit log records `auditReason`.
 */
export class UndisclosedRefusalError extends ForbiddenError {
  readonly auditReason: string;
  constructor(auditReason: string) {
    super();
    this.auditReason = auditReason;
  }
}

/** The reason code an audit entry records for a refusal. */
export function auditReasonOf(error: AppError): string {
  return error instanceof UndisclosedRefusalError ? error.auditReason : error.code;
}

export class NotFoundError extends AppError {
  constructor(detail = 'No such resource.') {
    super(404, 'not_found', 'Not found', { detail });
  }
}

export class RecordTypeUnknownError extends AppError {
  constructor(recordType: string) {
    super(404, 'record_type_unknown', 'Unknown record type', {
      detail: `There is no record type "${recordType}" in the catalog.`,
      extensions: { recordType },
    });
  }
}

export class ConflictError extends AppError {
  constructor(detail: string) {
    super(409, 'conflict', 'Conflict', { detail });
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate_limited', 'Too many requests', {
      detail: `Try again in ${retryAfterSeconds} s.`,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

export type ProviderFailure = 'unavailable' | 'timeout' | 'bad_response';

export class ProviderError extends AppError {
  readonly provider: string;
  readonly failure: ProviderFailure;
  constructor(provider: string, failure: ProviderFailure, detail: string, cause?: unknown) {
    const timeout = failure === 'timeout';
    super(
      timeout ? 504 : 502,
      timeout ? 'provider_timeout' : 'provider_unavailable',
      timeout ? 'The registry did not answer in time' : 'The registry could not be read',
      { detail, extensions: { provider, failure }, cause },
    );
    this.provider = provider;
    this.failure = failure;
  }
}

export class AuditUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super(503, 'audit_unavailable', 'The audit log cannot be written', {
      detail: 'No data was released because the access could not be recorded. Try again shortly.',
      headers: { 'Retry-After': '5' },
      cause,
    });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail: string) {
    super(503, 'service_unavailable', 'Service unavailable', { detail, headers: { 'Retry-After': '5' } });
  }
}

export class InternalError extends AppError {
  constructor(cause?: unknown) {
    super(500, 'internal', 'Internal error', { detail: 'Something went wrong on our side.', cause });
  }
}
