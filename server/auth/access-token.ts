/**
 * Resource-server verification of RFC 9068 JWT access tokens, optionally DPoP-bound (RFC 9449).
 * DESIGN §7: issuers and their keys come from configuration only, algorithms are a fixed
 * allow-list, and time claims get at most 60 s of skew.
 */
import {
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type FetchImplementation,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { UnauthenticatedError } from '../errors.js';
import { assertAlgorithms, DEFAULT_ALGORITHMS } from './algorithms.js';
import { createDPoPVerifier } from './dpop.js';
import { createRemoteKeySet, createStaticKeySet } from './jwks.js';
import type { ReplayStore } from './replay-store.js';

export interface TrustedIssuer {
  /** Exact `iss` value. */
  issuer: string;
  jwksUri?: string;
  jwks?: unknown;
  /** This API's identifier(s); the token's `aud` must contain one of them. */
  audience: string | string[];
}

export interface AccessTokenVerifierOptions {
  issuers: TrustedIssuer[];
  algorithms?: readonly string[];
  clockToleranceSec?: number;
  /** Minimum time between two JWKS fetches triggered by an unknown kid. */
  jwksCooldownMs?: number;
  jwksCacheMaxAgeMs?: number;
  jwksTimeoutMs?: number;
  fetch?: FetchImplementation;
  dpop: { replayStore: ReplayStore; maxAgeSec?: number };
  now?: () => number;
}

export interface VerifyRequest {
  /** The Authorization header: `Bearer <token>` or `DPoP <token>`. */
  authorization: string | undefined;
  dpop?: string | readonly string[] | undefined;
  method: string;
  /** Absolute external URL of the request (scheme, host, path). */
  url: string;
  /** The client must present a DPoP-bound token (from its registration). */
  requireDPoP?: boolean;
  /**
   * Called once the token itself is verified and before any DPoP proof is checked (so a refused
   * client burns no proof id): look the client up, throw to refuse it, and say whether its
   * registration requires DPoP (overrides `requireDPoP`).
   */
  checkClient?: (token: { clientId: string; org: string | undefined }) => Promise<{ requireDPoP: boolean }>;
  /** Where this request's DPoP proof id is claimed, instead of the verifier's replay store. */
  replayStore?: ReplayStore | undefined;
}

export interface VerifiedAccessToken {
  issuer: string;
  sub: string;
  clientId: string;
  org: string | undefined;
  scope: string[];
  /** Thumbprint of the key the token is bound to, when DPoP-bound. */
  cnfJkt: string | undefined;
  tokenId: string;
  expiresAt: Date;
}

export interface AccessTokenVerifier {
  verify(request: VerifyRequest): Promise<VerifiedAccessToken>;
}

const MAX_SKEW_SEC = 60;
const VERIFIED_CACHE_MS = 60_000;
const VERIFIED_CACHE_SIZE = 10_000;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'];

function fail(detail: string): never {
  throw new UnauthenticatedError(detail);
}

function parseAuthorization(header: string | undefined): { scheme: 'bearer' | 'dpop'; token: string } {
  if (!header) fail('An access token is required.');
  const match = /^(Bearer|DPoP) +(\S+)$/i.exec(header.trim());
  if (!match || !TOKEN68.test(match[2]!))
    fail('The Authorization header must be "Bearer <token>" or "DPoP <token>".');
  return { scheme: match[1]!.toLowerCase() as 'bearer' | 'dpop', token: match[2]! };
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The access token has expired.';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return 'The access token is not valid yet.';
      case 'iss':
        return 'The access token was not issued by a trusted issuer.';
      case 'aud':
        return 'The access token is not meant for this API.';
      case 'typ':
        return 'The token is not an access token (typ must be at+jwt).';
      default:
        return err.reason === 'missing'
          ? 'The access token lacks a required claim.'
          : 'The access token has an invalid claim.';
    }
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return 'The access token is signed with an algorithm we do not accept.';
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return 'The access token is signed with a key the issuer does not publish.';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'The access token signature is not valid.';
  if (
    err instanceof joseErrors.JWSInvalid ||
    err instanceof joseErrors.JWTInvalid ||
    err instanceof joseErrors.JOSENotSupported ||
    err instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return 'The access token is malformed.';
  }
  // What is left is the key fetch failing (network, timeout, non-200, bad JWKS): not the
  // caller's fault, and not worth telling them more about our upstream.
  return "The issuer's signing keys are unavailable; try again later.";
}

function stringClaim(payload: JWTPayload, name: string, required: boolean): string | undefined {
  const value = payload[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0) fail(`The access token claim "${name}" is invalid.`);
  return value;
}

function confirmationJkt(payload: JWTPayload): string | undefined {
  const cnf = payload.cnf;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf))
    fail('The access token claim "cnf" is invalid.');
  const { jkt, ...other } = cnf as Record<string, unknown>;
  // A token bound to something we cannot check (e.g. an mTLS certificate) must not pass as bearer.
  if (Object.keys(other).length > 0)
    fail('The access token is bound to a proof method this API does not support.');
  if (typeof jkt !== 'string' || jkt.length === 0) fail('The access token claim "cnf" is invalid.');
  return jkt;
}

