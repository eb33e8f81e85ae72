/**
 * Who is calling. Authentication middleware (bearer tokens for clients, sessions for people) puts
 * one Principal in `res.locals.principal`; routes state which kinds they accept with
 * `requirePrincipal`, and services receive the principal as a plain argument.
 */
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';

export interface CitizenPrincipal {
  kind: 'citizen';
  /** Subject at the citizen identity provider. */
  sub: string;
  /** HMAC-SHA256(pepper, canonical national ID): how we key the citizen everywhere. */
  subjectKey: string;
  acr?: string;
  amr?: string[];
  authTime?: number;
  sessionId?: string;
}

export interface ClerkPrincipal {
  kind: 'clerk';
  sub: string;
  clerkId: string;
  orgId: string;
  name?: string;
  sessionId?: string;
}

export interface ClientPrincipal {
  kind: 'client';
  clientId: string;
  orgId: string;
  scope: string[];
  /** JWK thumbprint the access token is bound to (DPoP), when it is. */
  cnfJkt?: string;
}

export interface StaffPrincipal {
  kind: 'staff';
  sub: string;
  role: 'admin' | 'auditor';
  sessionId?: string;
}

export type Principal = CitizenPrincipal | ClerkPrincipal | ClientPrincipal | StaffPrincipal;
export type PrincipalKind = Principal['kind'];

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

/** Narrowing guard for routes: 401 when nobody is signed in, 403 when the wrong kind is. */
export function requirePrincipal(...kinds: PrincipalKind[]) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    if (!principal) return next(new UnauthenticatedError());
    if (!kinds.includes(principal.kind)) return next(new ForbiddenError());
    next();
  };
}

export function requireStaffRole(...roles: StaffPrincipal['role'][]) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    if (!principal) return next(new UnauthenticatedError());
    if (principal.kind !== 'staff' || !roles.includes(principal.role)) return next(new ForbiddenError());
    next();
  };
}

/** Typed access inside a route already guarded by requirePrincipal. */
export function principalAs<K extends PrincipalKind>(
  res: Response,
  kind: K,
): Extract<Principal, { kind: K }> {
  const principal = principalOf(res);
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind !== kind) throw new ForbiddenError();
  return principal as Extract<Principal, { kind: K }>;
}
