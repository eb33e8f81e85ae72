/**
 * KeyStore on the file system: `<dir>/<purpose>/<kid>.json`, one file per key holding its private JWK,
 * written 0600. Outside production a missing purpose gets a fresh key on first start; in production the
 * store refuses to generate (keys come from the operator's key ceremony) and reports what is missing.
 */
import { generateKeyPairSync, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import {
  ALGORITHM_FOR,
  KEY_PURPOSES,
  KeyStoreError,
  type KeyAlgorithm,
  type KeyPurpose,
  type KeyStore,
  type SigningKey,
  type VerifyingKey,
} from './key-store.js';

interface KeyFile {
  kid: string;
  purpose: KeyPurpose;
  alg: KeyAlgorithm;
  createdAt: string;
  retiredAt?: string;
  expiresAt?: string;
  privateJwk: JWK;
}

export interface FileKeyStoreOptions {
  dir: string;
  /** Generate missing keys (never in production). */
  allowGenerate: boolean;
  now?: () => Date;
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

function publicJwkOf(privateJwk: JWK, kid: string, alg: KeyAlgorithm): JWK {
  const out: JWK = { kid, alg, use: 'sig' };
  for (const m of PUBLIC_MEMBERS) if (privateJwk[m] !== undefined) out[m] = privateJwk[m];
  return out;
}

async function generate(purpose: KeyPurpose, now: Date): Promise<KeyFile> {
  const alg = ALGORITHM_FOR[purpose];
  const { privateKey } =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwkOf(privateJwk, '', alg));
  return { kid, purpose, alg, createdAt: now.toISOString(), privateJwk };
}

function toKey(file: KeyFile): SigningKey {
  const privateKey: KeyObject = createPrivateKey({ key: file.privateJwk as never, format: 'jwk' });
  const key: SigningKey = {
    kid: file.kid,
    purpose: file.purpose,
    alg: file.alg,
    privateKey,
    publicKey: createPublicKey(privateKey),
    jwk: publicJwkOf(file.privateJwk, file.kid, file.alg),
    createdAt: new Date(file.createdAt),
  };
  if (file.retiredAt) key.retiredAt = new Date(file.retiredAt);
  if (file.expiresAt) key.expiresAt = new Date(file.expiresAt);
  return key;
}

export class FileKeyStore implements KeyStore {
  readonly #dir: string;
  readonly #now: () => Date;
  #keys = new Map<KeyPurpose, SigningKey[]>();

  private constructor(dir: string, now: () => Date) {
    this.#dir = dir;
    this.#now = now;
  }

  static async open(options: FileKeyStoreOptions): Promise<FileKeyStore> {
    const store = new FileKeyStore(options.dir, options.now ?? (() => new Date()));
    const missing: KeyPurpose[] = [];
    for (const purpose of KEY_PURPOSES) {
      if (store.#read(purpose).some((f) => !f.retiredAt)) continue;
      if (!options.allowGenerate) {
        missing.push(purpose);
        continue;
      }
      store.#write(await generate(purpose, store.#now()));
    }
    if (missing.length) {
      throw new KeyStoreError(
        `No active ${missing.join(', ')} key in ${options.dir}; production never generates keys: install them first.`,
      );
    }
    store.#load();
    return store;
  }

  #read(purpose: KeyPurpose): KeyFile[] {
    const dir = join(this.#dir, purpose);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => {
        const file = JSON.parse(readFileSync(join(dir, f), 'utf8')) as KeyFile;
        if (file.purpose !== purpose || file.alg !== ALGORITHM_FOR[purpose]) {
          throw new KeyStoreError(`${join(dir, f)} is not a ${purpose} key (${ALGORITHM_FOR[purpose]})`);
        }
        return file;
      });
  }

  #write(file: KeyFile): void {
    const dir = join(this.#dir, file.purpose);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${file.kid}.json`);
    writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }

  #load(): void {
    const keys = new Map<KeyPurpose, SigningKey[]>();
    for (const purpose of KEY_PURPOSES) {
      // Active keys first (newest first), then retired ones.
      const list = this.#read(purpose)
        .map(toKey)
        .sort(
          (a, b) =>
            Number(Boolean(a.retiredAt)) - Number(Boolean(b.retiredAt)) ||
            b.createdAt.getTime() - a.createdAt.getTime(),
        );
      keys.set(purpose, list);
    }
    this.#keys = keys;
  }

  current(purpose: KeyPurpose): SigningKey {
    const key = this.#keys.get(purpose)?.find((k) => !k.retiredAt);
    if (!key) throw new KeyStoreError(`no active ${purpose} key`);
    return key;
  }

  verifyingKeys(purpose: KeyPurpose): VerifyingKey[] {
    const now = this.#now().getTime();
    return (this.#keys.get(purpose) ?? [])
      .filter((k) => !k.expiresAt || k.expiresAt.getTime() > now)
      .map(({ privateKey: _secret, ...pub }) => pub);
  }

  publicJwks(): { keys: JWK[] } {
    return { keys: KEY_PURPOSES.flatMap((p) => this.verifyingKeys(p).map((k) => ({ ...k.jwk }))) };
  }

  /** Makes a new current key; the old one keeps verifying for `overlapMs`. */
  async rotate(purpose: KeyPurpose, overlapMs: number): Promise<SigningKey> {
    const now = this.#now();
    for (const file of this.#read(purpose).filter((f) => !f.retiredAt)) {
      this.#write({
        ...file,
        retiredAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + overlapMs).toISOString(),
      });
    }
    this.#write(await generate(purpose, now));
    this.#load();
    return this.current(purpose);
  }
}
