/**
 * HEAD is GET without the content (RFC 9110 §9.3.2), and a general-purpose server must support it.
 * Express routes HEAD to GET handlers and the access layer applies GET's rule, but the contract
 * validator only knows the methods the contract lists and answered 405. It checks a HEAD request as
 * the GET it stands for; Node's response, created for a HEAD request, still sends no content.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';

const WAS_HEAD = Symbol('HEAD request checked as GET');

type Marked = { [WAS_HEAD]?: true };

export function validatedAsGet(
  validator: RequestHandler | RequestHandler[],
): (RequestHandler | ErrorRequestHandler)[] {
  const restore = (req: { method: string } & Marked) => {
    if (req[WAS_HEAD]) req.method = 'HEAD';
  };
  return [
    ((req, _res, next) => {
      if (req.method === 'HEAD') {
        req.method = 'GET';
        (req as Marked)[WAS_HEAD] = true;
      }
      next();
    }) satisfies RequestHandler,
    ...[validator].flat(),
    ((req, _res, next) => {
      restore(req);
      next();
    }) satisfies RequestHandler,
    ((err, req, _res, next) => {
      restore(req);
      next(err);
    }) satisfies ErrorRequestHandler,
  ];
}
