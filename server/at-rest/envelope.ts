/**
 * Envelope encryption of stored record values (docs/data-at-rest.md). A data key ring hands out the
 * current data key of one purpose: 256 random bits, stored only wrapped by the key store's
 * key-encryption key (KeyStore.wrapKey: a file or an AES key inside a PKCS#11 token; table data_key),
 * kept in clear only in this process's memory. One data key serves every
 * value sealed in a rotation period, not one key per row, so the key store (an HSM through PKCS#11 in
 * production) is asked once per period and once per key a process reads back, never once per query.
 *
 * A sealed value is `0x01 ‖ 96-bit random IV ‖ AES-256-GCM ciphertext ‖ 128-bit tag`. Its associated
 * data names the purpose, the data key and the row it belongs to (the caller's `context`), so a value
 * copied into another row, or a row pointed at another key, fails authentication instead of opening.
 * Random IVs are safe for 2^32 values per key (NIST SP 800-38D §8.3); a period of an hour at 1,000
 * queries a second uses 3.6 million.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { periodicTask } from '../shared/periodic-task.js';
import type { BackgroundTask } from '../shared/types.js';
import type { KeyStore } from '../keys/key-store.js';
import type { DataKeyPurpose, DataKeyRepo } from './data-key.repo.js';

const VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Covers clocks of several gateway processes and the moment between sealing and storing. */
const RETIRE_GRACE_MS = 5 * 60_000;
export const DATA_KEY_RETIREMENT_INTERVAL_MS = 5 * 60_000;

/** A stored value that does not open: tampered, moved to another row, or its key is gone. */
export class SealError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SealError';
  }
}

export interface Sealed {
  dataKeyId: string;
  sealed: Uint8Array;
}

export interface DataKeyRing {
  readonly purpose: DataKeyPurpose;
  current(): Promise<{ id: string; key: Buffer }>;
  byId(id: string): Promise<Buffer>;
  /** Deletes this purpose's data keys no process seals with any more and no stored value names. */
  retire(): Promise<string[]>;
}

export interface DataKeyRingOptions {
  /** The key store, or its part that wraps: the KEK never leaves it. */
  wrapper: Pick<KeyStore, 'wrapKey' | 'unwrapKey'>;
  repo: Pick<DataKeyRepo, 'insert' | 'get' | 'deleteUnused'>;
  purpose: DataKeyPurpose;
  /** How long one data key seals new values. */
  rotationMs: number;
  now?: () => Date;
}

export function createDataKeyRing(options: DataKeyRingOptions): DataKeyRing {
  const { wrapper, repo, purpose, rotationMs } = options;
  const now = options.now ?? (() => new Date());
  const keys = new Map<string, Buffer>();
  let current: { id: string; key: Buffer; createdAt: number } | undefined;
  let making: Promise<{ id: string; key: Buffer; createdAt: number }> | undefined;

  async function make() {
    const createdAt = now();
    const key = randomBytes(KEY_BYTES);
    const id = randomUUID();
    await repo.insert({ id, purpose, wrapped: await wrapper.wrapKey(key), createdAt });
    keys.set(id, key);
    return { id, key, createdAt: createdAt.getTime() };
  }

  return {
    purpose,
    async current() {
      if (current && now().getTime() - current.createdAt < rotationMs) return current;
      // Concurrent first queries of a period share one new key instead of each making one.
      making ??= make().finally(() => (making = undefined));
      current = await making;
      return current;
    },
    async byId(id) {
      const cached = keys.get(id);
      if (cached) return cached;
      const stored = await repo.get(id);
      if (!stored) throw new SealError(`data key ${id} is not stored (retired, or never made)`);
      if (stored.purpose !== purpose) {
        throw new SealError(`data key ${id} is a ${stored.purpose} key, not ${purpose}`);
      }
      try {
        const key = Buffer.from(await wrapper.unwrapKey(stored.wrapped));
        if (key.length !== KEY_BYTES) throw new SealError(`data key ${id} is not ${KEY_BYTES} bytes`);
        keys.set(id, key);
        return key;
      } catch (err) {
        throw new SealError(`data key ${id} does not unwrap (${(err as Error).message})`, { cause: err });
      }
    },
    async retire() {
      const before = new Date(now().getTime() - rotationMs - RETIRE_GRACE_MS);
      const gone = await repo.deleteUnused(purpose, before);
      for (const id of gone) keys.delete(id);
      return gone;
    },
  };
}

function associatedData(purpose: string, dataKeyId: string, context: readonly string[]): Buffer {
  // JSON of a string array: unambiguous however the parts are chosen.
  return Buffer.from(JSON.stringify(['juc-sealed/v1', purpose, dataKeyId, ...context]), 'utf8');
}

export interface Sealer {
  seal(plaintext: Uint8Array, context: readonly string[]): Promise<Sealed>;
  /** The plaintext, or SealError when the value does not authenticate for this context. */
  open(value: Sealed, context: readonly string[]): Promise<Uint8Array>;
}

export function createSealer(ring: DataKeyRing): Sealer {
  return {
    async seal(plaintext, context) {
      const { id, key } = await ring.current();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associatedData(ring.purpose, id, context));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        dataKeyId: id,
        sealed: new Uint8Array(Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()])),
      };
    },
    async open(value, context) {
      const bytes = Buffer.from(value.sealed);
      if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
        throw new SealError('sealed value has the wrong length or version');
      }
      const key = await ring.byId(value.dataKeyId);
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(associatedData(ring.purpose, value.dataKeyId, context));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        return new Uint8Array(
          Buffer.concat([
            decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)),
            decipher.final(),
          ]),
        );
      } catch (err) {
        throw new SealError('sealed value does not authenticate for its row and key', { cause: err });
      }
    },
  };
}

/**
 * Deletes data keys nothing needs: a stored answer lives at most its TTL (the queries' cleanup deletes
 * it after), so a data key goes at most the TTL plus two cleanup intervals after it stopped sealing,
 * and with the last data key a KEK wrapped goes the last need for that KEK (docs/data-at-rest.md).
 */
export function dataKeyRetirement(
  ring: Pick<DataKeyRing, 'retire'>,
  logger: Logger,
  intervalMs: number,
): BackgroundTask & { runOnce(): Promise<string[]> } {
  return periodicTask({
    name: 'data-key-retirement',
    intervalMs,
    async run() {
      const gone = await ring.retire();
      if (gone.length) logger.info({ dataKeys: gone }, 'deleted data keys no stored value needs');
      return gone;
    },
    onError: (err) => logger.warn({ err }, 'data key retirement failed'),
  });
}
