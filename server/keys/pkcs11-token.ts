/**
 * A logged-in session on one PKCS#11 token, through pkcs11js. A module is initialised once per process
 * and finalised when its last session closes (SoftHSM reads its token list at C_Initialize, so a token
 * made since is seen on the next open). Calls are synchronous: each sign is one C_SignInit + C_Sign
 * on the one session, which keeps operations on the session from interleaving.
 */
import { createRequire } from 'node:module';
import type * as Pkcs11Types from 'pkcs11js';
import { KeyStoreError } from './key-store.js';

// pkcs11js is a CommonJS native addon: loaded lazily, so the file store never needs it built.
const require = createRequire(import.meta.url);
type Pkcs11Module = typeof Pkcs11Types;
let binding: Pkcs11Module | undefined;
export function pkcs11(): Pkcs11Module {
  binding ??= require('pkcs11js') as Pkcs11Module;
  return binding;
}

/** Not in pkcs11js's constants (PKCS#11 3.0): Edwards-curve keys and pure EdDSA. */
export const CKK_EC_EDWARDS = 0x40;
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;

export interface TokenOptions {
  module: string;
  tokenLabel?: string;
  slot?: number;
  pin: string;
}

interface Loaded {
  lib: Pkcs11Types.PKCS11;
  sessions: number;
}
const loaded = new Map<string, Loaded>();

function slotId(handle: Buffer): bigint {
  return handle.length === 8 ? handle.readBigUInt64LE() : BigInt(handle.readUInt32LE());
}

function errorCode(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class TokenSession {
  readonly lib: Pkcs11Types.PKCS11;
  readonly handle: Buffer;
  readonly #module: string;
  #open = true;

  private constructor(module: string, lib: Pkcs11Types.PKCS11, handle: Buffer) {
    this.#module = module;
    this.lib = lib;
    this.handle = handle;
  }

  static open(options: TokenOptions): TokenSession {
    const pk = pkcs11();
    let entry = loaded.get(options.module);
    if (!entry) {
      const lib = new pk.PKCS11();
      try {
        lib.load(options.module);
        lib.C_Initialize();
      } catch (err) {
        throw new KeyStoreError(`cannot load the PKCS#11 module ${options.module}: ${errorCode(err)}`);
      }
      entry = { lib, sessions: 0 };
      loaded.set(options.module, entry);
    }
    const { lib } = entry;
    const slots = lib.C_GetSlotList(true);
    const slot = slots.find((s) =>
      options.tokenLabel !== undefined
        ? lib.C_GetTokenInfo(s).label.trim() === options.tokenLabel
        : slotId(s) === BigInt(options.slot ?? -1),
    );
    if (!slot) {
      if (entry.sessions === 0) {
        lib.C_Finalize();
        loaded.delete(options.module);
      }
      const which =
        options.tokenLabel !== undefined ? `labelled ${options.tokenLabel}` : `in slot ${options.slot}`;
      throw new KeyStoreError(`no PKCS#11 token ${which} in ${options.module}`);
    }
    const handle = lib.C_OpenSession(slot, pk.CKF_SERIAL_SESSION | pk.CKF_RW_SESSION);
    entry.sessions += 1;
    const session = new TokenSession(options.module, lib, handle);
    try {
      lib.C_Login(handle, pk.CKU_USER, options.pin);
    } catch (err) {
      // Login state is per token and application: a second store in this process finds it logged in.
      if (!errorCode(err).includes('CKR_USER_ALREADY_LOGGED_IN')) {
        session.close();
        throw new KeyStoreError(`PKCS#11 login refused: ${errorCode(err)}`);
      }
    }
    return session;
  }

  find(template: Pkcs11Types.Template): Buffer[] {
    this.lib.C_FindObjectsInit(this.handle, template);
    try {
      const out: Buffer[] = [];
      for (;;) {
        const batch = this.lib.C_FindObjects(this.handle, 64);
        out.push(...batch);
        if (batch.length < 64) return out;
      }
    } finally {
      this.lib.C_FindObjectsFinal(this.handle);
    }
  }

  attribute(object: Buffer, type: number): Buffer {
    const [attr] = this.lib.C_GetAttributeValue(this.handle, object, [{ type }]);
    return attr!.value as Buffer;
  }

  sign(mechanism: number, key: Buffer, data: Buffer): Buffer {
    this.lib.C_SignInit(this.handle, { mechanism }, key);
    return this.lib.C_Sign(this.handle, data, Buffer.alloc(64));
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.lib.C_CloseSession(this.handle);
    } finally {
      const entry = loaded.get(this.#module);
      if (entry && --entry.sessions === 0) {
        loaded.delete(this.#module);
        entry.lib.C_Finalize();
      }
    }
  }
}

/** CKA_EC_POINT is a DER OCTET STRING around the point; returns the point. */
export function unwrapEcPoint(der: Buffer): Buffer {
  if (der[0] !== 0x04) return der;
  let offset = 2;
  let length = der[1]!;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = der.readUIntBE(2, bytes);
    offset = 2 + bytes;
  }
  return offset + length === der.length ? der.subarray(offset) : der;
}

/** DER of the curve OIDs (CKA_EC_PARAMS): id-Ed25519 (RFC 8410) and prime256v1. */
export const ED25519_PARAMS = Buffer.from('06032b6570', 'hex');
export const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
