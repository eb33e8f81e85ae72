/**
 * Resilience around the calls to one registry, from cockatiel: a bulkhead (at most maxConcurrent calls in
 * flight and maxQueued waiting, the rest refused at once), a circuit breaker (`threshold` failed calls in
 * a row open it; after `cooldownMs` one trial call decides), and at most 2 retries of an attempt's
 * transient failure with exponential backoff and half jitter. Where cockatiel's defaults differ from
 * what the gateway promises (docs in server/providers/README.md), the difference is bridged here.
 */
import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleType,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  type GeneratorFn,
} from 'cockatiel';
import { ProviderError } from '../errors.js';
import { AttemptFailure } from './http-attempt.js';
import { SubjectNotFoundError } from './provider.errors.js';

export type CircuitStateName = 'closed' | 'open' | 'half-open';

export interface ResilienceSettings {
  /** Provider id, named in every error. */
  id: string;
  maxConcurrent: number;
  maxQueued: number;
  breaker: { threshold: number; cooldownMs: number };
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff step; each retry doubles it. */
  retryBaseMs: number;
  random: () => number;
  onCircuit?: (state: CircuitStateName) => void;
}

/** A call refused before any attempt (bulkhead full, queued past the deadline, circuit open). */
export class Refused extends Error {
  readonly error: ProviderError;
  constructor(error: ProviderError) {
    super(error.message);
    this.error = error;
  }
}

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/** Rejects when `signal` aborts while `armed()` holds; `off()` stops listening. */
function abortWhile(signal: AbortSignal, armed: () => boolean, error: () => Error) {
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      if (armed()) reject(error());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return { aborted, off: () => signal.removeEventListener('abort', onAbort) };
}

export function registryResilience(s: ResilienceSettings) {
  const slots = bulkhead(s.maxConcurrent, s.maxQueued);
  const breaker = circuitBreaker(handleType(ProviderError), {
    halfOpenAfter: s.breaker.cooldownMs,
    breaker: new ConsecutiveBreaker(s.breaker.threshold),
  });
  // cockatiel keeps its own opening time private; the same clock (Date.now) is read here for Retry-After.
  let openedAt = 0;
  breaker.onBreak(() => (openedAt = Date.now()));
  breaker.onStateChange((state) => s.onCircuit?.(STATE_NAMES[state]));
  // Half of each step fixed, half random, so the retries of many callers spread out.
  const halfJitter: GeneratorFn<number> = (attempts = 0, options) => {
    const step = options.initialDelay * 2 ** attempts;
    return [step / 2 + s.random() * (step / 2), attempts + 1];
  };
  const backoff = new ExponentialBackoff({ initialDelay: s.retryBaseMs, generator: halfJitter });
  const retryable = handleWhen((err) => err instanceof AttemptFailure && err.retryable);

  const coolingDown = () =>
    breaker.state === CircuitState.Open && Date.now() - openedAt < s.breaker.cooldownMs;
  const retryAfterMs = () =>
    breaker.state === CircuitState.Open ? Math.max(0, s.breaker.cooldownMs - (Date.now() - openedAt)) : 0;
  const circuitOpen = () =>
    new Refused(
      new ProviderError(
        s.id,
        'unavailable',
        `the circuit to this registry is open; retry in ${Math.ceil(retryAfterMs() / 1000)} s`,
      ),
    );

  function inSlot<T>(deadline: AbortSignal, fn: () => Promise<T>): Promise<T> {
    const queuedTooLong = () =>
      new Refused(new ProviderError(s.id, 'timeout', 'the deadline passed while queued for this registry'));
    if (deadline.aborted) return Promise.reject(queuedTooLong());
    let started = false;
    const wait = abortWhile(deadline, () => !started, queuedTooLong);
    // The deadline is not handed to cockatiel: a waiter it drops for an aborted signal does not start
    // the next one. A waiter whose caller gave up takes its turn and ends at once instead.
    const run = slots
      .execute(() => {
        started = true;
        return deadline.aborted ? Promise.reject(queuedTooLong()) : fn();
      })
      .catch((err: unknown) => {
        if (!isBulkheadRejectedError(err)) throw err;
        throw new Refused(
          new ProviderError(s.id, 'unavailable', 'too many requests to this registry are in flight'),
        );
      });
    return Promise.race([run, wait.aborted]).finally(wait.off);
  }

  async function throughBreaker<T>(fn: () => Promise<T>): Promise<T> {
    // cockatiel queues callers behind the half-open trial; the gateway fails them fast instead.
    if (breaker.state === CircuitState.HalfOpen) throw circuitOpen();
    let outcome: { value: T } | { notFound: SubjectNotFoundError };
    try {
      outcome = await breaker.execute(async () => {
        try {
          return { value: await fn() };
        } catch (err) {
          // "No such subject" is the registry answering: for the circuit, a success.
          if (err instanceof SubjectNotFoundError) return { notFound: err };
          throw err;
        }
      });
    } catch (err) {
      throw isBrokenCircuitError(err) ? circuitOpen() : err;
    }
    if ('notFound' in outcome) throw outcome.notFound;
    return outcome.value;
  }

  async function withRetries<T>(
    deadline: AbortSignal,
    attempt: (n: number) => Promise<T>,
  ): Promise<{ value: T; attempts: number }> {
    // One policy per call, so that its onRetry speaks of this call's backoff only.
    const policy = retry(retryable, { maxAttempts: s.maxRetries, backoff });
    const retryTimeout = () =>
      new ProviderError(s.id, 'timeout', 'the deadline passed while waiting to retry');
    let attempts = 0;
    let backingOff = false;
    const retried = policy.onRetry(() => (backingOff = true));
    // cockatiel's backoff sleep does not listen to the signal: the deadline ends the wait here.
    const wait = abortWhile(deadline, () => backingOff, retryTimeout);
    const run = policy.execute(() => {
      backingOff = false;
      // After a backoff the race has already answered; a first attempt checks the deadline itself.
      if (attempts > 0 && deadline.aborted) throw retryTimeout();
      attempts += 1;
      return attempt(attempts);
    }, deadline);
    try {
      return { value: await Promise.race([run, wait.aborted]), attempts };
    } catch (err) {
      if (!(err instanceof AttemptFailure)) throw err;
      Object.assign(err.error, { attempts });
      throw err.error;
    } finally {
      retried.dispose();
      wait.off();
    }
  }

  return {
    /**
     * One call: a slot, then the circuit, then attempts. Rejects with Refused when no attempt was
     * made, else with the last attempt's error (its `attempts` set).
     */
    call<T>(
      deadline: AbortSignal,
      attempt: (n: number) => Promise<T>,
    ): Promise<{ value: T; attempts: number }> {
      return inSlot(deadline, () => throughBreaker(() => withRetries(deadline, attempt)));
    },
    /** 'half-open' once an open circuit's cooldown has passed, before the trial call is made. */
    circuitState(): CircuitStateName {
      return breaker.state === CircuitState.Open && !coolingDown() ? 'half-open' : STATE_NAMES[breaker.state];
    },
    stats: () => ({
      active: s.maxConcurrent - slots.executionSlots,
      queued: s.maxQueued - slots.queueSlots,
    }),
  };
}
