/**
 * pino JSON logs. Tokens, cookies, DPoP proofs and national ID numbers must never reach a log
 * line: headers are redacted by path, URLs lose their query strings, and known identifier keys
 * anywhere in a logged object are censored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger, type DestinationStream } from 'pino';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';

const SENSITIVE_KEYS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'consentToken',
  'idToken',
  'nationalId',
  'national_id',
  'residentRegistrationNumber',
  'identifier',
  'subjectId',
];

// pino's wildcards match one level, so each key is listed at the depths our log objects use.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'req.headers["x-consent-token"]',
  'res.headers["set-cookie"]',
  'subject.id',
  '*.subject.id',
  ...SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'joint-use-center' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * A line per request, except for the answered verification query (POST /v1/queries): its audit
 * entry already records who asked what, when, and the outcome, under the same request id, and a
 * second line per query costs the hot path its serialisation and write (issue 18). Its refusals and
 * failures are still logged, by the problem handler ("request refused" / "request failed").
 */
const LOGGED_BY_AUDIT = /^\/v1\/queries\/?$/i;

export function httpLogger(logger: Logger): RequestHandler {
  const lines = pinoHttp({
    logger,
    // The request id middleware has already chosen the id.
    genReqId: (req) => (req as IncomingMessage & { id: string }).id,
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    // Errors are logged once by the problem handler with their stack; pino-http only notes the outcome.
    customErrorMessage: (req, res) => `${req.method} ${pathOnly(req.url)} ${res.statusCode}`,
    customSuccessMessage: (req, res) => `${req.method} ${pathOnly(req.url)} ${res.statusCode}`,
    serializers: {
      req: (req: IncomingMessage & { id?: string; raw?: IncomingMessage }) => ({
        id: req.id,
        method: req.method,
        url: pathOnly(req.url),
        remoteAddress: req.socket?.remoteAddress,
        userAgent: req.headers?.['user-agent'],
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: () => undefined,
    },
    wrapSerializers: false,
  });
  // Not even a child logger per request for those (nothing reads req.log): 3 % of a query's CPU.
  return (req, res, next) => {
    if (req.method === 'POST' && LOGGED_BY_AUDIT.test(pathOnly(req.url))) return next();
    lines(req, res, next);
  };
}
