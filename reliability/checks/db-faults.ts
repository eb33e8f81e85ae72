/**
 * F2 and F3 (reliability.md §5.2), quick enough for `npm test`: every app backend terminated, and
 * the audit table locked so writes wait. Both through a second connection of our own.
 */
import pg from 'pg';
import { call, consentedQuery, countBy, query, releasedRecords, sleep } from '../http.js';
import { skipped, verdict, type Check, type Target } from '../types.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function admin<T>(target: Target, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: target.dbUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A request that reads the database: the citizen's consents, else the purposes list. */
const dbRead = (target: Target) =>
  target.callers.includes('citizen')
    ? call(target, 'citizen', 'GET', '/v1/me/consents')
    : call(target, 'anonymous', 'GET', '/v1/purposes');

export const F2: Check = {
  id: 'F2',
  title: 'every app backend terminated (idle and busy)',
  async run(target) {
    const pids = target.gatewayPids();
    // Busy backends: reads in flight while the terminations land.
    const busy = Array.from({ length: 6 }, () => dbRead(target));
    const killed = await admin(target, async (client) => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      return rows[0]!.n;
    });
    const during = await Promise.all(busy);
    const after: number[] = [];
    for (let i = 0; i < 100; i++) after.push((await dbRead(target)).status);
    const bad: string[] = [];
    const dead = pids.filter((p) => !alive(p));
    if (dead.length) bad.push(`gateway processes gone: ${dead.join(', ')}`);
    const wrong = during.filter((a) => a.status !== 200 && a.status !== 503);
    if (wrong.length)
      bad.push(`in flight: ${JSON.stringify(countBy(wrong.map((a) => a.status)))} (expected 200 or 503)`);
    const failedAfter = after.filter((s) => s !== 200).length;
    if (failedAfter)
      bad.push(`${failedAfter} of the next 100 requests failed: ${JSON.stringify(countBy(after))}`);
    return verdict(
      bad.length === 0,
      `${killed} backends terminated; in flight ${JSON.stringify(countBy(during.map((a) => a.status)))}; next 100: ${100 - failedAfter} ok`,
      bad,
    );
  },
};

export const F3: Check = {
  id: 'F3',
  title: 'slow database: audit table locked 5 s',
  async run(target) {
    const statementTimeout = target.statementTimeoutMs;
    if (statementTimeout > 5000)
      return skipped(
        `this target's statement_timeout is ${statementTimeout} ms (the test app shares the test pool): the locked requests would hold the check that long; npm run reliability runs it against the gateway with 2 s`,
      );
    const c = await target.consented();
    const bad: string[] = [];
    const answers = await admin(target, async (client) => {
      await client.query('BEGIN');
      await client.query('LOCK TABLE audit_queue IN EXCLUSIVE MODE');
      const lockedAt = Date.now();
      const sent = Array.from({ length: 4 }, (_, i) =>
        c && i < 2
          ? query(target, consentedQuery(c))
          : query(target, {
              purpose: 'account.opening',
              subject: { scheme: 'rrn', id: target.citizenId },
              mode: 'full',
              records: [{ recordType: 'resident.registration-abstract' }],
            }),
      );
      const done = await Promise.all(sent);
      await sleep(Math.max(0, 5000 - (Date.now() - lockedAt)));
      await client.query('COMMIT');
      return done;
    });
    const released = Date.now();
    let recovery = -1;
    while (Date.now() - released < 10_000) {
      const probe = c
        ? await query(target, consentedQuery(c))
        : await call(target, 'anonymous', 'GET', '/readyz');
      if (c ? releasedRecords(probe).length : probe.status === 200) {
        recovery = Date.now() - released;
        break;
      }
      await sleep(100);
    }
    const limit = (statementTimeout || 5000) + 1000;
    const slow = answers.filter((a) => a.ms > limit);
    const wrong = answers.filter((a) => a.status !== 503);
    const leaked = answers.filter((a) => releasedRecords(a).length);
    if (wrong.length)
      bad.push(`while locked: ${JSON.stringify(countBy(wrong.map((a) => a.status)))} (expected 503)`);
    if (slow.length)
      bad.push(`${slow.length} answers took longer than statement_timeout + 1 s (${limit} ms)`);
    if (leaked.length) bad.push(`${leaked.length} answers released data while the audit table was locked`);
    if (recovery < 0 || recovery > 5000)
      bad.push(`recovery ${recovery < 0 ? 'never' : `${recovery} ms`} (≤ 5 s)`);
    return verdict(
      bad.length === 0,
      `while locked: ${JSON.stringify(countBy(answers.map((a) => a.status)))}, slowest ${Math.round(Math.max(...answers.map((a) => a.ms)))} ms (timeout ${statementTimeout} ms); recovery ${recovery} ms`,
      [...bad, 'in-flight cap: not measured in-process (the L2 overload check measures shedding)'],
    );
  },
};
