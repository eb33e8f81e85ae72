/**
 * The gateway as an OpenID Connect relying party (openid-client): authorization code + PKCE +
 * state + nonce, the ID token's claims mapped to one of our principals, and a server-side session.
 * Works with any standard provider by configuration; the dev identity provider is one of them.
 */
import type { Logger } from 'pino';
import * as oidc from 'openid-client';
import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from '../errors.js';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import type { Principal } from './principal.js';
import type { LoginKind, SessionsRepo } from './sessions.repo.js';
import { citizenSubjectKey } from './subject.js';
import { IdentifierInvalidError } from '../errors.js';

export interface RelyingPartyConfig {
  issuer: string;
  clientId: string;
  clientAuth: oidc.ClientAuth;
  /** Plain-http discovery and endpoints; only for loopback providers in development and tests. */
  allowInsecureRequests: boolean;
}

export const LOGIN_KINDS: readonly LoginKind[] = ['citizen', 'clerk', 'staff'];

/** Claims asked for per kind: a clerk or staff sign-in never asks for a national ID. */
const SCOPES: Record<LoginKind, string> = {
  citizen: 'openid profile national_id',
  clerk: 'openid profile organisation',
  staff: 'openid profile organisation',
};

const MAX_RETURN_TO = 512;

/**
 * Only same-origin absolute paths: `/x` but not `//host`, `/\host`, `https://...` or anything with
 * control characters, so the callback can never be turned into an open redirect.
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_TO) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  try {
    const url = new URL(value, 'http://gateway.invalid');
    if (url.origin !== 'http://gateway.invalid') return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}

export interface LoginServiceDeps {
  rp: RelyingPartyConfig | undefined;
  sessions: SessionsRepo;
  organisations: OrganisationsService;
  subjectPepper: string;
  logger: Logger;
}

export interface CallbackResult {
  token: string;
  returnTo: string;
  principal: Principal;
}

function claimString(claims: oidc.IDToken, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function createLoginService(deps: LoginServiceDeps) {
  const { rp, sessions, organisations, logger } = deps;
  let discovered: Promise<oidc.Configuration> | undefined;

  function configuration(): Promise<oidc.Configuration> {
    if (!rp) {
      return Promise.reject(new ServiceUnavailableError('No identity provider is configured for sign-in.'));
    }
    discovered ??= oidc
      .discovery(new URL(rp.issuer), rp.clientId, undefined, rp.clientAuth, {
        ...(rp.allowInsecureRequests ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: 10,
      })
      .catch((err: unknown) => {
        discovered = undefined; // try again on the next sign-in
        logger.error({ err, issuer: rp.issuer }, 'OpenID provider discovery failed');
        throw new ServiceUnavailableError('The identity provider cannot be reached; try again shortly.');
      });
    return discovered;
  }

  async function principalFor(kind: LoginKind, claims: oidc.IDToken, issuer: string): Promise<Principal> {
    const role = claimString(claims, 'role');
    const sub = claims.sub;
    switch (kind) {
      case 'citizen': {
        const nationalId = claimString(claims, 'national_id');
        if (!nationalId) throw new ForbiddenError('forbidden', 'This account is not a citizen account.');
        let subjectKey: string;
        try {
          subjectKey = citizenSubjectKey(deps.subjectPepper, nationalId);
        } catch (err) {
          if (err instanceof IdentifierInvalidError) {
            throw new ForbiddenError('forbidden', 'The identity provider sent an invalid national ID.');
          }
          throw err;
        }
        return {
          kind: 'citizen',
          sub,
          subjectKey,
          ...(typeof claims.acr === 'string' ? { acr: claims.acr } : {}),
          ...(Array.isArray(claims.amr) ? { amr: claims.amr.filter((a) => typeof a === 'string') } : {}),
          ...(typeof claims.auth_time === 'number' ? { authTime: claims.auth_time } : {}),
        };
      }
      case 'clerk': {
        if (role !== 'clerk') throw new ForbiddenError('forbidden', 'This account is not a clerk account.');
        const found = await organisations.activeClerk(issuer, sub);
        const org = claimString(claims, 'org');
        if (!found || (org !== undefined && org !== found.organisation.id)) {
          throw new ForbiddenError(
            'forbidden',
            'This account is not registered as an active clerk of an active agency.',
          );
        }
        return {
          kind: 'clerk',
          sub,
          clerkId: found.clerk.id,
          orgId: found.organisation.id,
          name: found.clerk.name,
        };
      }
      case 'staff': {
        if (role !== 'admin' && role !== 'auditor') {
          throw new ForbiddenError('forbidden', 'This account has no operator role.');
        }
        return { kind: 'staff', sub, role };
      }
    }
  }

  return {
    enabled: rp !== undefined,

    /** Starts a sign-in: the provider URL to redirect to and the browser-binding cookie value. */
    async begin(kind: LoginKind, returnTo: string, redirectUri: string) {
      const config = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const binding = await sessions.savePendingLogin({
        state,
        nonce,
        codeVerifier,
        kind,
        returnTo,
        redirectUri,
      });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: SCOPES[kind],
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, binding };
    },

    /** Finishes a sign-in from the callback's query; the pending login is consumed either way. */
    async complete(binding: string | undefined, query: URLSearchParams): Promise<CallbackResult> {
      const pending = binding ? await sessions.takePendingLogin(binding) : undefined;
      if (!pending) {
        throw new UnauthenticatedError(
          'This sign-in has expired or was started in another browser; sign in again.',
        );
      }
      const config = await configuration();
      const currentUrl = new URL(pending.redirectUri);
      currentUrl.search = query.toString();
      let tokens;
      try {
        tokens = await oidc.authorizationCodeGrant(
          config,
          currentUrl,
          {
            pkceCodeVerifier: pending.codeVerifier,
            expectedState: pending.state,
            expectedNonce: pending.nonce,
            idTokenExpected: true,
          },
          { redirect_uri: pending.redirectUri },
        );
      } catch (err) {
        logger.warn(
          { err: { name: (err as Error).name, message: (err as Error).message } },
          'sign-in refused',
        );
        if (err instanceof oidc.AuthorizationResponseError) {
          throw new UnauthenticatedError('The identity provider did not sign you in.');
        }
        throw new UnauthenticatedError('The sign-in response could not be verified; sign in again.');
      }
      const claims = tokens.claims();
      if (!claims) throw new UnauthenticatedError('The identity provider sent no ID token.');
      const issuer = config.serverMetadata().issuer;
      const principal = await principalFor(pending.kind, claims, issuer);
      const { token, session } = await sessions.create(principal, issuer);
      return {
        token,
        returnTo: pending.returnTo,
        principal: { ...principal, sessionId: session.idHash } as Principal,
      };
    },

    /** RP-initiated logout at the provider, when it supports it. */
    async endSessionUrl(postLogoutRedirectUri: string): Promise<URL | undefined> {
      if (!rp) return undefined;
      const config = await configuration().catch(() => undefined);
      if (!config?.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(config, {
        client_id: rp.clientId,
        post_logout_redirect_uri: postLogoutRedirectUri,
      });
    },
  };
}

export type LoginService = ReturnType<typeof createLoginService>;
