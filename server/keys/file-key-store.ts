/**
 * KeyStore on the file system: `<dir>/<purpose>/<kid>.json`, one file per key holding its private JWK,
 * written 0600 — the zero-setup default; KEY_STORE=pkcs11 keeps the same keys in an HSM instead.
 * Outside production a missing purpose gets a fresh key on first start; in production the store
 * refuses to generate (keys come from the operator's key ceremony) and reports what is missing.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import {
  ALGORITHM_FOR,
  KEK_PURPOSE,
  KEY_PURPOSES,
  KeyStoreError,
  STORE_PURPOSES,
  byActiveThenNewest,
  retirementOf,
  type KeyInfo,
  type KeyPurpose,
  type ManagedKeyStore,
  type SigningKey,
  type StorePurpose,
  type VerifyingKey,
} from './key-store.js';
import {
  formatWrapped,
  kidOf,
  newKekKid,
  parseWrapped,
  publicJwkOf,
  signInMemory,
  wrapAad,
} from './key-material.js';

interface KeyFile {
  kid: string;
  purpose: StorePurpose;
  alg: KeyInfo['alg'];
  createdAt: string;
  retiredAt?: string;
  expiresAt?: string;
  /** An `oct` JWK for the KEK; dropped when a retired checkpoint key is retired for good. */
  privateJwk?: JWK;
  /** Only on retired checkpoint keys whose private half was destroyed. */
  publicJwk?: JWK;
}

export interface FileKeyStoreOptions {
  dir: string;
  /** Generate missing keys (never in production). */
  allowGenerate: boolean;
  now?: () => Date;
}

interface Loaded {
  info: KeyInfo;
  verifying?: VerifyingKey;
  signing?: SigningKey;
  secret?: Buffer;
}

async function generate(purpose: StorePurpose, now: Date): Promise<KeyFile> {
  if (purpose === KEK_PURPOSE) {
    const privateJwk = { kty: 'oct', k: randomBytes(32).toString('base64url') };
    return { kid: newKekKid(), purpose, alg: 'A256GCM', createdAt: now.toISOString(), privateJwk };
  }
  const alg = ALGORITHM_FOR[purpose];
  const { privateKey } =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { kid: await kidOf(privateJwk), purpose, alg, createdAt: now.toISOString(), privateJwk };
}

function toLoaded(file: KeyFile): Loaded {
  const info: KeyInfo = {
    kid: file.kid,
    purpose: file.purpose,
    alg: file.alg,
    createdAt: new Date(file.createdAt),
    canSign: Boolean(file.privateJwk),
  };
  if (file.retiredAt) info.retiredAt = new Date(file.retiredAt);
  if (file.expiresAt) info.expiresAt = new Date(file.expiresAt);
  if (file.purpose === KEK_PURPOSE) {
    const secret = Buffer.from(file.privateJwk?.k ?? '', 'base64url');
    if (secret.length !== 32) throw new KeyStoreError(`${file.kid} is not a 256-bit data-key KEK`);
    return { info, secret };
  }
  const alg = ALGORITHM_FOR[file.purpose];
  const material = file.privateJwk ?? file.publicJwk;
  if (!material) throw new KeyStoreError(`${file.kid}: a key file without a key`);
  const privateKey = file.privateJwk
    ? createPrivateKey({ key: file.privateJwk as never, format: 'jwk' })
    : null;
  const verifying: VerifyingKey = {
    kid: file.kid,
    purpose: file.purpose,
    alg,
    publicKey: privateKey
      ? createPublicKey(privateKey)
      : createPublicKey({ key: material as never, format: 'jwk' }),
    jwk: publicJwkOf(material, file.kid, alg),
    createdAt: info.createdAt,
  };
  if (info.retiredAt) verifying.retiredAt = info.retiredAt;
  if (info.expiresAt) verifying.expiresAt = info.expiresAt;
  if (!privateKey) return { info, verifying };
  // The private KeyObject stays in this closure: callers get a signing function, as from an HSM.
  const signing: SigningKey = { ...verifying, sign: async (data) => signInMemory(alg, privateKey, data) };
  return { info, verifying, signing };
}

export class FileKeyStore implements ManagedKeyStore {
  readonly #dir: string;
  readonly #now: () => Date;
  #keys = new Map<StorePurpose, Loaded[]>();

  private constructor(dir: string, now: () => Date) {
    this.#dir = dir;
    this.#now = now;
  }

