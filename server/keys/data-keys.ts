/**
 * Envelope encryption's key custody (docs/data-at-rest.md). Data keys that seal stored record values are
 * kept in the database only wrapped by a key-encryption key (KEK) that stays in the key store, so a copy
 * of the database (a dump, a backup, a replica's disk) opens nothing without the key store.
 *
 * `KeyWrapper` is the part of the key store envelope encryption needs: the KeyStore interface
 * (key-store.ts) carries the same two methods, in the file store and in the PKCS#11 store, where the KEK
 * never leaves the token. `FileKeyWrapper` is the file form of it for a key store that does not have
 * them yet; it uses the key store's own layout and text form (`<dir>/data-key/<kid>.json`, an `oct` JWK
 * of 256 bits written 0600; wrapped keys as `kw1.<kek kid>.<iv>.<ciphertext‖tag>`, the AAD `kw1.<kid>`),
 * so either opens what the other wrapped and the KEK rotates with the other keys of the store.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyStoreError } from './key-store.js';

export interface KeyWrapper {
  /** Seals a data key under the current KEK; the text names that KEK, so rotation keeps old keys open. */
  wrapKey(dataKey: Uint8Array): Promise<string>;
  /** Opens what wrapKey sealed; throws KeyStoreError if it was altered or its KEK is unknown. */
  unwrapKey(wrapped: string): Promise<Uint8Array>;
}

const PURPOSE = 'data-key';
const VERSION = 'kw1';
const KID = /^[A-Za-z0-9_-]{16,64}$/;

interface KekFile {
  kid: string;
  purpose: typeof PURPOSE;
  alg: 'A256GCM';
  createdAt: string;
  retiredAt?: string;
  privateJwk: { kty: 'oct'; k: string };
}

export interface FileKeyWrapperOptions {
  /** KEY_STORE_DIR: the KEKs live in its `data-key` folder. */
  keyStoreDir: string;
  now?: () => Date;
}

export class FileKeyWrapper implements KeyWrapper {
  readonly #dir: string;
  readonly #secrets = new Map<string, Buffer>();

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static open(options: FileKeyWrapperOptions): FileKeyWrapper {
    const store = new FileKeyWrapper(join(options.keyStoreDir, PURPOSE));
    // Production too, as the key store does: a deployment from before envelope encryption has no KEK yet.
    if (!store.#files().some((f) => !f.retiredAt)) {
      const now = (options.now ?? (() => new Date()))();
      const kid = randomBytes(16).toString('base64url');
      const k = randomBytes(32).toString('base64url');
      store.#write({
        kid,
        purpose: PURPOSE,
        alg: 'A256GCM',
        createdAt: now.toISOString(),
        privateJwk: { kty: 'oct', k },
      });
    }
    return store;
  }

  #files(): KekFile[] {
    if (!existsSync(this.#dir)) return [];
    return readdirSync(this.#dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => {
        const file = JSON.parse(readFileSync(join(this.#dir, f), 'utf8')) as KekFile;
        const secret = Buffer.from(file.privateJwk?.k ?? '', 'base64url');
        if (file.purpose !== PURPOSE || !KID.test(file.kid) || secret.length !== 32) {
          throw new KeyStoreError(`${join(this.#dir, f)} is not a 256-bit data-key KEK`);
        }
        this.#secrets.set(file.kid, secret);
        return file;
      });
  }

  #write(file: KekFile): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const path = join(this.#dir, `${file.kid}.json`);
    writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }

  /** Read from disk each time (once per data-key period), so a rotation made elsewhere is followed. */
  #current(): KekFile {
    const [newest] = this.#files()
      .filter((f) => !f.retiredAt)
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    if (!newest) throw new KeyStoreError(`no active data-key KEK in ${this.#dir}`);
    return newest;
  }

  #secret(kid: string): Buffer {
    if (!this.#secrets.has(kid)) this.#files();
    const secret = this.#secrets.get(kid);
    if (!secret) throw new KeyStoreError(`data key wrapped by an unknown key-encryption key ${kid}`);
    return secret;
  }

  async wrapKey(dataKey: Uint8Array): Promise<string> {
    const { kid } = this.#current();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#secret(kid), iv).setAAD(
      Buffer.from(`${VERSION}.${kid}`),
    );
    const sealed = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, kid, iv.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  async unwrapKey(wrapped: string): Promise<Uint8Array> {
    const [version, kid, ivText, sealedText, ...rest] = wrapped.split('.');
    if (version !== VERSION || !kid || !ivText || !sealedText || rest.length) {
      throw new KeyStoreError('not a wrapped data key (kw1.<kid>.<iv>.<sealed>)');
    }
    const iv = Buffer.from(ivText, 'base64url');
    const sealed = Buffer.from(sealedText, 'base64url');
    if (iv.length !== 12 || sealed.length < 17) throw new KeyStoreError('wrapped data key has a bad length');
    const decipher = createDecipheriv('aes-256-gcm', this.#secret(kid), iv).setAAD(
      Buffer.from(`${VERSION}.${kid}`),
    );
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    try {
      return new Uint8Array(
        Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]),
      );
    } catch {
      throw new KeyStoreError('wrapped data key does not authenticate');
    }
  }
}