interface IssuerEntry {
  issuer: string;
  audience: string[];
  keys: JWTVerifyGetKey;
}

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const algorithms = assertAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS);
  const clockToleranceSec = options.clockToleranceSec ?? MAX_SKEW_SEC;
  if (!(clockToleranceSec >= 0 && clockToleranceSec <= MAX_SKEW_SEC)) {
    throw new Error(`clockToleranceSec must be between 0 and ${MAX_SKEW_SEC}.`);
  }
  if (options.issuers.length === 0) throw new Error('At least one trusted issuer is required.');
  const now = options.now ?? Date.now;

  const issuers = new Map<string, IssuerEntry>();
  for (const trusted of options.issuers) {
    if (issuers.has(trusted.issuer)) throw new Error(`Issuer ${trusted.issuer} is configured twice.`);
    if ((trusted.jwksUri === undefined) === (trusted.jwks === undefined)) {
      throw new Error(`Issuer ${trusted.issuer} needs exactly one of jwksUri or jwks.`);
    }
    const audience = Array.isArray(trusted.audience) ? trusted.audience : [trusted.audience];
    if (audience.length === 0) throw new Error(`Issuer ${trusted.issuer} needs an audience.`);
    const keys =
      trusted.jwksUri !== undefined
        ? createRemoteKeySet(trusted.jwksUri, {
            cooldownMs: options.jwksCooldownMs ?? 30_000,
            cacheMaxAgeMs: options.jwksCacheMaxAgeMs ?? 600_000,
            timeoutMs: options.jwksTimeoutMs ?? 5_000,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          })
        : createStaticKeySet(trusted.jwks);
    issuers.set(trusted.issuer, { issuer: trusted.issuer, audience, keys });
  }

  const verifyDPoP = createDPoPVerifier({
    algorithms,
    clockToleranceSec,
    maxAgeSec: options.dpop.maxAgeSec ?? 60,
    replayStore: options.dpop.replayStore,
    now,
  });

  // Verified tokens, by their exact text, for at most VERIFIED_CACHE_MS and never past exp (+ skew):
  // a client sends the same access token with every request, and its signature cannot change. Stale
  // keys are bounded the same way the JWKS cache already bounds them. Cleared when it grows too big.
  const verified = new Map<string, { entry: IssuerEntry; payload: JWTPayload; at: number; until: number }>();

  async function verifyToken(token: string): Promise<{ entry: IssuerEntry; payload: JWTPayload }> {
    const t = now();
    const hit = verified.get(token);
    if (hit && t >= hit.at && t < hit.until) return hit;
    const result = await verifySignedToken(token);
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
    const exp = typeof result.payload.exp === 'number' ? result.payload.exp : 0;
    verified.set(token, {
      ...result,
      at: t,
      until: Math.min(t + VERIFIED_CACHE_MS, (exp + clockToleranceSec) * 1000),
    });
    return result;
  }

  async function verifySignedToken(token: string): Promise<{ entry: IssuerEntry; payload: JWTPayload }> {
    // Cheap, unauthenticated pre-checks decide which configured issuer to ask, so a forged
    // header or unknown issuer never causes a key fetch.
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch {
      fail('The access token is malformed.');
    }
    if (typeof alg !== 'string' || !algorithms.includes(alg)) {
      fail('The access token is signed with an algorithm we do not accept.');
    }
    const entry = typeof iss === 'string' ? issuers.get(iss) : undefined;
    if (!entry) fail('The access token was not issued by a trusted issuer.');

    try {
      const { payload } = await jwtVerify(token, entry.keys, {
        issuer: entry.issuer,
        audience: entry.audience,
        algorithms: [...algorithms],
        typ: 'at+jwt', // jose also accepts application/at+jwt
        clockTolerance: clockToleranceSec,
        requiredClaims: REQUIRED_CLAIMS,
        currentDate: new Date(now()),
      });
      return { entry, payload };
    } catch (err) {
      fail(describeJoseError(err));
    }
  }

  return {
    async verify(request) {
      const { scheme, token } = parseAuthorization(request.authorization);
      const { entry, payload } = await verifyToken(token);

      const sub = stringClaim(payload, 'sub', true)!;
      const clientId = stringClaim(payload, 'client_id', true)!;
      const tokenId = stringClaim(payload, 'jti', true)!;
      const org = stringClaim(payload, 'org', false);
      const scope = stringClaim(payload, 'scope', false)?.split(' ').filter(Boolean) ?? [];
      const cnfJkt = confirmationJkt(payload);
      const requireDPoP = request.checkClient
        ? (await request.checkClient({ clientId, org })).requireDPoP
        : request.requireDPoP;

      if (cnfJkt === undefined) {
        if (requireDPoP) fail('This client must use a DPoP-bound access token.');
        if (scheme === 'dpop') fail('The DPoP scheme requires a DPoP-bound access token.');
      } else {
        if (scheme !== 'dpop') fail('A DPoP-bound access token must be sent with the DPoP scheme.');
        await verifyDPoP({
          proof: request.dpop,
          method: request.method,
          url: request.url,
          accessToken: token,
          expectedJkt: cnfJkt,
          replayStore: request.replayStore,
        });
      }

      return {
        issuer: entry.issuer,
        sub,
        clientId,
        org,
        scope,
        cnfJkt,
        tokenId,
        expiresAt: new Date((payload.exp ?? 0) * 1000),
      };
    },
  };
}
