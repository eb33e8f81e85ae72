// Test kit: a local JWKS server that counts its hits, and helpers that mint access tokens and
// DPoP proofs the way an issuer and a client would — or the way an attacker would.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { accessTokenHash } from '../../../server/auth/dpop.js';
import { UnauthenticatedError } from '../../../server/errors.js';

export interface JwksServer {
  url: string;
  hits: number;
  jwks: { keys: JWK[] };
  close(): Promise<void>;
}

export async function startJwksServer(jwks: { keys: JWK[] }): Promise<JwksServer> {
  const state = { hits: 0, jwks };
  const server: Server = createServer((_req, res) => {
    state.hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  return {
    url,
    get hits() {
      return state.hits;
    },
    get jwks() {
      return state.jwks;
    },
    set jwks(value) {
      state.jwks = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  } as JwksServer;
}

export interface SigningKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(alg: 'ES256' | 'EdDSA' | 'PS256', kid?: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const resolvedKid = kid ?? (await calculateJwkThumbprint(jwk));
  return {
    alg,
    kid: resolvedKid,
    privateKey,
    publicKey,
    publicJwk: { ...jwk, kid: resolvedKid, alg, use: 'sig' },
  };
}

export const ISSUER = 'https://as.example.test';
export const AUDIENCE = 'urn:joint-use-center:api';
export const API_URL = 'https://gateway.example.test/v1/queries';

export const nowSec = () => Math.floor(Date.now() / 1000);

export async function mintAccessToken(
  key: SigningKey,
  claims: JWTPayload = {},
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const t = nowSec();
  const payload: JWTPayload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'bank-hana',
    client_id: 'bank-hana',
    org: 'org-bank-hana',
    scope: 'records:query',
    jti: randomUUID(),
    iat: t,
    exp: t + 300,
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header } as JWTHeaderParameters)
    .sign(key.privateKey);
}

export interface DPoPKey {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

export async function newDPoPKey(): Promise<DPoPKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

export async function mintProof(
  key: DPoPKey,
  accessToken: string,
  claims: JWTPayload = {},
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const payload: JWTPayload = {
    jti: randomUUID(),
    htm: 'POST',
    htu: API_URL,
    iat: nowSec(),
    ath: accessTokenHash(accessToken),
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...header } as JWTHeaderParameters)
    .sign(key.privateKey);
}

export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export async function expectUnauthenticated(
  promise: Promise<unknown>,
  detail?: RegExp,
): Promise<UnauthenticatedError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected the verifier to refuse').to.be.instanceOf(UnauthenticatedError);
  const error = caught as UnauthenticatedError;
  expect(error.status).to.equal(401);
  if (detail) expect(error.detail).to.match(detail);
  return error;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
