/**
 * Chooses the key store from configuration (KEY_STORE): files under KEY_STORE_DIR, the zero-setup
 * default, or a PKCS#11 token. Outside production a missing key is generated in either.
 */
import type { Config } from '../config.js';
import { FileKeyStore } from './file-key-store.js';
import type { ManagedKeyStore } from './key-store.js';
import { Pkcs11KeyStore } from './pkcs11-key-store.js';

export async function openKeyStore(
  config: Pick<Config, 'keyStore' | 'keyStoreDir' | 'nodeEnv'>,
  options: { now?: () => Date; allowGenerate?: boolean } = {},
): Promise<ManagedKeyStore> {
  const allowGenerate = options.allowGenerate ?? config.nodeEnv !== 'production';
  const now = options.now ? { now: options.now } : {};
  const { pkcs11 } = config.keyStore;
  if (config.keyStore.kind === 'pkcs11' && pkcs11) {
    return Pkcs11KeyStore.open({ ...pkcs11, allowGenerate, ...now });
  }
  return FileKeyStore.open({ dir: config.keyStoreDir, allowGenerate, ...now });
}
