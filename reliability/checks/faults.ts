/**
 * F1, F4–F9 (reliability.md §5.2) on the production-like cluster under closed-loop load (the fault
 * suite's Load): PostgreSQL crash, a full audit store on a tmpfs, provider faults through the
 * fault proxy, packet loss on the provider link, SIGKILL and SIGTERM, and issuer trouble and skew.
 * F2 and F3 are in db-faults.ts (quick, also in npm test).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { verifyDatabase } from '../../server/audit/db-verifier.js';
import type { Answer, Load } from '../../test/faults/closed-loop.js';
import { call, countBy, round, sleep } from '../http.js';
import type { Rig } from '../rig.js';
import { skipped, verdict } from '../types.js';
import { missingReleased } from './integrity.js';
import type { LoadContext, RigCheck } from './load.js';

const within = (load: Load, from: number, to: number) =>
  load.answers.filter((a) => a.at >= from && a.done <= to);
const ids = (answers: Answer[]) => answers.filter((a) => a.data).map((a) => a.requestId ?? 'none');

/** Runs a closed loop, applies the fault, waits for a data answer, stops; missing entries recorded. */
async function underLoad(
  rig: Rig,
  ctx: LoadContext,
  id: string,
  fault: (load: Load) => Promise<number>,
  concurrency = 8,
) {
  const load = rig.closedLoop(await rig.items(1500), concurrency);
  load.start();
  await sleep(1500);
  const endedAt = await fault(load);
  let recoveredMs = -1;
  while (Date.now() - endedAt < 20_000) {
    const a = await load.query();
    load.answers.push(a);
    if (a.data) {
      recoveredMs = Date.now() - endedAt;
      break;
    }
    await sleep(100);
  }
  await sleep(1500);
  await load.stop();
  await sleep(1500);
  const missing = await missingReleased(rig.db(), ids(load.answers));
  ctx.missing[id] = missing;
  return { load, endedAt, recoveredMs, missing };
}

export const F1: RigCheck = {
  id: 'F1',
  title: 'PostgreSQL crash (stop -m immediate) under load, restart after 5 s',
  async run(rig, ctx) {
    let down = 0;
    let up = 0;
    const { load, recoveredMs, missing } = await underLoad(rig, ctx, 'F1', async () => {
      await rig.closeDb();
      rig.pg.crash();
      down = Date.now();
      await sleep(5000);
      rig.pg.start();
      up = Date.now();
      await rig.reopenDb();
      return up;
    });
    const during = within(load, down, up);
    const wrong = during.filter((a) => a.status !== 503 && a.status !== 0);
    const slow = during.filter((a) => a.done - a.at > 2000);
    const late = load.answers.filter((a) => a.at >= up + 10_000);
    const lateOk = late.length ? late.filter((a) => a.status === 200).length / late.length : 1;
    const alive = rig.workers().length === 2;
    const bad: string[] = [];
    if (!alive) bad.push('gateway workers missing after the crash');
    if (wrong.length)
      bad.push(
        `${wrong.length} answers while down were not 503: ${JSON.stringify(countBy(wrong.map((a) => a.status)))}`,
      );
    if (slow.length) bad.push(`${slow.length} answers while down took over 2 s`);
    if (recoveredMs < 0 || recoveredMs > 10_000)
      bad.push(`first data answer ${recoveredMs} ms after PostgreSQL was back`);
    if (lateOk < 0.99) bad.push(`success ${round(lateOk * 100)} % 10 s after restart`);
    if (missing) bad.push(`${missing} answers with data lack a committed entry`);
    return verdict(
      bad.length === 0,
      `while down ${during.length} answers (${JSON.stringify(countBy(during.map((a) => a.status)))}), slowest ${Math.max(0, ...during.map((a) => a.done - a.at))} ms; back in ${recoveredMs} ms; missing ${missing}`,
      [
        ...bad,
        `total ${load.answers.length} answers, ${load.answers.filter((a) => a.data).length} with data`,
      ],
    );
  },
};

function sh(cmd: string, args: string[], timeoutMs = 30_000) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || String(r.error ?? '') };
}

