/**
 * Access rules, declared per operation in openapi/gateway.yaml as `x-access`:
 *
 *   x-access: public                  # anyone, signed in or not
 *   x-access: [citizen]               # one or more roles
 *   x-access: [admin, auditor]
 *
 * Roles: citizen, clerk (agency staff), client (an institution's API client), auditor, admin.
 * The rule is enforced here, before request validation, for every API request: nobody → 401, the
 * wrong role → 403. An operation without a valid rule is refused (500) and fails the test suite
 * (test/api/auth/access-rules.test.ts), which also derives the authorization matrix from these rules.
 * Routes may still narrow further in code (e.g. a citizen sees only their own data).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { NON_API_PATHS } from '../app.js';
import { OPENAPI_DIR } from '../docs/docs.routes.js';
import { AppError, ForbiddenError, UnauthenticatedError } from '../errors.js';
import { principalOf, type Principal } from './principal.js';

export const ROLES = ['citizen', 'clerk', 'client', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type AccessRule = 'public' | readonly Role[];

export interface OperationAccess {
  method: string;
  /** OpenAPI path template, e.g. /v1/purposes/{code}. */
  path: string;
  operationId: string | undefined;
  /** Undefined when the operation declares no valid rule. */
  access: AccessRule | undefined;
  /** Why the declared rule is not valid, when it is not. */
  problem?: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function roleOf(principal: Principal): Role {
  return principal.kind === 'staff' ? principal.role : principal.kind;
}

function parseRule(value: unknown): { access?: AccessRule; problem?: string } {
  if (value === undefined) return { problem: 'no x-access rule' };
  if (value === 'public') return { access: 'public' };
  if (!Array.isArray(value) || value.length === 0) {
    return { problem: 'x-access must be "public" or a non-empty list of roles' };
  }
  const unknown = value.filter((role) => !ROLES.includes(role as Role));
  if (unknown.length) return { problem: `x-access names unknown roles: ${unknown.join(', ')}` };
  return { access: Object.freeze([...new Set(value as Role[])]) };
}

export function loadOperationAccess(specPath = join(OPENAPI_DIR, 'gateway.yaml')): OperationAccess[] {
  const spec = parse(readFileSync(specPath, 'utf8')) as {
    paths?: Record<string, Record<string, { operationId?: string; 'x-access'?: unknown }>>;
  };
  const operations: OperationAccess[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const { access, problem } = parseRule(operation['x-access']);
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        access,
        ...(problem ? { problem } : {}),
      });
    }
  }
  return operations;
}

/** Whether a caller (undefined: anonymous) may use an operation with this rule. */
export function decide(access: AccessRule, principal: Principal | undefined): 'allow' | 401 | 403 {
  if (access === 'public') return 'allow';
  if (!principal) return 401;
  return access.includes(roleOf(principal)) ? 'allow' : 403;
}

interface CompiledOperation extends OperationAccess {
  pattern: RegExp;
  params: number;
  literalLength: number;
}

function compile(operation: OperationAccess): CompiledOperation {
  const parts = operation.path.split(/(\{[^}]+\})/);
  let params = 0;
  let literalLength = 0;
  const source = parts
    .map((part) => {
      if (/^\{[^}]+\}$/.test(part)) {
        params++;
        return '([^/]+)';
      }
      literalLength += part.length;
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { ...operation, pattern: new RegExp(`^${source}$`), params, literalLength };
}

/** The operation a request addresses (literal paths before templated ones), if any. */
export function operationMatcher(operations: OperationAccess[]) {
  const compiled = operations
    .map(compile)
    .sort((a, b) => a.params - b.params || b.literalLength - a.literalLength);
  return (method: string, path: string): OperationAccess | undefined => {
    const wanted = method === 'HEAD' ? 'GET' : method;
    return compiled.find((op) => op.method === wanted && op.pattern.test(path));
  };
}

/** Enforces each operation's declared rule; requests outside the API contract pass through. */
export function createAccessControl(operations: OperationAccess[], logger?: Logger): RequestHandler {
  const match = operationMatcher(operations);
  return (req: Request, res: Response, next: NextFunction) => {
    if (NON_API_PATHS.test(req.path)) return next();
    const operation = match(req.method, req.path);
    if (!operation) return next(); // the contract validator answers 404 or 405
    if (!operation.access) {
      logger?.error(
        { operation: `${operation.method} ${operation.path}`, problem: operation.problem },
        'operation has no access rule',
      );
      return next(
        new AppError(500, 'internal', 'Internal error', {
          detail: 'This operation declares no access rule, so it is refused.',
        }),
      );
    }
    const decision = decide(operation.access, principalOf(res));
    if (decision === 401) return next(new UnauthenticatedError('Sign in or present an access token.'));
    if (decision === 403)
      return next(new ForbiddenError('forbidden', 'Your role may not use this operation.'));
    next();
  };
}
