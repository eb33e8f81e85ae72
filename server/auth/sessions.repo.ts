/**
 * Server-side browser sessions, sign-ins in progress and DPoP replay records in PostgreSQL. The
 * browser only ever holds random tokens; the tables hold their SHA-256, so reading the database does
 * not yield a usable cookie.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { preparedQuery } from '../db/prepared.js';
import type { Principal } from './principal.js';
import type { ReplayStore } from './replay-store.js';

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

export interface SessionTimeouts {
  idleSec: number;
  absoluteSec: number;
}

export interface Session {
  /** SHA-256 of the cookie token; also the stable session id we expose (e.g. in principals). */
  idHash: string;
  principal: Principal;
  csrfSecret: string;
  idpIssuer: string;
  createdAt: Date;
  lastSeenAt: Date;
  idleExpiresAt: Date;
  expiresAt: Date;
}

interface SessionRow {
  id_hash: string;
  principal: Principal;
  csrf_secret: string;
  idp_issuer: string;
  created_at: Date;
  last_seen_at: Date;
  idle_expires_at: Date;
  expires_at: Date;
}

const toSession = (r: SessionRow): Session => ({
  idHash: r.id_hash,
  principal: r.principal,
  csrfSecret: r.csrf_secret,
  idpIssuer: r.idp_issuer,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  idleExpiresAt: r.idle_expires_at,
  expiresAt: r.expires_at,
});

export type LoginKind = 'citizen' | 'clerk' | 'staff';

export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  kind: LoginKind;
  returnTo: string;
  redirectUri: string;
}

/** Sliding idle timeout: last_seen is only rewritten when it is this stale, to spare writes. */
const TOUCH_AFTER_MS = 30_000;

/**
 * A session read and, when its last sign of life is $3 seconds old, its idle deadline pushed to
 * $4 seconds from now (never past the absolute expiry), in one statement. $1 token hash, $2 now.
 * The push commits without waiting for the WAL flush: a crash can forget the last moments of
 * pushes, which only ends idle sessions a little sooner.
 */
const FIND_SQL = `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS sc), found AS (
    SELECT s.* FROM auth_session s, relaxed
    WHERE s.id_hash = $1 AND s.expires_at > $2::timestamptz AND s.idle_expires_at > $2::timestamptz
  ), touched AS (
    UPDATE auth_session s
    SET last_seen_at = $2::timestamptz,
      idle_expires_at = LEAST($2::timestamptz + make_interval(secs => $4::int), s.expires_at)
    FROM found f
    WHERE s.id_hash = f.id_hash AND f.last_seen_at <= $2::timestamptz - make_interval(secs => $3::int)
    RETURNING s.last_seen_at, s.idle_expires_at
  )
  SELECT found.*, touched.last_seen_at AS touched_seen, touched.idle_expires_at AS touched_idle
  FROM found LEFT JOIN touched ON true`;
export const LOGIN_TTL_SEC = 600;

