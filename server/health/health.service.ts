/**
 * Liveness and readiness: ready means the database answers, migrations are applied, audit entries
 * can be written (F4: no data without its entry, so no traffic either) and we are not draining.
 */
import { createAuditWrites, type AuditWriteState } from './audit-writes.js';

export type CheckResult = 'ok' | 'failing' | 'pending';

export interface ReadinessReport {
  ready: boolean;
  checks: { database: CheckResult; migrations: CheckResult; audit: AuditWriteState; draining: boolean };
}

export interface ReadinessProbes {
  pingDatabase(): Promise<void>;
  pendingMigrations(): Promise<number>;
  isDraining(): boolean;
  /** How long a failed audit append keeps the process not ready when nothing else is written. */
  auditRetryAfterMs?: number;
  now?: () => number;
  /** Bounds each probe so /readyz answers even when the database hangs. */
  timeoutMs?: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createHealthService(probes: ReadinessProbes) {
  const timeoutMs = probes.timeoutMs ?? 2000;
  // Once every migration is applied that stays true until a rollback, which restarts the process.
  let migrationsApplied = false;
  const auditWrites = createAuditWrites({
    ...(probes.auditRetryAfterMs !== undefined ? { retryAfterMs: probes.auditRetryAfterMs } : {}),
    ...(probes.now ? { now: probes.now } : {}),
  });

  return {
    /** While draining, responses ask clients not to reuse the connection (see app.ts). */
    isDraining: () => probes.isDraining(),
    /** The audit log tells us whether each append was accepted (F4: not ready while it refuses). */
    auditAppended: (accepted: boolean) => auditWrites.record(accepted),

    async readiness(): Promise<ReadinessReport> {
      const draining = probes.isDraining();
      const audit = auditWrites.state();
      let database: CheckResult = 'ok';
      let migrations: CheckResult = migrationsApplied ? 'ok' : 'pending';
      try {
        await withTimeout(probes.pingDatabase(), timeoutMs);
        if (!migrationsApplied) {
          const pending = await withTimeout(probes.pendingMigrations(), timeoutMs);
          migrationsApplied = pending === 0;
          migrations = migrationsApplied ? 'ok' : 'pending';
        }
      } catch {
        database = 'failing';
        if (!migrationsApplied) migrations = 'failing';
      }
      return {
        ready: !draining && database === 'ok' && migrations === 'ok' && audit === 'ok',
        checks: { database, migrations, audit, draining },
      };
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
