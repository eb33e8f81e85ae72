/**
 * Our key for authenticating to registries (signed request JWTs, openapi/provider.yaml). Kept
 * apart from the other signing keys: a registry trusts this key only to read records.
 * `<keyStoreDir>/provider-request/<kid>.json` in the key store's file format; generated outside
 * production, required in production. A holder configured with its own key (HOLDERS `ownKey`) has
 * its key in `<keyStoreDir>/provider-request/<holder>/`, so each agency trusts a key no other
 * agency's link uses and one can be rotated or revoked without touching the others.
 * Registries get its public key out of band (the standalone registry reads this folder); it is not
 * published in /.well-known/jwks.json, which lists only keys that citizens and requesters verify.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

export const PROVIDER_KEY_PURPOSE = 'provider-request';

export interface RequestSigningKey {
  kid: string;
  alg: 'ES256';
  privateKey: KeyObject;
  /** Public JWK with kid, alg and use. */
  jwk: JWK;
}

interface KeyFile {
  kid: string;
  purpose: typeof PROVIDER_KEY_PURPOSE;
  alg: 'ES256';
  createdAt: string;
  retiredAt?: string;
  privateJwk: JWK;
}

function publicJwk(privateJwk: JWK, kid: string): JWK {
  return {
    kty: privateJwk.kty!,
    crv: privateJwk.crv!,
    x: privateJwk.x!,
    y: privateJwk.y!,
    kid,
    alg: 'ES256',
    use: 'sig',
  };
}

function toKey(file: KeyFile): RequestSigningKey {
  const privateKey = createPrivateKey({ key: file.privateJwk as never, format: 'jwk' });
  return { kid: file.kid, alg: 'ES256', privateKey, jwk: publicJwk(file.privateJwk, file.kid) };
}

async function newKeyFile(now: Date): Promise<KeyFile> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk(privateJwk, ''));
  return { kid, purpose: PROVIDER_KEY_PURPOSE, alg: 'ES256', createdAt: now.toISOString(), privateJwk };
}

/** A key that lives only in memory (tests, throwaway registries). */
export async function generateRequestSigningKey(): Promise<RequestSigningKey> {
  return toKey(await newKeyFile(new Date()));
}

function readKeyFiles(dir: string): KeyFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as KeyFile)
    .filter((k) => k.purpose === PROVIDER_KEY_PURPOSE && k.alg === 'ES256')
    .sort(
      (a, b) =>
        Number(Boolean(a.retiredAt)) - Number(Boolean(b.retiredAt)) || b.createdAt.localeCompare(a.createdAt),
    );
}

/** The folder of the shared key, or of one holder's own key. */
export function providerKeyDir(keyStoreDir: string, holder?: string): string {
  return holder ? join(keyStoreDir, PROVIDER_KEY_PURPOSE, holder) : join(keyStoreDir, PROVIDER_KEY_PURPOSE);
}

export async function loadProviderSigningKey(options: {
  keyStoreDir: string;
  allowGenerate: boolean;
  /** The holder whose own key to load; the shared key when absent. */
  holder?: string;
}): Promise<RequestSigningKey> {
  const dir = providerKeyDir(options.keyStoreDir, options.holder);
  const active = readKeyFiles(dir).find((k) => !k.retiredAt);
  if (active) return toKey(active);
  if (!options.allowGenerate) {
    throw new Error(
      `No active ${PROVIDER_KEY_PURPOSE} key in ${dir}; production never generates keys: install one first.`,
    );
  }
  const file = await newKeyFile(new Date());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${file.kid}.json`);
  writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return toKey(file);
}

/** Public JWKs of every provider-request key in a key store folder (for a registry run beside us). */
export function readProviderPublicKeys(keyStoreDir: string, holder?: string): JWK[] {
  return readKeyFiles(providerKeyDir(keyStoreDir, holder)).map((f) => publicJwk(f.privateJwk, f.kid));
}

/**
 * readProviderPublicKeys kept between requests: read again only when the folder changed (keys are
 * written by rename, which moves the folder's mtime), so a gateway started later, a new key or a
 * retirement is seen within `recheckMs` without re-reading every file on every request; the folder
 * itself is looked at at most once per `recheckMs` (a stat per request was 4 % of the reference
 * registry's CPU, issue 18), or at once when asked to `refresh` (a token no known key verifies). The same array is returned while nothing changed (request-token.ts
 * imports a key set once per array).
 */
export function watchedProviderPublicKeys(
  keyStoreDir: string,
  holder?: string,
  recheckMs = 1_000,
  now: () => number = Date.now,
): (refresh?: boolean) => readonly JWK[] {
  const dir = providerKeyDir(keyStoreDir, holder);
  let seen: number | undefined;
  let checkedAt = -Infinity;
  let keys: readonly JWK[] = [];
  return (refresh = false) => {
    const t = now();
    if (!refresh && t - checkedAt < recheckMs) return keys;
    checkedAt = t;
    let mtime = -1;
    try {
      mtime = statSync(dir).mtimeMs;
    } catch {
      mtime = -1;
    }
    if (mtime !== seen) {
      keys = readProviderPublicKeys(keyStoreDir, holder);
      seen = mtime;
    }
    return keys;
  };
}
