/**
 * Access rules, declared per operation in openapi/gateway.yaml in two standard places:
 *
 *   x-access: public | [roles]        # who: citizen, clerk, client, auditor, admin
 *   security:                          # how, and for a client's token which OAuth scopes
 *     - dpop: [records:query]          #   DPoP-bound token (RFC 9449)
 *     - bearer: [records:query]        #   bearer token, for clients registered without DPoP
 *     - session: []                    #   a person's session cookie
 *
 * Scopes live in the operation's security requirements rather than in `x-access` because that is
 * where OpenAPI defines them: every generic tool (documentation renderers, validating proxies, client
 * generators) then shows a bank which scope each operation needs, and the contract states one thing
 * once. The two token schemes are two ways of presenting the same token, so an operation a client may
 * call must list the same scope sets under both, and no operation a client may not call lists either.
 * Within one requirement every scope is needed; separate requirements are alternatives (OpenAPI's
 * semantics), which is how `GET /v1/me` accepts a token carrying any one of our scopes.
 *
 * Only clients are scope-limited. Citizens, clerks and staff authenticate by session, and what they
 * may do is their role (plus the routes' own narrowing, e.g. a citizen sees only their own data); an
 * OAuth scope is what a client's organisation delegated to one piece of software, which a person at
 * a counter or in the portal does not have. Public operations need no credential, hence no scope.
 *
 * Enforced here, before request validation, for every API request: nobody → 401, the wrong role →
 * 403 `forbidden`, a client token without the scope → 403 `insufficient_scope` with the RFC 6750 §3.1
 * challenge (RFC 9449 §7.1 for DPoP). An operation whose rule is not valid is refused (500) and fails
 * test/unit/auth/access-rules.test.ts; test/api/auth/access-matrix.test.ts checks every operation for
 * every kind of caller and scope set against a table written by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { NON_API_PATHS } from '../shared/paths.js';
import { OPENAPI_DIR } from '../docs/docs.routes.js';
import { AppError, ForbiddenError, UnauthenticatedError } from '../errors.js';
import { principalOf, type Principal } from './principal.js';

export const ROLES = ['citizen', 'clerk', 'client', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type AccessRule = 'public' | readonly Role[];

/** The OAuth scopes this API defines (the dev IdP offers the same; a test keeps them in step). */
export const SCOPES = ['records:query', 'consents:request', 'consents:read'] as const;
export type Scope = (typeof SCOPES)[number];

/** Security schemes through which a client presents its access token (the rest are sessions). */
export const TOKEN_SCHEMES = ['dpop', 'bearer'] as const;

