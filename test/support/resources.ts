// Shared, lazily started test resources (database, identity provider, registry). Each registers a stopper.
type Stopper = () => Promise<void>;
const stoppers: Stopper[] = [];

export function onStopAll(stop: Stopper): void {
  stoppers.push(stop);
}

export async function stopAll(): Promise<void> {
  while (stoppers.length) {
    const stop = stoppers.pop()!;
    try {
      await stop();
    } catch (err) {
      console.error('test resource failed to stop', err);
    }
  }
}
