/**
 * Circuit breaker per provider. Closed: calls pass, consecutive failures are counted. After
 * `threshold` failures in a row it opens: calls fail fast for `cooldownMs`. Then half-open: one
 * trial call passes (others still fail fast); its success closes the circuit, its failure opens it again.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  threshold: number;
  cooldownMs: number;
  now?: () => number;
  onStateChange?: (state: CircuitState) => void;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly #onStateChange: ((state: CircuitState) => void) | undefined;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.#threshold = options.threshold;
    this.#cooldownMs = options.cooldownMs;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = options.onStateChange;
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#cooldownMs) this.#set('half-open');
    return this.#state;
  }

  /** Milliseconds until an open circuit lets a trial through. */
  retryAfterMs(): number {
    return this.#state === 'open' ? Math.max(0, this.#cooldownMs - (this.#now() - this.#openedAt)) : 0;
  }

  /** Asks to make a call; false means fail fast. A true answer must be followed by success() or failure(). */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  success(): void {
    this.#trialInFlight = false;
    this.#failures = 0;
    if (this.#state !== 'closed') this.#set('closed');
  }

  failure(): void {
    this.#trialInFlight = false;
    if (this.#state === 'half-open') return this.#open();
    this.#failures += 1;
    if (this.#state === 'closed' && this.#failures >= this.#threshold) this.#open();
  }

  /** The call ended without telling anything about the provider's health (e.g. the caller gave up first). */
  release(): void {
    this.#trialInFlight = false;
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#failures = 0;
    this.#set('open');
  }

  #set(state: CircuitState): void {
    this.#state = state;
    this.#onStateChange?.(state);
  }
}
