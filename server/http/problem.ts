/**
 * The one place where failures become RFC 9457 problem+json. Library errors (body parser,
 * OpenAPI validator) are translated into the AppError hierarchy first, so every response carries
 * a stable `code` and the request id, and none carries a stack trace.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { isConnectionError } from '../db/db.js';
import type { Metrics } from './metrics.js';
import {
  AppError,
  InternalError,
  ServiceUnavailableError,
  type ErrorCode,
  type FieldIssue,
} from '../errors.js';
import { chooseLang } from '../web/i18n.js';
import { errorPageView, wantsErrorPage } from '../web/error-page.js';

export const PROBLEM_TYPE_BASE = 'https://joint-use-center.github.io/problems/';

interface LibraryError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
  errors?: { path?: string; message?: string; errorCode?: string }[];
  limit?: number;
  headers?: Record<string, string>;
}

function fromLibrary(err: LibraryError): AppError | undefined {
  const status = err.status ?? err.statusCode;
  if (err.type === 'entity.too.large' || status === 413) {
    return new AppError(413, 'payload_too_large', 'Request body too large', {
      detail: `The body exceeds the limit${err.limit ? ` of ${err.limit} bytes` : ''}.`,
    });
  }
  if (err.type === 'entity.parse.failed') {
    return new AppError(400, 'validation_failed', 'The request is not valid', {
      detail: 'The body is not well-formed JSON.',
    });
  }
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  const issues: FieldIssue[] | undefined = err.errors?.map((e) => ({
    pointer: toPointer(e.path ?? ''),
    message: e.message ?? 'invalid',
  }));
  const table: Record<number, [ErrorCode, string]> = {
    400: ['validation_failed', 'The request is not valid'],
    401: ['unauthenticated', 'Authentication required'],
    403: ['forbidden', 'Forbidden'],
    404: ['not_found', 'Not found'],
    405: ['method_not_allowed', 'Method not allowed'],
    415: ['unsupported_media_type', 'Unsupported media type'],
  };
  const [code, title] = table[status] ?? ['validation_failed', 'The request is not valid'];
  const detail =
    status === 404
      ? 'No such resource.'
      : status === 405
        ? 'This resource does not accept that method.'
        : status === 415
          ? 'Send application/json.'
          : (issues?.map((i) => `${i.pointer}: ${i.message}`).join('; ') ?? err.message ?? title);
  // RFC 9110 §15.5.6: a 405 names the methods the resource supports (the validator lists them).
  const allow = status === 405 ? err.headers?.Allow : undefined;
  return new AppError(status, code, title, {
    detail,
    ...(issues?.length && status === 400 ? { issues } : {}),
    ...(allow ? { headers: { Allow: allow } } : {}),
  });
}

/** express-openapi-validator reports `/body/field` or `.body.field`; callers get JSON pointers. */
function toPointer(path: string): string {
  if (path.startsWith('/')) return path;
  return '/' + path.replace(/^\./, '').replace(/\./g, '/');
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // The database is down or restarting (found by `npm run faults`): a retryable 503, not a 500.
  if (isConnectionError(err))
    return new ServiceUnavailableError('The database is unavailable. Try again shortly.');
  return fromLibrary((err ?? {}) as LibraryError) ?? new InternalError(err);
}

export function problemBody(error: AppError, requestId: string | undefined) {
  return {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
    code: error.code,
    ...(requestId ? { requestId } : {}),
    ...(error.issues?.length ? { errors: error.issues } : {}),
    ...(error.extensions ?? {}),
  };
}

export function sendProblem(res: Response, error: AppError, requestId: string | undefined): void {
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  res
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(error, requestId)));
}

export function problemHandler(logger: Logger, metrics?: Pick<Metrics, 'serverErrors'>) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const error = toAppError(err);
    if (error.status >= 500) {
      metrics?.serverErrors.inc({ code: error.code });
      const cause = err instanceof AppError ? (error.cause ?? err) : err;
      logger.error({ reqId: req.id, code: error.code, err: cause }, 'request failed');
    } else {
      logger.info({ reqId: req.id, code: error.code, status: error.status }, 'request refused');
    }
    // One mapping, two representations: a browser asking for a page gets the HTML error page.
    if (wantsErrorPage(req)) {
      for (const [name, value] of Object.entries(error.headers ?? {})) {
        if (name !== 'WWW-Authenticate') res.setHeader(name, value);
      }
      const lang = chooseLang(req, res);
      res.set('Cache-Control', 'no-store');
      res
        .status(error.status)
        .type('html')
        .send(
          errorPageView({
            lang,
            status: error.status,
            path: req.path,
            requestId: req.id ? String(req.id) : undefined,
          }),
        );
      return;
    }
    sendProblem(res, error, String(req.id));
  };
}