  static async open(options: FileKeyStoreOptions): Promise<FileKeyStore> {
    const store = new FileKeyStore(options.dir, options.now ?? (() => new Date()));
    const missing: KeyPurpose[] = [];
    for (const purpose of STORE_PURPOSES) {
      if (store.#read(purpose).some((f) => !f.retiredAt)) continue;
      if (!options.allowGenerate) {
        // Production too for the KEK: a deployment from before envelope encryption has none yet.
        if (purpose === KEK_PURPOSE) store.#write(await generate(purpose, store.#now()));
        else missing.push(purpose);
        continue;
      }
      store.#write(await generate(purpose, store.#now()));
    }
    if (missing.length) {
      throw new KeyStoreError(
        `No active ${missing.join(', ')} key in ${options.dir}; production never generates keys: install them first.`,
      );
    }
    await store.reload();
    return store;
  }

  #read(purpose: StorePurpose): KeyFile[] {
    const dir = join(this.#dir, purpose);
    if (!existsSync(dir)) return [];
    const expected = purpose === KEK_PURPOSE ? 'A256GCM' : ALGORITHM_FOR[purpose];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => {
        const file = JSON.parse(readFileSync(join(dir, f), 'utf8')) as KeyFile;
        if (file.purpose !== purpose || file.alg !== expected) {
          throw new KeyStoreError(`${join(dir, f)} is not a ${purpose} key (${expected})`);
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

  async reload(): Promise<void> {
    const keys = new Map<StorePurpose, Loaded[]>();
    for (const purpose of STORE_PURPOSES) {
      keys.set(
        purpose,
        this.#read(purpose)
          .map(toLoaded)
          .sort((a, b) => byActiveThenNewest(a.info, b.info)),
      );
    }
    this.#keys = keys;
  }

  current(purpose: KeyPurpose): SigningKey {
    const key = this.#keys.get(purpose)?.find((k) => !k.info.retiredAt)?.signing;
    if (!key) throw new KeyStoreError(`no active ${purpose} key`);
    return key;
  }

  verifyingKeys(purpose: KeyPurpose): VerifyingKey[] {
    const now = this.#now().getTime();
    return (this.#keys.get(purpose) ?? [])
      .flatMap((k) => (k.verifying ? [k.verifying] : []))
      .filter((k) => !k.expiresAt || k.expiresAt.getTime() > now);
  }

  publicJwks(): { keys: JWK[] } {
    return { keys: KEY_PURPOSES.flatMap((p) => this.verifyingKeys(p).map((k) => ({ ...k.jwk }))) };
  }

  async wrapKey(dataKey: Uint8Array): Promise<string> {
    const kek = this.#keys.get(KEK_PURPOSE)?.find((k) => !k.info.retiredAt);
    if (!kek?.secret) throw new KeyStoreError('no active data-key KEK');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek.secret, iv).setAAD(wrapAad(kek.info.kid));
    const sealed = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    return formatWrapped(kek.info.kid, iv, sealed);
  }

  async unwrapKey(wrapped: string): Promise<Uint8Array> {
    const { kid, iv, sealed, aad } = parseWrapped(wrapped);
    let kek = this.#keys.get(KEK_PURPOSE)?.find((k) => k.info.kid === kid);
    // Rotated by another process since we loaded: look again before giving up.
    if (!kek) await this.reload();
    kek = this.#keys.get(KEK_PURPOSE)?.find((k) => k.info.kid === kid);
    if (!kek?.secret) throw new KeyStoreError(`data key wrapped by an unknown key-encryption key ${kid}`);
    const decipher = createDecipheriv('aes-256-gcm', kek.secret, iv).setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    try {
      return new Uint8Array(
        Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]),
      );
    } catch {
      throw new KeyStoreError('wrapped data key does not authenticate');
    }
  }

  list(): KeyInfo[] {
    return STORE_PURPOSES.flatMap((p) => (this.#keys.get(p) ?? []).map((k) => ({ ...k.info })));
  }

  async rotate(purpose: StorePurpose, overlapMs: number): Promise<KeyInfo> {
    const now = this.#now();
    const next = await generate(purpose, now);
    const { retiredAt, expiresAt } = retirementOf(purpose, now, overlapMs);
    for (const file of this.#read(purpose).filter((f) => !f.retiredAt)) {
      this.#write({
        ...file,
        retiredAt: retiredAt.toISOString(),
        ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
      });
    }
    this.#write(next);
    await this.reload();
    return this.list().find((k) => k.kid === next.kid)!;
  }

  async retire(options: { purpose?: StorePurpose; kid?: string } = {}): Promise<string[]> {
    const now = this.#now();
    const touched: string[] = [];
    const purposes = options.purpose ? [options.purpose] : KEY_PURPOSES;
    for (const purpose of purposes) {
      if (purpose === KEK_PURPOSE) continue;
      for (const file of this.#read(purpose)) {
        if (!file.retiredAt || (options.kid && file.kid !== options.kid)) continue;
        const path = join(this.#dir, purpose, `${file.kid}.json`);
        if (purpose === 'checkpoint') {
          if (!file.privateJwk) continue;
          this.#write({
            ...file,
            privateJwk: undefined,
            publicJwk: publicJwkOf(file.privateJwk, file.kid, 'EdDSA'),
          });
        } else if (options.kid || (file.expiresAt && Date.parse(file.expiresAt) <= now.getTime())) {
          rmSync(path);
        } else continue;
        touched.push(file.kid);
      }
    }
    if (options.kid && !touched.length) throw new KeyStoreError(`no retired key ${options.kid} to retire`);
    await this.reload();
    return touched;
  }

  async close(): Promise<void> {}
}
