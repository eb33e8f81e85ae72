/**
 * A per-process cache of rows that rarely change (clients, organisations, purposes, entitlements),
 * invalidated by PostgreSQL itself: triggers on those tables NOTIFY a channel when a change commits
 * (migration 082), a dedicated connection LISTENs, and any notification empties the cache. Writers
 * in this process call invalidate() as well, so their own next request never sees the old row,
 * whenever the notification arrives. While the listener is not connected nothing is cached (every
 * read goes to the database), and losing it empties the cache, so a missed notification cannot
 * keep a suspended client or a withdrawn entitlement alive.
 *
 * A value is stored only if no invalidation happened while it was being read, so a change that
 * commits during the read is never cached over.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { BackgroundTask } from '../shared/types.js';

interface ListenConnection {
  query(sql: string): Promise<unknown>;
  on(event: 'notification' | 'error' | 'end', listener: (arg?: unknown) => void): void;
}

export interface StateCache {
  /** The cached value of `key`, or load()'s (cached when nothing changed meanwhile). Failures are not cached. */
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
  invalidate(): void;
  /** True while changes are being heard (values are cached only then). */
  readonly listening: boolean;
  /** Connects the listener on start, closes it on stop. */
  task: BackgroundTask;
}

export function createStateCache(
  db: Knex,
  options: { channel: string; logger: Logger; reconnectMs?: number; maxEntries?: number },
): StateCache {
  const { channel, logger } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  const reconnectMs = options.reconnectMs ?? 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, unknown>();
  let generation = 0;
  let listening = false;
  let stopped = true;
  let connection: ListenConnection | undefined;
  let timer: NodeJS.Timeout | undefined;

  const invalidate = () => {
    generation++;
    entries.clear();
  };

  const retry = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, reconnectMs);
    timer.unref();
  };

  const lost = (conn: ListenConnection, err?: unknown) => {
    if (connection !== conn) return;
    connection = undefined;
    listening = false;
    invalidate();
    if (!stopped)
      logger.warn({ err, channel }, 'state cache: listener lost; reading through until it is back');
    void db.client.destroyRawConnection(conn).catch(() => undefined);
    retry();
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    let conn: ListenConnection | undefined;
    try {
      conn = (await db.client.acquireRawConnection()) as ListenConnection;
      const c = conn;
      c.on('notification', () => invalidate());
      c.on('error', (err) => lost(c, err));
      c.on('end', () => lost(c));
      await c.query(`LISTEN ${channel}`);
      if (stopped) {
        await db.client.destroyRawConnection(c);
        return;
      }
      connection = c;
      invalidate();
      listening = true;
    } catch (err) {
      if (conn) await db.client.destroyRawConnection(conn).catch(() => undefined);
      logger.warn({ err, channel }, 'state cache: cannot listen; reading through');
      retry();
    }
  }

  return {
    async get<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (!listening) return load();
      if (entries.has(key)) return entries.get(key) as T;
      const at = generation;
      const value = await load();
      if (listening && at === generation) {
        if (entries.size >= maxEntries) entries.clear();
        entries.set(key, value);
      }
      return value;
    },
    invalidate,
    get listening() {
      return listening;
    },
    task: {
      name: 'state-cache',
      start() {
        stopped = false;
        void connect();
      },
      async stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        timer = undefined;
        listening = false;
        invalidate();
        const conn = connection;
        connection = undefined;
        if (conn) await db.client.destroyRawConnection(conn).catch(() => undefined);
      },
    },
  };
}