export const F4: RigCheck = {
  id: 'F4',
  title: 'audit storage full (tablespace on a tmpfs 16 MB larger than the audit tables)',
  async run(rig, ctx) {
    const dir = `/tmp/juc-reliability-tmpfs-${process.pid}`;
    mkdirSync(dir, { recursive: true });
    // The tables moved there must fit first: the earlier load phases wrote tens of MB of entries.
    const sized = (await rig.db().raw(
      `SELECT coalesce(sum(pg_total_relation_size(c)), 0)::bigint AS bytes FROM (
         SELECT 'audit_queue'::regclass AS c
         UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_entry'::regclass) t`,
    )) as { rows: { bytes: string }[] };
    const sizeMb = Math.ceil(Number(sized.rows[0]!.bytes) / 1_048_576) + 16;
    const mounted = sh('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
    if (!mounted.ok) {
      rmSync(dir, { recursive: true, force: true });
      return skipped(`cannot mount a tmpfs (${mounted.out}); needs root or CAP_SYS_ADMIN`);
    }
    const db = rig.db();
    try {
      sh('chown', ['postgres:postgres', dir]);
      await db.raw(`CREATE TABLESPACE reliability_full LOCATION '${dir}'`);
      // Where new audit rows land: the queue and every entry partition (the current month's included).
      const parts = (await db.raw(
        `SELECT inhrelid::regclass::text AS t FROM pg_inherits WHERE inhparent = 'audit_entry'::regclass`,
      )) as { rows: { t: string }[] };
      for (const t of ['audit_queue', ...parts.rows.map((r) => r.t)])
        await db.raw(`ALTER TABLE ${t} SET TABLESPACE reliability_full`);
      await db.raw(`CREATE TABLE reliability_filler (pad text) TABLESPACE reliability_full`);
      // Fill until PostgreSQL cannot extend a file there (53100 disk_full).
      for (let i = 0; i < 400; i++) {
        try {
          await db.raw(
            `INSERT INTO reliability_filler SELECT repeat(md5(random()::text), 60) FROM generate_series(1, 2000)`,
          );
          await db.raw('CHECKPOINT');
        } catch {
          break;
        }
      }
      let full = Date.now();
      let during: Answer[] = [];
      let readyDuring = 0;
      let metricDuring = '';
      // AU-5's alert: an error-level log line per refused write (what log-based alerting keys on), or a metric.
      const auditAlerts = () =>
        rig.target.logs().filter((l) => l.includes('"level":50') && l.includes('"code":"audit_unavailable"'))
          .length;
      const alertsBefore = auditAlerts();
      let alertLines = 0;
      const { load, recoveredMs, missing } = await underLoad(rig, ctx, 'F4', async (l) => {
        full = Date.now();
        await sleep(4000);
        const ready = await fetch(`${rig.target.url}/readyz`);
        readyDuring = ready.status;
        await ready.arrayBuffer();
        alertLines = auditAlerts() - alertsBefore;
        metricDuring = (await call(rig.target, 'anonymous', 'GET', '/metrics')).text
          .split('\n')
          .filter((line) => /audit.*(fail|error|unavailable)/i.test(line) && !line.startsWith('#'))
          .slice(0, 3)
          .join('; ');
        during = within(l, full + 200, Date.now());
        await db.raw('DROP TABLE reliability_filler');
        await db.raw('CHECKPOINT');
        return Date.now();
      });
      // Readiness back once appends are accepted again (the load above wrote some since the release).
      let readyAgainMs = -1;
      const freed = Date.now();
      while (Date.now() - freed < 15_000) {
        const res = await fetch(`${rig.target.url}/readyz`);
        await res.arrayBuffer();
        if (res.status === 200) {
          readyAgainMs = Date.now() - freed;
          break;
        }
        await sleep(200);
      }
      const released = during.filter((a) => a.data).length;
      const bad: string[] = [];
      if (released) bad.push(`${released} answers released data while the audit store was full`);
      if (during.some((a) => a.status !== 503 && a.status !== 0))
        bad.push(`statuses while full: ${JSON.stringify(countBy(during.map((a) => a.status)))}`);
      if (readyDuring === 200) bad.push('readiness stayed true while the audit store was full');
      if (readyAgainMs < 0) bad.push('readiness still false 15 s after the audit store had space again');
      if (!metricDuring && alertLines === 0) bad.push('no audit failure metric or error log line raised');
      if (recoveredMs < 0) bad.push('did not resume by itself when space returned');
      if (missing) bad.push(`${missing} answers with data lack a committed entry`);
      return verdict(
        bad.length === 0,
        `while full ${during.length} answers (${JSON.stringify(countBy(during.map((a) => a.status)))}), released ${released}, readyz ${readyDuring} (200 again ${readyAgainMs} ms after the load), resumed in ${recoveredMs} ms, missing ${missing}`,
        [
          ...bad,
          `alert: ${alertLines} error log lines with code audit_unavailable; metric: ${metricDuring || 'none'}; ${load.answers.length} answers in all`,
        ],
      );
    } finally {
      await db.raw('DROP TABLE IF EXISTS reliability_filler').catch(() => undefined);
      const parts = (await db
        .raw(
          `SELECT inhrelid::regclass::text AS t FROM pg_inherits WHERE inhparent = 'audit_entry'::regclass`,
        )
        .catch(() => ({ rows: [] }))) as { rows: { t: string }[] };
      for (const t of ['audit_queue', ...parts.rows.map((r) => r.t)])
        await db.raw(`ALTER TABLE ${t} SET TABLESPACE pg_default`).catch(() => undefined);
      await db.raw('DROP TABLESPACE IF EXISTS reliability_full').catch(() => undefined);
      sh('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const F5: RigCheck = {
  id: 'F5',
  title: 'provider faults through the fault proxy',
  async run(rig, ctx) {
    const timeout = Number(rig.settings.QUERY_DEADLINE_MS);
    const big = Buffer.alloc(20 * 1024 * 1024, 0x61);
    const modes: [string, Parameters<Rig['registryProxy']['setMode']>[0]][] = [
      ['latency beyond the timeout', { kind: 'latency', ms: timeout + 500 }],
      ['RST mid-body', { kind: 'cut', afterBytes: 60 }],
      ['invalid JSON', { kind: 'garbage' }],
      [
        '20 MB body',
        {
          kind: 'respond',
          bytes: Buffer.concat([
            Buffer.from(
              `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`,
            ),
            big,
          ]),
        },
      ],
      [
        '302 to another host',
        {
          kind: 'respond',
          bytes: Buffer.from(
            'HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest\r\nContent-Length: 0\r\n\r\n',
          ),
        },
      ],
      [
        '500',
        {
          kind: 'respond',
          bytes: Buffer.from(
            'HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
          ),
        },
      ],
    ];
    const rows: string[] = [];
    const bad: string[] = [];
    let missingAll = 0;
    // The deadline covers registry reads only; authentication, the consent check and the audit
    // writes before and after it take the pipeline's own time, measured here with the link healthy
    // (same load, same minute of this shared machine) and allowed on top of deadline + 100 ms.
    const baseLoad = rig.closedLoop(await rig.items(30), 4);
    baseLoad.start();
    await sleep(3000);
    await baseLoad.stop();
    const baseTimes = baseLoad.answers.map((a) => a.done - a.at).sort((a, b) => a - b);
    const baseP99 = baseTimes[Math.min(baseTimes.length - 1, Math.floor(baseTimes.length * 0.99))] ?? 0;
    const allowed = timeout + 100 + baseP99;
    rows.push(
      `healthy link first: ${baseTimes.length} answers, p99 ${baseP99} ms; allowed under faults ${timeout} + 100 + ${baseP99} = ${allowed} ms`,
    );
    for (const [name, mode] of modes) {
      const items = await rig.items(30);
      const load = rig.closedLoop(items, 4);
      rig.registryProxy.setMode(mode);
      const from = Date.now();
      load.start();
      await sleep(3000);
      await load.stop();
      rig.registryProxy.setMode({ kind: 'pass' });
      const answers = load.answers;
      const leaked = answers.filter((a) => a.data).length;
      const slow = answers.filter((a) => a.done - a.at > allowed).length;
      const requestIds = answers.map((a) => a.requestId ?? 'none');
      const outcomes = (await rig
        .db()('audit_entry')
        .whereIn('request_id', requestIds)
        .select('outcome')) as { outcome: string }[];
      const byOutcome = countBy(outcomes.map((o) => o.outcome));
      const statuses = countBy(answers.map((a) => a.status));
      rows.push(
        `${name}: ${answers.length} answers ${JSON.stringify(statuses)}, slowest ${Math.max(...answers.map((a) => a.done - a.at))} ms, audit ${JSON.stringify(byOutcome)}`,
      );
      if (leaked) bad.push(`${name}: ${leaked} answers carried data`);
      if (slow) bad.push(`${name}: ${slow} answers slower than the deadline + 100 ms + the healthy p99`);
      if (answers.some((a) => a.status >= 500 && ![502, 503, 504].includes(a.status)))
        bad.push(`${name}: other 5xx`);
      if ((byOutcome.released ?? 0) > 0) bad.push(`${name}: released entries`);
      if (!byOutcome.provider_error) bad.push(`${name}: no provider_error entry`);
      missingAll += await missingReleased(rig.db(), ids(answers));
      void from;
      await sleep(Number(rig.settings.PROVIDER_BREAKER_COOLDOWN_MS) + 200);
    }
    ctx.missing.F5 = missingAll;
    const after = await rig.closedLoop(await rig.items(3), 1).query();
    if (!after.data) bad.push(`after the faults: ${after.status}, no data`);
    return verdict(
      bad.length === 0,
      `${modes.length} faults: 0 records released, answers ≤ ${timeout} + 100 + ${baseP99} (healthy p99) ms, provider_error audited; missing ${missingAll}`,
      [
        ...bad,
        ...rows,
        'weakened: answers are timed from the request, so the pipeline outside the registry read (its p99 with a healthy link, measured first) is allowed on top of deadline + 100 ms',
        'breaker: a broken registry opens it after PROVIDER_BREAKER_THRESHOLD failures (the faster answers after the first ones); bulkhead not measured: one reference registry process serves every holder here',
      ],
    );
  },
};

/** Drops `percent` % of the TCP packets either way on one loopback port (an nftables table of our own). */
function dropPackets(port: number, percent: number) {
  const table = `juc_rel_f6_${process.pid}`;
  const rule = (dir: 'dport' | 'sport') =>
    `nft add rule inet ${table} out tcp ${dir} ${port} numgen random mod 100 '<' ${percent} counter drop`;
  const added = sh(
    'sh',
    [
      '-c',
      [
        // As root (CI) the harness installs Debian's nftables when it is missing.
        'command -v nft >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables >/dev/null 2>&1; } || true',
        'command -v nft >/dev/null || { echo "nft: not installed (apt-get install nftables)"; exit 1; }',
        `nft add table inet ${table}`,
        `nft add chain inet ${table} out '{ type filter hook output priority 0; policy accept; }'`,
        rule('dport'),
        rule('sport'),
      ].join(' && '),
    ],
    180_000,
  );
  const remove = () => sh('nft', ['delete', 'table', 'inet', table]);
  if (!added.ok) remove();
  /** Packets the rules dropped so far (their counters). */
  const dropped = () =>
    [...sh('nft', ['list', 'table', 'inet', table]).out.matchAll(/counter packets (\d+)/g)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  return { ok: added.ok, out: added.out, remove, dropped };
}

const F6_SECONDS = 20;
const F6_DROP_PERCENT = 5;

export const F6: RigCheck = {
  id: 'F6',
  title: '5 % packet drop on the provider link',
  async run(rig, ctx) {
    // The link the gateway's provider client holds: its connections to the registry's front.
    const port = rig.registryProxy.port;
    const load = rig.closedLoop(await rig.items(1500), 8);
    const drop = dropPackets(port, F6_DROP_PERCENT);
    if (!drop.ok)
      return skipped(
        `nftables could not drop packets on the registry link (needs root and nft): ${drop.out}`,
      );
    let answers: Answer[] = [];
    let dropped = 0;
    try {
      load.start();
      await sleep(F6_SECONDS * 1000);
      await load.stop();
      answers = load.answers;
      dropped = drop.dropped();
    } finally {
      drop.remove();
    }
    await sleep(1500);
    const requestIds = answers.map((a) => a.requestId).filter((id): id is string => id !== undefined);
    const dupes = (await rig.db().raw(
      `SELECT count(*)::int AS n FROM (SELECT request_id, record_type FROM audit_entry
           WHERE request_id = ANY(?) GROUP BY 1, 2 HAVING count(*) > 1) d`,
      [requestIds],
    )) as { rows: { n: number }[] };
    const missing = await missingReleased(rig.db(), ids(answers));
    ctx.missing.F6 = missing;
    const failed = answers.filter((a) => a.status !== 200 || !a.data);
    const errorRate = answers.length ? failed.length / answers.length : 1;
    const p99 =
      answers.map((a) => a.done - a.at).sort((x, y) => x - y)[Math.floor(answers.length * 0.99)] ?? 0;
    const bad: string[] = [];
    if (answers.length < 100) bad.push(`only ${answers.length} answers in ${F6_SECONDS} s`);
    if (dropped === 0) bad.push('no packet was dropped: the rule did not apply to the registry link');
    if (errorRate > 0.01)
      bad.push(
        `error rate ${round(errorRate * 100)} % > 1 %: ${JSON.stringify(countBy(failed.map((a) => (a.data ? a.status : `${a.status} no data`))))}`,
      );
    if (dupes.rows[0]!.n) bad.push(`${dupes.rows[0]!.n} (request, record) pairs with more than one entry`);
    if (missing) bad.push(`${missing} answers with data but no released entry`);
    return verdict(
      bad.length === 0,
      `${answers.length} answers, ${dropped} packets dropped, errors ${round(errorRate * 100)} %, p99 ${p99} ms, duplicate entries ${dupes.rows[0]!.n}, missing ${missing}`,
      [
        ...bad,
        `${F6_DROP_PERCENT} % of TCP packets dropped both ways on the gateway's link to the registry front (port ${port}) by an nftables rule on loopback (numgen random), for ${F6_SECONDS} s under 8 closed-loop clients; no network namespace is needed for one port`,
        'retries: not counted here; the provider client makes at most 2 per registry call with half-jittered exponential backoff (MAX_RETRIES in server/providers/http-provider.ts, and the holder setting maxRetries has maximum 2), tested in test/integration/providers',
      ],
    );
  },
};

export const F7: RigCheck = {
  id: 'F7',
  title: 'SIGKILL of a gateway worker under load',
  async run(rig, ctx) {
    let victim = 0;
    const { load, recoveredMs, missing } = await underLoad(rig, ctx, 'F7', async () => {
      victim = rig.workers()[0]!;
      process.kill(victim, 'SIGKILL');
      return Date.now();
    });
    const dupes = (await rig
      .db()
      .raw(
        `SELECT count(*)::int AS n FROM (SELECT request_id, record_type FROM audit_entry GROUP BY 1, 2 HAVING count(*) > 1) d`,
      )) as { rows: { n: number }[] };
    const queued = await rig.db()('audit_queue').count({ n: '*' }).first();
    await sleep(2000);
    const verified = await verifyDatabase(rig.db());
    const bad: string[] = [];
    if (missing) bad.push(`${missing} answers with data lack a committed entry`);
    if (dupes.rows[0]!.n) bad.push(`${dupes.rows[0]!.n} duplicated (request, record) entries`);
    if (!verified.ok) bad.push(`verifier: ${verified.problems.slice(0, 3).join('; ')}`);
    if (recoveredMs < 0 || recoveredMs > 5000) bad.push(`service back after ${recoveredMs} ms`);
    return verdict(
      bad.length === 0,
      `worker ${victim} killed: back in ${recoveredMs} ms, missing ${missing}, duplicates ${dupes.rows[0]!.n}, verifier ${verified.ok ? 'ok' : 'FAILED'} (${verified.size} leaves)`,
      [
        ...bad,
        `the cluster primary restarts the worker (the supervisor); ${load.answers.length} answers, queue ${String((queued as { n: string }).n)} at the check`,
      ],
    );
  },
};

export const F8: RigCheck = {
  id: 'F8',
  title: 'SIGTERM of the gateway under load (drain)',
  async run(rig, ctx) {
    let signalled = 0;
    let code: number | null = null;
    let drainMs = 0;
    const load = rig.closedLoop(await rig.items(1500), 8);
    load.start();
    await sleep(2000);
    signalled = Date.now();
    const gateway = rig.gateway();
    gateway.proc.kill('SIGTERM');
    const timer = setTimeout(() => gateway.proc.kill('SIGKILL'), 20_000);
    code = await gateway.exited;
    clearTimeout(timer);
    drainMs = Date.now() - signalled;
    await load.stop();
    const before = load.answers.filter((a) => a.at < signalled - 50);
    const fiveBefore = before.filter((a) => a.status >= 500);
    const missing = await missingReleased(rig.db(), ids(load.answers));
    ctx.missing.F8 = missing;
    await rig.startGateway();
    const bad: string[] = [];
    if (code !== 0) bad.push(`exit code ${code}`);
    if (drainMs > 10_000 + 2000) bad.push(`drain took ${drainMs} ms (> 10 s)`);
    if (fiveBefore.length) bad.push(`${fiveBefore.length} × 5xx to requests sent before the signal`);
    if (missing) bad.push(`${missing} answers with data lack a committed entry`);
    return verdict(
      bad.length === 0,
      `exit ${code} after ${drainMs} ms; sent before the signal: ${before.length}, 5xx ${fiveBefore.length}; after: ${JSON.stringify(countBy(load.answers.filter((a) => a.at >= signalled).map((a) => a.status)))}; missing ${missing}`,
      bad,
    );
  },
};

export const F9: RigCheck = {
  id: 'F9',
  title: 'issuer JWKS down or slow; clock skew',
  async run(rig) {
    const t = rig.target;
    const { dpopProof } = await import('../gateway-target.js');
    const client = rig.clients[0]!;
    const url = `${t.url}/v1/queries`;
    const body = JSON.stringify({
      purpose: 'account.opening',
      subject: { scheme: 'rrn', id: t.citizenId },
      mode: 'full',
      records: [{ recordType: 'resident.registration-abstract' }],
    });
    const send = async (token: string, iat?: number) => {
      const started = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `DPoP ${token}`,
          dpop: await dpopProof({ ...client, accessToken: token }, 'POST', url, iat ? { iat } : {}),
        },
        body,
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started };
    };
    const bad: string[] = [];
    const rows: string[] = [];
    // Warm both workers' key caches, then take the issuer's JWKS away.
    for (let i = 0; i < 4; i++) await send(client.accessToken);
    rig.issuerProxy.setMode({ kind: 'reset' });
    const cached = await Promise.all(Array.from({ length: 6 }, () => send(client.accessToken)));
    rows.push(`JWKS down, cached key: ${cached.map((c) => c.status).join('/')}`);
    if (cached.some((c) => c.status === 401 || c.status >= 500))
      bad.push('a known key stopped working while the JWKS was down');
    // Unknown kid: at most one refetch per cooldown per worker.
    const [h, p] = client.accessToken.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>;
    const unknown = `${Buffer.from(JSON.stringify({ ...header, kid: 'rotated-away' })).toString('base64url')}.${p}.${client.accessToken.split('.')[2]}`;
    const conns = rig.issuerProxy.connections();
    const unknownAnswers = [];
    for (let i = 0; i < 10; i++) unknownAnswers.push(await send(unknown));
    const refetches = rig.issuerProxy.connections() - conns;
    rows.push(
      `unknown kid ×10 with JWKS down: ${JSON.stringify(countBy(unknownAnswers.map((a) => a.status)))}, slowest ${round(Math.max(...unknownAnswers.map((a) => a.ms)))} ms, JWKS connections ${refetches}`,
    );
    if (unknownAnswers.some((a) => a.status !== 401 && a.status !== 503))
      bad.push('an unknown kid was not refused (401/503)');
    if (refetches > rig.workers().length * 2) bad.push(`${refetches} JWKS fetches for 10 unknown-kid tokens`);
    rig.issuerProxy.setMode({ kind: 'latency', ms: 3000 });
    const slow = await send(unknown);
    rows.push(`JWKS slow (3 s), unknown kid: ${slow.status} in ${round(slow.ms)} ms`);
    if (slow.status !== 401 && slow.status !== 503) bad.push(`slow JWKS: ${slow.status}`);
    rig.issuerProxy.setMode({ kind: 'pass' });
    // Skew, through the DPoP proof's iat (the client's clock against the gateway's). FAPI 2.0: up to
    // 10 s ahead accepted, more than 60 s ahead rejected; behind, a proof lives 60 s plus the 60 s
    // tolerance, so 90 s behind is accepted and 150 s behind refused.
    for (const [skew, accept] of [
      [+5, true],
      [+10, true],
      [-30, true],
      [-90, true],
      [+62, false],
      [+90, false],
      [-150, false],
    ] as const) {
      const a = await send(client.accessToken, Math.floor(Date.now() / 1000) + skew);
      const ok = a.status !== 401;
      rows.push(`proof iat ${skew > 0 ? '+' : ''}${skew} s: ${a.status}`);
      if (ok !== accept) bad.push(`proof iat ${skew} s ${ok ? 'accepted' : 'refused'}`);
    }
    return verdict(
      bad.length === 0,
      `JWKS down: cached ok; unknown kid 401, ${refetches} fetches; skew +10 s and −90 s accepted, +62 s, +90 s and −150 s refused`,
      [
        ...bad,
        ...rows,
        "weakened: key rotation at the issuer is not driven (the dev issuer has one key); cache max age (jose, 10 min) is not waited out; skew is the client's clock against the gateway's through DPoP iat",
      ],
    );
  },
};

export const FAULTS: RigCheck[] = [F1, F4, F5, F6, F7, F8, F9];