export function createSessionsRepo(db: Knex, timeouts: SessionTimeouts, now: () => Date = () => new Date()) {
  const after = (sec: number, from = now()) => new Date(from.getTime() + sec * 1000);

  return {
    timeouts,

    /** A new session; returns the cookie token (shown once, never stored). */
    async create(principal: Principal, idpIssuer: string): Promise<{ token: string; session: Session }> {
      const token = randomToken();
      const t = now();
      const [row] = (await db('auth_session')
        .insert({
          id_hash: tokenHash(token),
          principal: JSON.stringify(principal),
          csrf_secret: randomToken(),
          idp_issuer: idpIssuer,
          created_at: t,
          last_seen_at: t,
          idle_expires_at: after(timeouts.idleSec, t),
          expires_at: after(timeouts.absoluteSec, t),
        })
        .returning('*')) as SessionRow[];
      return { token, session: toSession(row!) };
    },

    /**
     * The live session for a cookie token, its idle deadline pushed forward; undefined when ended.
     * One round trip (FIND_SQL): the read, and the push when the last one is TOUCH_AFTER_MS old.
     */
    async find(token: string): Promise<Session | undefined> {
      if (token.length < 20 || token.length > 100) return undefined;
      const t = now();
      const [row] = await preparedQuery<
        SessionRow & { touched_seen: Date | null; touched_idle: Date | null }
      >(db, {
        sql: FIND_SQL,
        bindings: [tokenHash(token), t.toISOString(), TOUCH_AFTER_MS / 1000, timeouts.idleSec],
      });
      if (!row) return undefined;
      const session = toSession(row);
      if (row.touched_seen && row.touched_idle) {
        session.lastSeenAt = row.touched_seen;
        session.idleExpiresAt = row.touched_idle;
      }
      return session;
    },

    async destroy(token: string): Promise<boolean> {
      return (await db('auth_session').where('id_hash', tokenHash(token)).delete()) > 0;
    },

    async savePendingLogin(login: PendingLogin): Promise<string> {
      const binding = randomToken();
      await db('auth_login').insert({
        binding_hash: tokenHash(binding),
        state: login.state,
        nonce: login.nonce,
        code_verifier: login.codeVerifier,
        kind: login.kind,
        return_to: login.returnTo,
        redirect_uri: login.redirectUri,
        expires_at: after(LOGIN_TTL_SEC),
      });
      return binding;
    },

    /** Single use: the row is deleted as it is read. */
    async takePendingLogin(binding: string): Promise<PendingLogin | undefined> {
      if (binding.length < 20 || binding.length > 100) return undefined;
      const [row] = (await db('auth_login')
        .where('binding_hash', tokenHash(binding))
        .andWhere('expires_at', '>', now())
        .delete()
        .returning('*')) as {
        state: string;
        nonce: string;
        code_verifier: string;
        kind: LoginKind;
        return_to: string;
        redirect_uri: string;
      }[];
      if (!row) return undefined;
      return {
        state: row.state,
        nonce: row.nonce,
        codeVerifier: row.code_verifier,
        kind: row.kind,
        returnTo: row.return_to,
        redirectUri: row.redirect_uri,
      };
    },

    /** Deletes ended sessions, abandoned sign-ins and DPoP ids past their window. */
    async purgeExpired(): Promise<{ sessions: number; logins: number; dpop: number }> {
      const t = now();
      const sessions = await db('auth_session')
        .where('expires_at', '<=', t)
        .orWhere('idle_expires_at', '<=', t)
        .delete();
      const logins = await db('auth_login').where('expires_at', '<=', t).delete();
      const dpop = await db('dpop_replay').where('expires_at', '<=', t).delete();
      return { sessions, logins, dpop };
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;

/** A replay-store key `<jkt>:<jti>` as its two columns. */
export function proofIdColumns(key: string): { jkt: string; jti: string } {
  const colon = key.indexOf(':');
  return colon < 0 ? { jkt: '', jti: key } : { jkt: key.slice(0, colon), jti: key.slice(colon + 1) };
}

/**
 * Claims a proof id as a data-modifying statement over the given parameter expressions: returns
 * one row for the first claim (or a claim of a row past its expiry), none for a replay, nothing
 * at all when `jti` is null. Shared with the query gateway's admission statement
 * (server/queries/queries.repo.ts), which claims the proof id of POST /v1/queries there.
 */
export function claimProofIdSql(p: {
  jkt: string;
  jti: string;
  expiresAt: string;
  now: string;
  from?: string;
}) {
  const { jkt, jti, expiresAt, now } = p;
  return `INSERT INTO dpop_replay (jkt, jti, expires_at)
    SELECT ${jkt}, ${jti}, ${expiresAt} ${p.from ?? ''} WHERE ${jti} IS NOT NULL
    ON CONFLICT (jkt, jti) DO UPDATE SET expires_at = excluded.expires_at WHERE dpop_replay.expires_at <= ${now}
    RETURNING 1`;
}

/**
 * The ReplayStore of the access-token verifier in PostgreSQL, shared by every gateway process.
 * Keys are `<jkt>:<jti>`; a row past its expiry may be claimed again (the proof would be refused
 * as too old by then anyway). Committed without waiting for the WAL flush: only a crash within
 * the flush delay (≤ 3 × wal_writer_delay) could forget a proof id, and replaying it would still
 * need the proof, its access token and the same method and URL within the proof's minute.
 */
export function createPgReplayStore(db: Knex, now: () => Date = () => new Date()): ReplayStore {
  const sql = `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
    ${claimProofIdSql({ jkt: '?::text', jti: '?::text', expiresAt: '?::timestamptz', now: '?::timestamptz', from: 'FROM relaxed' })}`;
  return {
    async markUsed(key, expiresAt) {
      const { jkt, jti } = proofIdColumns(key);
      const result = await db.raw<{ rows: unknown[] }>(sql, [jkt, jti, expiresAt, jti, now()]);
      return result.rows.length === 1;
    },
  };
}
