/**
 * Load shedding for the API (reliability check L2: excess load gets 503 at once instead of queueing
 * until every answer is late). Each process admits at most `limit` API requests at a time; the limit
 * moves AIMD-style (as Netflix's concurrency-limits): while the process is saturated (more than a
 * quarter of its limit, and more than the floor, in flight), an answer slower than the target cuts
 * the limit to 90 % of what was in flight and a timely one raises it by 1/limit; below saturation
 * timely answers raise it by 1, so a quiet process takes bursts up to `maxInFlight` again. A slow
 * answer at low concurrency is a slow machine, not a queue, and leaves
 * the limit alone. Admission is also capped at twice the concurrency the process has lately answered
 * in time (that figure halves every 10 s; the cap never falls below a quarter of `maxInFlight`): a
 * quiet process's limit climbs to `maxInFlight`, and an overload that starts then was admitted 64 a
 * worker at once, all queued for seconds before the first slow answer could cut the limit (L2's
 * first second: accepted p99 1.1–1.8 s). The excess is refused before any parsing, authentication or database work: the
 * 503 is written here, not passed down the error chain, whose refusal steps would authenticate the
 * query and write its audit entry (server/queries/refusal-steps.ts) — the very work shedding is
 * there to spare. Like any request refused before authentication it names no requester, so it is
 * logged and metered (http_requests_shed_total), not audited.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.js';
import { sendProblem } from '../http/problem.js';

export interface ShedSettings {
  /** Latency (ms) above which an answer completed under saturation lowers the limit. */
  targetLatencyMs: number;
  /** The limit never falls below this many requests in flight. */
  minInFlight: number;
  /** Nor rises above this; it starts here. */
  maxInFlight: number;
  /** Test-only: the clock (ms) by which the concurrency answered in time is forgotten. */
  now?: () => number;
}

/** The concurrency lately answered in time halves in this time without a new one as high. */
const PROVEN_HALF_LIFE_MS = 10_000;

export interface LoadShedder {
  /** Takes a place when one is free under the current limit. */
  tryEnter(): boolean;
  /** Gives the place back, with the answer's latency in ms. */
  leave(latencyMs: number): void;
  /** The AIMD limit. */
  limit(): number;
  /** What is admitted now: the limit, or the cap from the concurrency lately answered in time. */
  admits(): number;
  inFlight(): number;
}

export function createLoadShedder(settings: ShedSettings): LoadShedder {
  const now = settings.now ?? (() => performance.now());
  let inFlight = 0;
  let limit = settings.maxInFlight;
  // Until its first timely answer a process has nothing to go by: it admits up to `maxInFlight`.
  let proven: number | undefined;
  let provenAt = now();
  const recentlyProven = (t: number) => (proven ?? 0) * 0.5 ** ((t - provenAt) / PROVEN_HALF_LIFE_MS);
  const cap = () =>
    proven === undefined
      ? settings.maxInFlight
      : Math.max(settings.maxInFlight / 4, settings.minInFlight, 2 * recentlyProven(now()));
  return {
    tryEnter() {
      if (inFlight >= Math.floor(Math.min(limit, cap()))) return false;
      inFlight++;
      return true;
    },
    leave(latencyMs) {
      const saturated = inFlight > Math.max(settings.minInFlight, limit / 4);
      const busy = inFlight;
      inFlight--;
      const timely = latencyMs <= settings.targetLatencyMs;
      const t = now();
      if (timely && busy >= recentlyProven(t)) {
        proven = busy;
        provenAt = t;
      }
      // A cut starts from what was really in flight, not from a limit far above it.
      if (saturated) limit = timely ? limit + 1 / limit : Math.min(limit, busy) * 0.9;
      else if (timely) limit += 1;
      limit = Math.min(settings.maxInFlight, Math.max(settings.minInFlight, limit));
    },
    limit: () => Math.floor(limit),
    admits: () => Math.floor(Math.min(limit, cap())),
    inFlight: () => inFlight,
  };
}

const AT_CAPACITY = new AppError(503, 'service_unavailable', 'Service unavailable', {
  detail: 'The gateway is at capacity. Try again shortly.',
  headers: { 'Retry-After': '1' },
});

/** The API's requests (`/v1/…`) pass the shedder; pages, health and metrics do not. */
export function loadShedding(shedder: LoadShedder, onShed?: () => void) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/v1/')) return next();
    if (!shedder.tryEnter()) {
      onShed?.();
      return sendProblem(res, AT_CAPACITY, req.id ? String(req.id) : undefined);
    }
    const started = performance.now();
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      shedder.leave(performance.now() - started);
    };
    res.once('finish', leave);
    res.once('close', leave);
    next();
  };
}
