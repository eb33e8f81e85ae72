/**
 * Demo institutional API clients (one per demo bank) and the registration of demo clerks, for
 * development with the dev identity provider. Client keys are ES256 pairs derived from the client
 * id, so every machine gets the same demo keys without shipping private keys in the repository;
 * they are written to `<DEV_DATA_DIR>/demo-clients/<clientId>.jwk.json` so a developer or the
 * bench can act as the bank. Never used in production (seeding is refused there).
 */
import { createECDH, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { OrganisationsService } from '../organisations/organisations.service.js';
import { DEMO_CLERKS } from './demo-identities.js';

export interface DemoApiClient {
  clientId: string;
  org: string;
  name: string;
  dpopRequired: boolean;
}

export const DEMO_API_CLIENTS: readonly DemoApiClient[] = Object.freeze([
  {
    clientId: 'bank-hanbit-app',
    org: 'org-bank-hanbit',
    name: 'Hanbit Bank loan origination',
    dpopRequired: true,
  },
  {
    clientId: 'bank-saebom-app',
    org: 'org-bank-saebom',
    name: 'Saebom Bank account opening',
    dpopRequired: true,
  },
  { clientId: 'bank-gaon-app', org: 'org-bank-gaon', name: 'Gaon Bank mortgage desk', dpopRequired: true },
  // One bearer-token client, so both token kinds can be tried against a running gateway.
  { clientId: 'bank-nuri-app', org: 'org-bank-nuri', name: 'Nuri Bank legacy batch', dpopRequired: false },
]);

const KEY_DERIVATION_LABEL = 'joint-use-center demo API client key v1';
// P-256 group order: a derived scalar must be below it (fails with probability ~2^-32).
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** The demo client's private ES256 JWK (with kid, alg, use), the same on every machine. */
export async function demoClientPrivateJwk(clientId: string): Promise<JWK> {
  for (let counter = 0; ; counter++) {
    const d = createHmac('sha256', KEY_DERIVATION_LABEL).update(`${clientId}\0${counter}`).digest();
    const scalar = BigInt(`0x${d.toString('hex')}`);
    if (scalar === 0n || scalar >= P256_ORDER) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey(); // 0x04 || x || y
    const publicJwk: JWK = {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    };
    const kid = await calculateJwkThumbprint(publicJwk);
    return { ...publicJwk, d: d.toString('base64url'), kid, alg: 'ES256', use: 'sig' };
  }
}

export function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y, kid, alg, use } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, crv, x, y, kid, alg, use }).filter(([, v]) => v !== undefined),
  ) as JWK;
}

export function demoClientKeyFile(devDataDir: string, clientId: string): string {
  return join(devDataDir, 'demo-clients', `${clientId}.jwk.json`);
}

/** Writes each demo client's private JWK where the bench and developers find it (if missing). */
export async function writeDemoClientKeys(devDataDir: string): Promise<string[]> {
  const dir = join(devDataDir, 'demo-clients');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const client of DEMO_API_CLIENTS) {
    const file = demoClientKeyFile(devDataDir, client.clientId);
    if (existsSync(file)) continue;
    const jwk = await demoClientPrivateJwk(client.clientId);
    writeFileSync(
      file,
      `${JSON.stringify({ client_id: client.clientId, org: client.org, ...jwk }, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
    written.push(file);
  }
  return written;
}

export function readDemoClientKey(devDataDir: string, clientId: string): JWK {
  return JSON.parse(readFileSync(demoClientKeyFile(devDataDir, clientId), 'utf8')) as JWK;
}

async function ignoreConflict(work: () => Promise<unknown>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'conflict') return false;
    throw err;
  }
}

/**
 * Registers the demo bank clients (public keys only) and maps the demo clerks to the dev identity
 * provider's subjects. Idempotent.
 */
export async function seedDemoAccess(
  organisations: OrganisationsService,
  options: { idpIssuer: string | undefined },
): Promise<{ clients: number; clerks: number }> {
  const actor = { id: 'seed' };
  let clients = 0;
  let clerks = 0;
  for (const client of DEMO_API_CLIENTS) {
    const jwk = publicPart(await demoClientPrivateJwk(client.clientId));
    if (
      await ignoreConflict(() =>
        organisations.createClient(
          client.org,
          {
            id: client.clientId,
            name: client.name,
            jwks: { keys: [{ ...jwk }] },
            dpopRequired: client.dpopRequired,
          },
          actor,
        ),
      )
    ) {
      clients++;
    }
  }
  if (options.idpIssuer) {
    for (const clerk of DEMO_CLERKS) {
      if (
        await ignoreConflict(() =>
          organisations.createClerk(
            clerk.org!,
            { idpIssuer: options.idpIssuer!, idpSub: clerk.sub, name: clerk.name },
            actor,
          ),
        )
      ) {
        clerks++;
      }
    }
  }
  return { clients, clerks };
}