export interface OperationAccess {
  method: string;
  /** OpenAPI path template, e.g. /v1/purposes/{code}. */
  path: string;
  operationId: string | undefined;
  /** Undefined when the operation declares no valid rule. */
  access: AccessRule | undefined;
  /** A client's token must hold every scope of at least one of these sets; empty when no client may call. */
  scopes: readonly (readonly Scope[])[];
  /** Why the declared rule is not valid, when it is not. */
  problem?: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function roleOf(principal: Principal): Role {
  return principal.kind === 'staff' ? principal.role : principal.kind;
}

function parseRoles(value: unknown): { access?: AccessRule; problem?: string } {
  if (value === undefined) return { problem: 'no x-access rule' };
  if (value === 'public') return { access: 'public' };
  if (!Array.isArray(value) || value.length === 0) {
    return { problem: 'x-access must be "public" or a non-empty list of roles' };
  }
  const unknown = value.filter((role) => !ROLES.includes(role as Role));
  if (unknown.length) return { problem: `x-access names unknown roles: ${unknown.join(', ')}` };
  return { access: Object.freeze([...new Set(value as Role[])]) };
}

const setKey = (scopes: readonly string[]) => [...scopes].sort().join(' ');

/** The scope sets of the token requirements in `security`, checked against who may call. */
function parseScopes(
  security: unknown,
  access: AccessRule,
): { scopes: (readonly Scope[])[]; problem?: string } {
  const requirements = Array.isArray(security) ? (security as unknown[]) : [];
  const bySchemes = new Map<string, Set<string>>(TOKEN_SCHEMES.map((s) => [s, new Set()]));
  const scopes: (readonly Scope[])[] = [];
  for (const requirement of requirements) {
    const entries = Object.entries((requirement ?? {}) as Record<string, unknown>);
    const tokens = entries.filter(([name]) => (TOKEN_SCHEMES as readonly string[]).includes(name));
    if (tokens.length === 0) continue;
    if (entries.length > 1) return { scopes: [], problem: 'a token scheme must be a requirement alone' };
    const [scheme, list] = tokens[0]!;
    if (!Array.isArray(list) || list.length === 0) {
      return { scopes: [], problem: `security requirement ${scheme} names no scope` };
    }
    const unknown = list.filter((s) => !SCOPES.includes(s as Scope));
    if (unknown.length)
      return { scopes: [], problem: `security names unknown scopes: ${unknown.join(', ')}` };
    const key = setKey(list as string[]);
    bySchemes.get(scheme)!.add(key);
    if (!scopes.some((known) => setKey(known) === key)) {
      scopes.push(Object.freeze([...new Set(list as Scope[])]));
    }
  }
  const clientMayCall = access !== 'public' && access.includes('client');
  if (!clientMayCall) {
    return scopes.length
      ? { scopes: [], problem: 'token schemes listed but x-access has no client' }
      : { scopes };
  }
  const [dpop, bearer] = TOKEN_SCHEMES.map((s) => [...bySchemes.get(s)!].sort().join(' | '));
  if (!dpop || dpop !== bearer) {
    return { scopes: [], problem: 'a client operation must list the same scopes under dpop and bearer' };
  }
  return { scopes };
}

function parseRule(operation: { 'x-access'?: unknown; security?: unknown }, rootSecurity: unknown) {
  const { access, problem } = parseRoles(operation['x-access']);
  if (!access) return { scopes: [], problem };
  const parsed = parseScopes(operation.security ?? rootSecurity, access);
  return parsed.problem ? { scopes: [], problem: parsed.problem } : { access, scopes: parsed.scopes };
}

export function loadOperationAccess(specPath = join(OPENAPI_DIR, 'gateway.yaml')): OperationAccess[] {
  const spec = parse(readFileSync(specPath, 'utf8')) as {
    security?: unknown;
    paths?: Record<
      string,
      Record<string, { operationId?: string; 'x-access'?: unknown; security?: unknown }>
    >;
  };
  const operations: OperationAccess[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const { access, scopes, problem } = parseRule(operation, spec.security);
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        access,
        scopes,
        ...(problem ? { problem } : {}),
      });
    }
  }
  return operations;
}

export type Decision = 'allow' | 401 | 403 | 'insufficient_scope';

/** Whether a caller (undefined: anonymous) may use an operation with this rule. */
export function decide(
  rule: Pick<OperationAccess, 'scopes'> & { access: AccessRule },
  principal: Principal | undefined,
): Decision {
  if (rule.access === 'public') return 'allow';
  if (!principal) return 401;
  if (!rule.access.includes(roleOf(principal))) return 403;
  if (principal.kind !== 'client') return 'allow';
  const held = new Set(principal.scope);
  return rule.scopes.some((set) => set.every((scope) => held.has(scope))) ? 'allow' : 'insufficient_scope';
}

/**
 * 403 with the RFC 6750 §3.1 challenge, in the scheme the token was presented with (RFC 9449 §7.1).
 * The challenge's `scope` holds one scope set, so it names the operation's first alternative (the
 * one a client would normally ask for); the problem body lists them all.
 */
export function insufficientScope(scopes: readonly (readonly Scope[])[], dpop: boolean): AppError {
  const needed = scopes.map((set) => set.join(' '));
  const challenge = `${dpop ? 'DPoP' : 'Bearer'} error="insufficient_scope", scope="${needed[0] ?? ''}"`;
  return new AppError(403, 'insufficient_scope', 'Insufficient scope', {
    detail:
      needed.length === 1
        ? `The access token lacks the scope this operation needs: ${needed[0]}.`
        : `The access token needs one of these scopes: ${needed.join(', ')}.`,
    extensions: { requiredScopes: needed },
    headers: { 'WWW-Authenticate': challenge },
  });
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
    const principal = principalOf(res);
    const decision = decide({ access: operation.access, scopes: operation.scopes }, principal);
    if (decision === 401) return next(new UnauthenticatedError('Sign in or present an access token.'));
    if (decision === 403)
      return next(new ForbiddenError('forbidden', 'Your role may not use this operation.'));
    if (decision === 'insufficient_scope') {
      const dpop = principal?.kind === 'client' && principal.cnfJkt !== undefined;
      return next(insufficientScope(operation.scopes, dpop));
    }
    next();
  };
}
