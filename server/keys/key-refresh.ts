/**
 * Keeps a running server's key store in step with rotations made by `npm run keys` in another
 * process, and closes the store (the PKCS#11 session) when the server stops.
 */
import type { ManagedKeyStore } from './key-store.js';

/** Often enough that a key rotated by the CLI signs within a minute, cheap enough to be unnoticed. */
export const KEY_RELOAD_MS = 60_000;

export function keyStoreTask(
  keys: ManagedKeyStore,
  onError: (err: unknown) => void,
  intervalMs = KEY_RELOAD_MS,
): { name: string; start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'keys',
    start() {
      timer = setInterval(() => keys.reload().catch(onError), intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await keys.close();
    },
  };
}
