/**
 * HTTP glue that makes the edge's refusals of a query audited like the use case's own (issue 17,
 * DESIGN invariant 5). The body parser, the input rule, the contract validator, the access layer and
 * the idempotency check refuse a query before the use case reads it; the use case's own refusals are
 * already written and marked. `record`, mounted once just before the problem handler, writes one
 * `denied` entry for each refusal still unmarked (audit-refusal.ts says what goes in it) and lets
 * the same error reach the problem handler, so the answer is the one it was. If the log cannot be
 * written the answer is 503 audit_unavailable instead: a refusal never leaves without its entry.
 *
 * A body the parser or the input rule refuses fails before authentication has run, so `identify`,
 * mounted right after them, authenticates such a query (the same middleware as every request) only
 * to learn who sent it; the refusal stays the answer whatever authentication says.
 *
 * Not audited, because no requester can be recorded: anonymous and unauthenticated calls (401), a
 * session request without its CSRF token (the cookie alone does not show the clerk sent it), a
 * cross-site request refused before its cookie is read, and anyone but a client or a clerk (403 from
 * the access layer). They are logged ("request refused") and metered like every answer.
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { CsrfError } from '../auth/csrf.js';
import { principalOf } from '../auth/principal.js';
import { toAppError } from '../http/problem.js';
import type { RefusalAudit } from './audit-refusal.js';

/** The query operations of openapi/gateway.yaml (runQuery; a procedure is a query's `procedure: true`). */
const QUERY_OPERATIONS: { method: string; path: RegExp }[] = [
  { method: 'POST', path: /^\/v1\/queries\/?$/i },
];

export const isQueryRequest = (req: Request) =>
  QUERY_OPERATIONS.some((op) => op.method === req.method && op.path.test(req.path));

export function queryRefusalSteps(deps: { refusals: RefusalAudit; authenticate: RequestHandler }): {
  identify: ErrorRequestHandler;
  record: ErrorRequestHandler;
} {
  const identify: ErrorRequestHandler = (err, req, res, next) => {
    if (!isQueryRequest(req) || principalOf(res)) return next(err);
    let done = false;
    const resume = (authError?: unknown) => {
      if (done) return;
      done = true;
      // A session that fails its CSRF check has not shown who sent the request.
      if (authError instanceof CsrfError) delete res.locals.principal;
      next(err);
    };
    try {
      void Promise.resolve(deps.authenticate(req, res, resume)).catch((authError: unknown) =>
        resume(authError ?? new Error('authentication failed')),
      );
    } catch (authError) {
      resume(authError);
    }
  };

  const record: ErrorRequestHandler = (err, req, res, next) => {
    if (!isQueryRequest(req) || err instanceof CsrfError || res.headersSent) return next(err);
    const error = toAppError(err);
    deps.refusals
      .refused(principalOf(res), req.body, error, { requestId: String(req.id), namesRecords: false })
      .then(
        () => next(err),
        (auditError: unknown) => next(auditError),
      );
  };

  return { identify, record };
}
