// Shared, lazily started test resources (database, identity provider, registry). Each registers a stopper.
type Stopper = () => Promise<void>;
const stoppers: Stopper[] = [];

export function onStopAll(stop: Stopper): void {
  stoppers.push(stop);
}

/** Stops everything, newest first; a stopper that hangs is reported and left behind after 15 s. */
export async function stopAll(): Promise<void> {
  while (stoppers.length) {
    const stop = stoppers.pop()!;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        stop(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('did not stop within 15 s')), 15_000);
        }),
      ]);
    } catch (err) {
      console.error('test resource failed to stop', err);
    } finally {
      clearTimeout(timer);
    }
  }
}
