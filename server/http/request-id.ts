import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

// A caller's id is kept only if it is short and plain, so it cannot inject into logs or headers.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId() {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && ACCEPTABLE.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    next();
  };
}
