/**
 * Bulkhead: at most `maxConcurrent` calls to one provider at a time and at most `maxQueued`
 * waiting, so one slow registry cannot hold every request (and socket) of the gateway.
 */
export class BulkheadFullError extends Error {
  constructor() {
    super('too many requests to this provider in flight');
    this.name = 'BulkheadFullError';
  }
}

export class Bulkhead {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  #active = 0;
  readonly #queue: { resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(maxConcurrent: number, maxQueued: number) {
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
  }

  get active(): number {
    return this.#active;
  }
  get queued(): number {
    return this.#queue.length;
  }

  /** Resolves with a release function once a slot is free; rejects when full or when the signal aborts first. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw signal.reason;
    if (this.#active < this.maxConcurrent) {
      this.#active += 1;
      return this.#releaser();
    }
    if (this.#queue.length >= this.maxQueued) throw new BulkheadFullError();
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next)
        next.resolve(); // the slot passes straight to the next waiter
      else this.#active -= 1;
    };
  }
}
