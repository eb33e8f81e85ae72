/**
 * Envelope encryption's key custody (docs/data-at-rest.md): data keys that encrypt stored record values
 * are generated here and handed out in two forms, the plaintext (kept only in memory) and the same key
 * wrapped by a key-encryption key (KEK) that never leaves the store. Only the wrapped form is written
 * to the database, so a copy of the database (a dump, a backup, a replica's disk) opens nothing without
 * the KEK. A PKCS#11 store implements the same interface with the KEK inside the token (C_WrapKey /
 * C_UnwrapKey, or C_Encrypt with AES-GCM); `wrapped` is opaque to callers and read back only by the
 * store that made it, named by `kekId`.
 *
 * The file store keeps each KEK as `<dir>/<kid>.json` (0600, folder 0700), an `oct` JWK of 256 bits.
 * Rotation makes a new current KEK and marks the old one retired: it still unwraps the data keys it
 * wrapped, and may be destroyed once no stored data key names it (`npm run data-keys -- status`).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyStoreError } from './key-store.js';

/** What a data key is for; it is bound into the wrapping, so a key made for one use opens no other. */
export type DataKeyPurpose = 'query-replay';

export interface DataKey {
  /** 32 random bytes (AES-256): memory only, never stored. */
  plaintext: Uint8Array;
  /** The plaintext wrapped by the KEK `kekId`: what the database keeps. */
  wrapped: Uint8Array;
  kekId: string;
}

export interface KekInfo {
  kid: string;
  createdAt: Date;
  retiredAt?: Date;
}

/** The part of a key store that envelope encryption needs. */
export interface DataKeySource {
  generateDataKey(purpose: DataKeyPurpose): Promise<DataKey>;
  /** The plaintext of a wrapped data key; throws KeyStoreError if the KEK is gone or the bytes are not its. */
  unwrap(kekId: string, wrapped: Uint8Array, purpose: DataKeyPurpose): Promise<Uint8Array>;
}

/** The operator's side: rotate, list, destroy (the CLI and tests). */
export interface KekAdmin {
  keks(): KekInfo[];
  rotate(): Promise<KekInfo>;
  /** Deletes a retired KEK for good; every data key it wrapped becomes unreadable. */
  destroy(kid: string): void;
}

interface KekFile {
  kid: string;
  createdAt: string;
  retiredAt?: string;
  jwk: { kty: 'oct'; alg: 'A256GCMKW'; k: string };
}

export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAP_VERSION = 1;
const KID = /^[A-Za-z0-9_-]{16,64}$/;

function wrapAad(purpose: DataKeyPurpose, kekId: string): Buffer {
  return Buffer.from(`juc-data-key\u0000${purpose}\u0000${kekId}`, 'utf8');
}

export interface FileDataKeySourceOptions {
  /** Usually `<KEY_STORE_DIR>/data-key-kek`. */
  dir: string;
  /** Create the first KEK when there is none (never in production). */
  allowGenerate: boolean;
  now?: () => Date;
}

export class FileDataKeySource implements DataKeySource, KekAdmin {
  readonly #dir: string;
  readonly #now: () => Date;
  readonly #secrets = new Map<string, Buffer>();

  private constructor(dir: string, now: () => Date) {
    this.#dir = dir;
    this.#now = now;
  }

  static async open(options: FileDataKeySourceOptions): Promise<FileDataKeySource> {
    const store = new FileDataKeySource(options.dir, options.now ?? (() => new Date()));
    if (!store.#files().some((f) => !f.retiredAt)) {
      if (!options.allowGenerate) {
        throw new KeyStoreError(
          `No active data-key KEK in ${options.dir}; production never generates keys: run \`npm run data-keys -- rotate\` first.`,
        );
      }
      await store.rotate();
    }
    return store;
  }

  #files(): KekFile[] {
    if (!existsSync(this.#dir)) return [];
    return readdirSync(this.#dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.#parse(join(this.#dir, f)));
  }

  #parse(path: string): KekFile {
    const file = JSON.parse(readFileSync(path, 'utf8')) as KekFile;
    const secret = Buffer.from(file.jwk?.k ?? '', 'base64url');
    if (!KID.test(file.kid) || file.jwk?.kty !== 'oct' || secret.length !== DATA_KEY_BYTES) {
      throw new KeyStoreError(`${path} is not a 256-bit data-key KEK`);
    }
    return file;
  }

  #write(file: KekFile): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const path = join(this.#dir, `${file.kid}.json`);
    writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }

  #secret(kid: string): Buffer {
    const cached = this.#secrets.get(kid);
    if (cached) return cached;
    const path = join(this.#dir, `${kid}.json`);
    if (!KID.test(kid) || !existsSync(path)) throw new KeyStoreError(`data-key KEK ${kid} is not in the store`);
    const secret = Buffer.from(this.#parse(path).jwk.k, 'base64url');
    this.#secrets.set(kid, secret);
    return secret;
  }

  /** Read from disk each time (once per data-key period), so a rotation by the CLI is seen without a restart. */
  #current(): KekFile {
    const active = this.#files()
      .filter((f) => !f.retiredAt)
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    if (!active[0]) throw new KeyStoreError(`no active data-key KEK in ${this.#dir}`);
    return active[0];
  }

  async generateDataKey(purpose: DataKeyPurpose): Promise<DataKey> {
    const kek = this.#current();
    const plaintext = randomBytes(DATA_KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#secret(kek.kid), iv);
    cipher.setAAD(wrapAad(purpose, kek.kid));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const wrapped = Buffer.concat([Buffer.of(WRAP_VERSION), iv, body, cipher.getAuthTag()]);
    return { plaintext: new Uint8Array(plaintext), wrapped: new Uint8Array(wrapped), kekId: kek.kid };
  }

  async unwrap(kekId: string, wrapped: Uint8Array, purpose: DataKeyPurpose): Promise<Uint8Array> {
    const bytes = Buffer.from(wrapped);
    if (bytes.length !== 1 + IV_BYTES + DATA_KEY_BYTES + TAG_BYTES || bytes[0] !== WRAP_VERSION) {
      throw new KeyStoreError(`wrapped data key under ${kekId} has the wrong length or version`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#secret(kekId), bytes.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(wrapAad(purpose, kekId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return new Uint8Array(
        Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]),
      );
    } catch {
      throw new KeyStoreError(`wrapped data key does not open under ${kekId} for ${purpose}`);
    }
  }

  keks(): KekInfo[] {
    return this.#files()
      .map((f) => ({
        kid: f.kid,
        createdAt: new Date(f.createdAt),
        ...(f.retiredAt ? { retiredAt: new Date(f.retiredAt) } : {}),
      }))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async rotate(): Promise<KekInfo> {
    const now = this.#now();
    for (const file of this.#files().filter((f) => !f.retiredAt)) {
      this.#write({ ...file, retiredAt: now.toISOString() });
    }
    const kid = randomBytes(16).toString('base64url');
    const k = randomBytes(DATA_KEY_BYTES).toString('base64url');
    this.#write({ kid, createdAt: now.toISOString(), jwk: { kty: 'oct', alg: 'A256GCMKW', k } });
    return { kid, createdAt: now };
  }

  destroy(kid: string): void {
    const file = this.#files().find((f) => f.kid === kid);
    if (!file) throw new KeyStoreError(`data-key KEK ${kid} is not in the store`);
    if (!file.retiredAt) throw new KeyStoreError(`data-key KEK ${kid} is the current one: rotate first`);
    rmSync(join(this.#dir, `${kid}.json`));
    this.#secrets.delete(kid);
  }
}
