/**
 * What every HA fault run checks afterwards, each against the database node Patroni calls leader
 * (directly, not through HAProxy) or through the gateway front as a client would.
 */
import { join } from 'node:path';
import pg from 'pg';
import { startNode } from '../../../bench/lib/procs.js';
import { BENCH_SECRETS } from '../../../bench/lib/prepare.js';
import { fromBase64 } from '../../../server/audit/bytes.js';
import { verifierFromVkey } from '../../../server/audit/checkpoint.js';
import { verifyConsistency } from '../../../server/audit/merkle.js';
import { openCheckpoint } from '../../../server/audit/note.js';
import { LOCK_SEQUENCER_LEADER } from '../../../server/audit/audit-db.js';
import type { Answer } from './load.js';

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** 2xx answers that released data but have no committed `released` entry with their request id. */
export async function missingEntries(leaderUrl: string, answers: Answer[]): Promise<number> {
  const ids = answers.filter((a) => a.data).map((a) => a.requestId ?? 'none');
  if (ids.length === 0) return 0;
  return withClient(leaderUrl, async (c) => {
    const { rows } = await c.query<{ missing: number }>(
      `SELECT count(*)::int AS missing FROM unnest($1::text[]) AS a(id)
        WHERE NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.request_id = a.id AND e.outcome = 'released')`,
      [ids],
    );
    return rows[0]!.missing;
  });
}

/** Tree sizes for which checkpoints with two different roots were stored (must be none). */
export async function splitCheckpoints(leaderUrl: string): Promise<number> {
  return withClient(leaderUrl, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT size FROM checkpoint GROUP BY split_part(note, E'\\n', 1), size HAVING count(DISTINCT root) > 1) s`,
    );
    return rows[0]!.n;
  });
}

/** The gateway (application_name) holding the sequencer's leader lock on the leader, if any. */
export async function sequencerHolder(leaderUrl: string): Promise<string | undefined> {
  return withClient(leaderUrl, async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1`,
      [LOCK_SEQUENCER_LEADER],
    );
    return rows[0]?.name;
  });
}

export async function queuedEntries(leaderUrl: string): Promise<number> {
  return withClient(leaderUrl, async (c) => {
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_queue');
    return rows[0]!.n;
  });
}

export interface SignedHead {
  size: number;
  root: Uint8Array;
}

/** The latest checkpoint from the front, its signature checked against the log's published key. */
export async function fetchCheckpoint(frontUrl: string): Promise<SignedHead> {
  const [keyRes, noteRes] = await Promise.all([
    fetch(`${frontUrl}/v1/log/key`, { signal: AbortSignal.timeout(5000) }),
    fetch(`${frontUrl}/v1/log/checkpoint`, { signal: AbortSignal.timeout(5000) }),
  ]);
  if (!keyRes.ok || !noteRes.ok) throw new Error(`checkpoint: HTTP ${keyRes.status}/${noteRes.status}`);
  const vkey = (await keyRes.text()).split('\n')[0]!.trim();
  const opened = await openCheckpoint(await noteRes.text(), verifierFromVkey(vkey));
  return { size: opened.checkpoint.size, root: opened.checkpoint.rootHash };
}

/** A consistency proof from `before` to `after`, fetched from the front and verified here. */
export async function proveConsistency(
  frontUrl: string,
  before: SignedHead,
  after: SignedHead,
): Promise<string> {
  if (before.size === 0) return 'ok (from the empty tree)';
  const res = await fetch(`${frontUrl}/v1/log/proofs/consistency?from=${before.size}&to=${after.size}`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) return `HTTP ${res.status}`;
  const body = (await res.json()) as { proof: string[] };
  const verdict = verifyConsistency(
    before.size,
    after.size,
    before.root,
    after.root,
    body.proof.map(fromBase64),
  );
  return verdict.ok ? 'ok' : verdict.reason;
}

/** `npm run audit:verify -- --db` against the leader: every leaf, node, head and checkpoint. */
export async function auditVerify(
  root: string,
  dbUrl: string,
  keyStoreDir: string,
  logFile: string,
): Promise<boolean> {
  const child = startNode(
    'audit-verify',
    join(root, 'server/cli/audit-verify.ts'),
    ['--db'],
    {
      NODE_ENV: 'development',
      DATABASE_URL: dbUrl,
      KEY_STORE_DIR: keyStoreDir,
      AUDIT_LOG_ORIGIN: BENCH_SECRETS.auditLogOrigin,
    },
    logFile,
    { capture: true },
  );
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 180_000);
  const code = await child.exited;
  clearTimeout(timer);
  return code === 0;
}
