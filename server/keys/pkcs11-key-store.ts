/**
 * KeyStore inside a PKCS#11 token (KEY_STORE=pkcs11; SoftHSM2 in development and tests, any PKCS#11
 * HSM in production). Each key is a key pair generated on the token with CKA_SENSITIVE true and
 * CKA_EXTRACTABLE false, so the private half never leaves it: we keep object handles and ask the token
 * to sign (CKM_EDDSA for checkpoints, CKM_ECDSA over our SHA-256 for ES256, whose raw r||s is already
 * the JWS form). CKA_ID holds the kid; CKA_LABEL holds what rotation needs, on both halves:
 * `juc:<purpose>:<created ms>:<retired ms|->:<expires ms|->`, so the token alone is the whole store.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import {
  ALGORITHM_FOR,
  KEK_PURPOSE,
  KEY_PURPOSES,
  KeyStoreError,
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
  sha256,
  wrapAad,
} from './key-material.js';
import { formatLabel, jwkOfPoint, parseLabel, type Meta } from './pkcs11-objects.js';
import {
  CKK_EC_EDWARDS,
  CKM_EC_EDWARDS_KEY_PAIR_GEN,
  CKM_EDDSA,
  ED25519_PARAMS,
  P256_PARAMS,
  TokenSession,
  pkcs11,
  type TokenOptions,
} from './pkcs11-token.js';

interface TokenKey {
  info: KeyInfo;
  verifying: VerifyingKey;
  signing?: SigningKey;
  publicHandle: Buffer;
  privateHandle?: Buffer;
}

/** The key-encryption key: an AES-256 secret key on the token, used through CKM_AES_GCM. */
interface TokenKek {
  info: KeyInfo;
  handle: Buffer;
}

export interface Pkcs11KeyStoreOptions extends TokenOptions {
  /** Generate missing keys on the token (never in production). */
  allowGenerate: boolean;
  now?: () => Date;
}

export class Pkcs11KeyStore implements ManagedKeyStore {
  readonly #session: TokenSession;
  readonly #now: () => Date;
  #keys: TokenKey[] = [];
  #keks: TokenKek[] = [];

  private constructor(session: TokenSession, now: () => Date) {
    this.#session = session;
    this.#now = now;
  }

