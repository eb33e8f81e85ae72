/**
 * A background task that runs one job every interval: never two runs at once, a failed run logged
 * and retried at the next tick, the timer not holding the process open, and stop() waiting for the
 * run in progress. The poll loop of retention, data-key retirement, auth cleanup and the like.
 */
import type { BackgroundTask } from './types.js';

export function periodicTask<T>(options: {
  name: string;
  intervalMs: number;
  run: () => Promise<T>;
  onError: (err: unknown) => void;
  /** Also run once at start, not only after the first interval. */
  runAtStart?: boolean;
}): BackgroundTask & { runOnce(): Promise<T> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= options
      .run()
      .catch(options.onError)
      .finally(() => (running = undefined));
  };
  return {
    name: options.name,
    runOnce: options.run,
    start() {
      if (timer) return;
      if (options.runAtStart) tick();
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
