/**
 * What every reliability check sees and returns. A check runs against a Target: the gateway over
 * real HTTP (the test app in `npm test`, the production-like cluster in `npm run reliability`),
 * its database, and callers holding real credentials. One code path, two runners.
 */
import type { Knex } from 'knex';

export type Caller =
  | 'anonymous'
  | 'citizen'
  | 'clerk'
  | 'client-dpop'
  | 'client-bearer'
  | 'client-read-only'
  | 'auditor'
  | 'admin';

export interface OutgoingRequest {
  method: string;
  /** Path and query, already encoded. */
  target: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The DPoP-bound bank client's raw material, for replay and substitution checks (A5, A6). */
export interface DpopMaterial {
  accessToken: string;
  /** A proof for (method, url); `jti` fixed when given (replays). */
  proof(method: string, url: string, jti?: string): Promise<string>;
  /** A proof for the same token signed by a key the token is not bound to. */
  foreignProof(method: string, url: string): Promise<string>;
}

/** A consent good for a query that releases data (client-dpop, this subject, this token). */
export interface Consented {
  rrn: string;
  token: string;
  consentId: string;
  purpose: string;
  recordType: string;
  /** Field names the consent grants for recordType (the policy may release fewer). */
  granted: string[];
}

export interface Target {
  name: 'test-app' | 'gateway';
  url: string;
  /** The gateway's database, connected as a superuser (fault hooks, cross-checks). */
  db: Knex;
  /** Connection string of that database (a second pool for locks and terminations). */
  dbUrl: string;
  callers: readonly Caller[];
  send(caller: Caller, request: OutgoingRequest): Promise<Response>;
  dpop(): Promise<DpopMaterial>;
  /** A fresh consent (3 uses) when a registry is behind the gateway, else undefined. */
  consented(): Promise<Consented | undefined>;
  /** The signed-in citizen approves a consent request about them on the approval screen. */
  approve(consentId: string): Promise<void>;
  /** The signed-in citizen's national id (their own audit trail is read back in I4). */
  citizenId: string;
  /** Log lines the gateway wrote so far. */
  logs(): string[];
  /** Process ids that must stay alive through DB faults (empty: this process). */
  gatewayPids(): number[];
  /** The gateway runs in this process (Object.prototype can be inspected). */
  inProcess: boolean;
  /** Request ids of 2xx answers that carried data, gathered by every check (the I1 cross-check). */
  released: string[];
  /** Body limit the gateway was configured with. */
  bodyLimitBytes: number;
  /** Query rate limit per client per minute the gateway was configured with. */
  queryRateLimitPerMinute: number;
  /** statement_timeout of the gateway's database sessions. */
  statementTimeoutMs: number;
}

export type Status = 'pass' | 'fail' | 'skipped';

export interface CheckResult {
  id: string;
  title: string;
  status: Status;
  /** The figure measured, short (goes in the table). */
  figure: string;
  /** Why it failed, what was skipped and why, scale, weakening reasons. */
  notes: string[];
  ms: number;
}

export interface Check {
  id: string;
  title: string;
  run(target: Target): Promise<Omit<CheckResult, 'id' | 'title' | 'ms'>>;
}

export const pass = (figure: string, notes: string[] = []) => ({ status: 'pass' as const, figure, notes });
export const fail = (figure: string, notes: string[]) => ({ status: 'fail' as const, figure, notes });
export const skipped = (reason: string) => ({ status: 'skipped' as const, figure: '-', notes: [reason] });
export const verdict = (ok: boolean, figure: string, notes: string[]) =>
  ok ? pass(figure, notes) : fail(figure, notes);

/** Runs checks one after another, each bounded in time; a thrown error is a failure with its message. */
export async function runChecks(
  checks: Check[],
  target: Target,
  options: { timeoutMs?: number; only?: Set<string>; onResult?: (r: CheckResult) => void } = {},
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of checks) {
    if (options.only && !options.only.has(check.id)) continue;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const limit = options.timeoutMs ?? 60_000;
    const result = await Promise.race([
      check
        .run(target)
        .catch((err: unknown) => fail('error', [`threw: ${(err as Error).stack ?? String(err)}`])),
      new Promise<ReturnType<typeof fail>>((resolve) => {
        timer = setTimeout(
          () => resolve(fail('timeout', [`did not finish within ${limit / 1000} s`])),
          limit,
        );
      }),
    ]);
    clearTimeout(timer);
    const row: CheckResult = { id: check.id, title: check.title, ...result, ms: Date.now() - started };
    out.push(row);
    options.onResult?.(row);
  }
  return out;
}