  static async open(options: Pkcs11KeyStoreOptions): Promise<Pkcs11KeyStore> {
    const store = new Pkcs11KeyStore(TokenSession.open(options), options.now ?? (() => new Date()));
    try {
      await store.reload();
      const missing = KEY_PURPOSES.filter(
        (p) => !store.#keys.some((k) => k.info.purpose === p && !k.info.retiredAt),
      );
      if (missing.length && !options.allowGenerate) {
        throw new KeyStoreError(
          `No active ${missing.join(', ')} key on the PKCS#11 token; production never generates keys: run \`npm run keys -- rotate <purpose>\` first.`,
        );
      }
      for (const purpose of missing) await store.#generate(purpose, store.#now());
      // A token from before envelope encryption has no KEK yet: made on the token, never outside it.
      if (!store.#keks.some((k) => !k.info.retiredAt)) store.#generateKek(store.#now());
      await store.reload();
      return store;
    } catch (err) {
      store.#session.close();
      throw err;
    }
  }

  async #generate(purpose: KeyPurpose, now: Date): Promise<string> {
    const pk = pkcs11();
    const alg = ALGORITHM_FOR[purpose];
    const label = formatLabel({ purpose, createdAt: now });
    const common = [
      { type: pk.CKA_TOKEN, value: true },
      { type: pk.CKA_LABEL, value: label },
    ];
    const { lib, handle } = this.#session;
    const pair = lib.C_GenerateKeyPair(
      handle,
      { mechanism: alg === 'EdDSA' ? CKM_EC_EDWARDS_KEY_PAIR_GEN : pk.CKM_EC_KEY_PAIR_GEN },
      [
        ...common,
        { type: pk.CKA_VERIFY, value: true },
        { type: pk.CKA_EC_PARAMS, value: alg === 'EdDSA' ? ED25519_PARAMS : P256_PARAMS },
      ],
      [
        ...common,
        { type: pk.CKA_SIGN, value: true },
        { type: pk.CKA_PRIVATE, value: true },
        // The reason for the token: the private key can sign but can never be read or wrapped out.
        { type: pk.CKA_SENSITIVE, value: true },
        { type: pk.CKA_EXTRACTABLE, value: false },
      ],
    );
    const jwk = jwkOfPoint(alg, this.#session.attribute(pair.publicKey, pk.CKA_EC_POINT));
    const kid = await kidOf(jwk);
    const id = Buffer.from(kid, 'utf8');
    lib.C_SetAttributeValue(handle, pair.publicKey, [{ type: pk.CKA_ID, value: id }]);
    lib.C_SetAttributeValue(handle, pair.privateKey, [{ type: pk.CKA_ID, value: id }]);
    return kid;
  }

  #generateKek(now: Date): string {
    const pk = pkcs11();
    const kid = newKekKid();
    this.#session.lib.C_GenerateKey(this.#session.handle, { mechanism: pk.CKM_AES_KEY_GEN }, [
      { type: pk.CKA_CLASS, value: pk.CKO_SECRET_KEY },
      { type: pk.CKA_KEY_TYPE, value: pk.CKK_AES },
      { type: pk.CKA_VALUE_LEN, value: 32 },
      { type: pk.CKA_TOKEN, value: true },
      { type: pk.CKA_PRIVATE, value: true },
      { type: pk.CKA_ENCRYPT, value: true },
      { type: pk.CKA_DECRYPT, value: true },
      { type: pk.CKA_SENSITIVE, value: true },
      { type: pk.CKA_EXTRACTABLE, value: false },
      { type: pk.CKA_ID, value: Buffer.from(kid, 'utf8') },
      { type: pk.CKA_LABEL, value: formatLabel({ purpose: KEK_PURPOSE, createdAt: now }) },
    ]);
    return kid;
  }

  #loadKeks(): TokenKek[] {
    const pk = pkcs11();
    const session = this.#session;
    const keks: TokenKek[] = [];
    for (const handle of session.find([{ type: pk.CKA_CLASS, value: pk.CKO_SECRET_KEY }])) {
      const meta = parseLabel(session.attribute(handle, pk.CKA_LABEL).toString('utf8'));
      if (meta?.purpose !== KEK_PURPOSE) continue;
      const kid = session.attribute(handle, pk.CKA_ID).toString('utf8');
      const info: KeyInfo = {
        kid,
        purpose: KEK_PURPOSE,
        alg: 'A256GCM',
        createdAt: meta.createdAt,
        canSign: true,
      };
      if (meta.retiredAt) info.retiredAt = meta.retiredAt;
      keks.push({ info, handle });
    }
    return keks.sort((a, b) => byActiveThenNewest(a.info, b.info));
  }

  async reload(): Promise<void> {
    const pk = pkcs11();
    const session = this.#session;
    const keys: TokenKey[] = [];
    for (const publicHandle of session.find([{ type: pk.CKA_CLASS, value: pk.CKO_PUBLIC_KEY }])) {
      const label = parseLabel(session.attribute(publicHandle, pk.CKA_LABEL).toString('utf8'));
      if (!label || label.purpose === KEK_PURPOSE) continue;
      const meta = { ...label, purpose: label.purpose };
      const kid = session.attribute(publicHandle, pk.CKA_ID).toString('utf8');
      const alg = ALGORITHM_FOR[meta.purpose];
      const keyType = session.attribute(publicHandle, pk.CKA_KEY_TYPE).readUIntLE(0, 4);
      if (keyType !== (alg === 'EdDSA' ? CKK_EC_EDWARDS : pk.CKK_EC)) {
        throw new KeyStoreError(`token key ${kid} is not a ${meta.purpose} key (${alg})`);
      }
      const jwk = jwkOfPoint(alg, session.attribute(publicHandle, pk.CKA_EC_POINT));
      const [privateHandle] = session.find([
        { type: pk.CKA_CLASS, value: pk.CKO_PRIVATE_KEY },
        { type: pk.CKA_ID, value: Buffer.from(kid, 'utf8') },
      ]);
      const info: KeyInfo = {
        kid,
        purpose: meta.purpose,
        alg,
        createdAt: meta.createdAt,
        canSign: !!privateHandle,
      };
      if (meta.retiredAt) info.retiredAt = meta.retiredAt;
      if (meta.expiresAt) info.expiresAt = meta.expiresAt;
      const verifying: VerifyingKey = {
        kid,
        purpose: meta.purpose,
        alg,
        publicKey: createPublicKey({ key: jwk as never, format: 'jwk' }),
        jwk: publicJwkOf(jwk, kid, alg),
        createdAt: meta.createdAt,
        ...(meta.retiredAt ? { retiredAt: meta.retiredAt } : {}),
        ...(meta.expiresAt ? { expiresAt: meta.expiresAt } : {}),
      };
      const entry: TokenKey = { info, verifying, publicHandle };
      if (privateHandle) {
        entry.privateHandle = privateHandle;
        entry.signing = {
          ...verifying,
          sign: async (data) =>
            alg === 'EdDSA'
              ? session.sign(CKM_EDDSA, privateHandle, Buffer.from(data))
              : session.sign(pk.CKM_ECDSA, privateHandle, sha256(data)),
        };
      }
      keys.push(entry);
    }
    this.#keys = keys.sort((a, b) => byActiveThenNewest(a.info, b.info));
    this.#keks = this.#loadKeks();
  }

  current(purpose: KeyPurpose): SigningKey {
    const key = this.#keys.find((k) => k.info.purpose === purpose && !k.info.retiredAt)?.signing;
    if (!key) throw new KeyStoreError(`no active ${purpose} key on the PKCS#11 token`);
    return key;
  }

  verifyingKeys(purpose: KeyPurpose): VerifyingKey[] {
    const now = this.#now().getTime();
    return this.#keys
      .filter((k) => k.info.purpose === purpose && (!k.info.expiresAt || k.info.expiresAt.getTime() > now))
      .map((k) => k.verifying);
  }

  publicJwks(): { keys: JWK[] } {
    return { keys: KEY_PURPOSES.flatMap((p) => this.verifyingKeys(p).map((k) => ({ ...k.jwk }))) };
  }

  #gcm(iv: Buffer, aad: Buffer) {
    const pk = pkcs11();
    return { mechanism: pk.CKM_AES_GCM, parameter: { type: pk.CK_PARAMS_AES_GCM, iv, aad, tagBits: 128 } };
  }

  async wrapKey(dataKey: Uint8Array): Promise<string> {
    const kek = this.#keks.find((k) => !k.info.retiredAt);
    if (!kek) throw new KeyStoreError('no active data-key KEK on the PKCS#11 token');
    const iv = randomBytes(12);
    const { lib, handle } = this.#session;
    lib.C_EncryptInit(handle, this.#gcm(iv, wrapAad(kek.info.kid)), kek.handle);
    const sealed = lib.C_Encrypt(handle, Buffer.from(dataKey), Buffer.alloc(dataKey.length + 16));
    return formatWrapped(kek.info.kid, iv, sealed);
  }

  async unwrapKey(wrapped: string): Promise<Uint8Array> {
    const { kid, iv, sealed, aad } = parseWrapped(wrapped);
    if (!this.#keks.some((k) => k.info.kid === kid)) await this.reload();
    const kek = this.#keks.find((k) => k.info.kid === kid);
    if (!kek) throw new KeyStoreError(`data key wrapped by an unknown key-encryption key ${kid}`);
    const { lib, handle } = this.#session;
    lib.C_DecryptInit(handle, this.#gcm(iv, aad), kek.handle);
    try {
      return new Uint8Array(lib.C_Decrypt(handle, sealed, Buffer.alloc(sealed.length)));
    } catch {
      throw new KeyStoreError('wrapped data key does not authenticate');
    }
  }

  list(): KeyInfo[] {
    return [...this.#keys, ...this.#keks].map((k) => ({ ...k.info }));
  }

  #relabel(handles: (Buffer | undefined)[], meta: Meta): void {
    const pk = pkcs11();
    const value = formatLabel(meta);
    for (const handle of handles) {
      if (handle)
        this.#session.lib.C_SetAttributeValue(this.#session.handle, handle, [{ type: pk.CKA_LABEL, value }]);
    }
  }

  async rotate(purpose: StorePurpose, overlapMs: number): Promise<KeyInfo> {
    const now = this.#now();
    // Another process (the server, the CLI) may have rotated since we last looked.
    await this.reload();
    const retirement = retirementOf(purpose, now, overlapMs);
    if (purpose === KEK_PURPOSE) {
      const kid = this.#generateKek(now);
      for (const kek of this.#keks.filter((k) => !k.info.retiredAt)) {
        this.#relabel([kek.handle], { purpose, createdAt: kek.info.createdAt, ...retirement });
      }
      await this.reload();
      return this.list().find((k) => k.kid === kid)!;
    }
    const kid = await this.#generate(purpose, now);
    for (const key of this.#keys.filter((k) => k.info.purpose === purpose && !k.info.retiredAt)) {
      this.#relabel([key.publicHandle, key.privateHandle], {
        purpose,
        createdAt: key.info.createdAt,
        ...retirement,
      });
    }
    await this.reload();
    return this.list().find((k) => k.kid === kid)!;
  }

  async retire(options: { purpose?: StorePurpose; kid?: string } = {}): Promise<string[]> {
    await this.reload();
    const now = this.#now().getTime();
    const { lib, handle } = this.#session;
    const touched: string[] = [];
    for (const key of this.#keys) {
      const { info } = key;
      if (!info.retiredAt || (options.purpose && info.purpose !== options.purpose)) continue;
      if (options.kid && info.kid !== options.kid) continue;
      if (info.purpose === 'checkpoint') {
        // Older checkpoints stay verifiable with the public half; nothing may sign with this key again.
        if (!key.privateHandle) continue;
        lib.C_DestroyObject(handle, key.privateHandle);
      } else if (options.kid || (info.expiresAt && info.expiresAt.getTime() <= now)) {
        if (key.privateHandle) lib.C_DestroyObject(handle, key.privateHandle);
        lib.C_DestroyObject(handle, key.publicHandle);
      } else continue;
      touched.push(info.kid);
    }
    if (options.kid && !touched.length) throw new KeyStoreError(`no retired key ${options.kid} to retire`);
    await this.reload();
    return touched;
  }

  /** For tests and the operator: what the token says about a private key's exposure. */
  privateKeyAttributes(kid: string): { sensitive: boolean; extractable: boolean; neverExtractable: boolean } {
    const key = this.#keys.find((k) => k.info.kid === kid);
    if (!key?.privateHandle) throw new KeyStoreError(`no private key ${kid} on the token`);
    const pk = pkcs11();
    const flag = (type: number) => this.#session.attribute(key.privateHandle!, type)[0] === 1;
    return {
      sensitive: flag(pk.CKA_SENSITIVE),
      extractable: flag(pk.CKA_EXTRACTABLE),
      neverExtractable: flag(pk.CKA_NEVER_EXTRACTABLE),
    };
  }

  /** Asks the token for the private value; a compliant token refuses (CKR_ATTRIBUTE_SENSITIVE). */
  tryReadPrivateValue(kid: string): Buffer {
    const key = this.#keys.find((k) => k.info.kid === kid);
    if (!key?.privateHandle) throw new KeyStoreError(`no private key ${kid} on the token`);
    return this.#session.attribute(key.privateHandle, pkcs11().CKA_VALUE);
  }

  async close(): Promise<void> {
    this.#keys = [];
    this.#keks = [];
    this.#session.close();
  }
}
