/**
 * I1–I7 (reliability.md §5.5): no release without a durable entry, append-only roles and triggers,
 * tamper evidence, the citizen's read-back, entry content, log hygiene, and a slow audit store.
 */
import type { Knex } from 'knex';
import { verifyDatabase } from '../../server/audit/db-verifier.js';
import { call, consentedQuery, countBy, median, query, releasedRecords, sleep } from '../http.js';
import { skipped, verdict, type Check } from '../types.js';

/** Answers with data whose request id has no committed `released` entry (the I1 invariant). */
export async function missingReleased(db: Knex, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await db.raw<{ rows: { missing: number }[] }>(
    `SELECT count(*)::int AS missing FROM unnest(?::text[]) AS a(id)
     WHERE NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.request_id = a.id AND e.outcome = 'released')`,
    [ids],
  );
  return rows[0]!.missing;
}

/** Waits until the sequencer has placed every queued entry (bounded). */
export async function drained(db: Knex, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = Number(((await db('audit_queue').count({ n: '*' }).first()) as { n: string }).n);
    if (n === 0 || Date.now() > deadline) return n;
    await sleep(200);
  }
}

async function withTrigger<T>(db: Knex, name: string, body: string, during: () => Promise<T>): Promise<T> {
  await db.raw(
    `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} END $$`,
  );
  await db.raw(`CREATE TRIGGER ${name} BEFORE INSERT ON audit_queue FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  try {
    return await during();
  } finally {
    await db.raw(`DROP TRIGGER IF EXISTS ${name} ON audit_queue`);
    await db.raw(`DROP FUNCTION IF EXISTS ${name}()`);
  }
}

export const I1: Check = {
  id: 'I1',
  title: 'no release without a durable entry',
  async run(target) {
    const c = await target.consented();
    if (!c) return skipped('no registry behind this gateway');
    const failed = await withTrigger(
      target.db,
      'reliability_refuse_audit',
      "RAISE EXCEPTION 'reliability: audit storage unavailable';",
      () => query(target, consentedQuery(c)),
    );
    const bad: string[] = [];
    if (failed.status < 500) bad.push(`with audit commits failing the query answered ${failed.status}`);
    if (releasedRecords(failed).length || /"data"/.test(failed.text))
      bad.push('data released while the audit commit failed');
    const ok = await query(target, consentedQuery(c));
    if (!releasedRecords(ok).length) bad.push(`after the fault: ${ok.status}, nothing released`);
    const missing = await missingReleased(target.db, target.released);
    if (missing)
      bad.push(`${missing} of ${target.released.length} answers with data lack a committed released entry`);
    return verdict(
      bad.length === 0,
      `commit failing: ${failed.status}, 0 released; cross-check ${missing} missing of ${target.released.length}`,
      bad,
    );
  },
};

async function refused(db: Knex, role: string | undefined, sql: string): Promise<string> {
  try {
    await db.transaction(async (trx) => {
      if (role) await trx.raw(`SET LOCAL ROLE ${role}`);
      await trx.raw(sql);
      throw Object.assign(new Error('allowed'), { code: 'ALLOWED' });
    });
  } catch (err) {
    return String((err as { code?: string }).code);
  }
  return 'ALLOWED';
}

export const I2: Check = {
  id: 'I2',
  title: 'append-only audit tables',
  async run(target) {
    await drained(target.db);
    const bad: string[] = [];
    const rows: string[] = [];
    for (const table of ['audit_entry', 'log_leaf', 'checkpoint']) {
      const n = Number(((await target.db(table).count({ n: '*' }).first()) as { n: string }).n);
      // A row trigger never fires on an empty table: the owner's attempts would prove nothing.
      if (n === 0) bad.push(`${table} is empty: the sequencer and checkpointer have not run`);
    }
    const statements = [
      'UPDATE audit_entry SET reason_code = reason_code',
      'DELETE FROM audit_entry',
      'TRUNCATE audit_entry CASCADE',
      'UPDATE log_leaf SET salt = salt',
      'DELETE FROM log_leaf',
      'DELETE FROM checkpoint',
    ];
    for (const role of ['juc_app', 'juc_sequencer', undefined]) {
      for (const sql of statements) {
        const code = await refused(target.db, role, sql);
        // 42501 both ways: permission denied for the roles, and the append-only trigger (which raises
        // insufficient_privilege) for the owner, who holds every privilege.
        const expected = '42501';
        rows.push(
          `${role ?? 'owner'} ${sql.split(' ')[0]} ${sql.split(' ').find((w) => /audit_entry|log_leaf|checkpoint/.test(w))}: ${code}`,
        );
        if (code !== expected) bad.push(`${role ?? 'owner'}: ${sql} → ${code} (expected ${expected})`);
      }
    }
    return verdict(bad.length === 0, `${rows.length - bad.length}/${rows.length} changes refused`, [
      ...bad,
      ...rows,
    ]);
  },
};

export const I3: Check = {
  id: 'I3',
  title: 'tamper evidence',
  async run(target) {
    const queued = await drained(target.db);
    const size = Number(((await target.db('log_leaf').count({ n: '*' }).first()) as { n: string }).n);
    if (size < 4) return skipped(`only ${size} leaves in the log (queue ${queued})`);
    const clean = await verifyDatabase(target.db);
    const bad: string[] = [];
    if (!clean.ok) bad.push(`the untouched log does not verify: ${clean.problems.join('; ')}`);
    const k = Math.floor(size / 2);
    // Each tampering in a transaction that is rolled back: the live log is never changed. Triggers are
    // off for it (session_replication_role), as they would be for an attacker holding the database.
    const tamper: [string, string, number | undefined][] = [
      [
        'edit',
        `UPDATE audit_entry SET body = body || ' ' WHERE entry_id = (SELECT entry_id FROM log_leaf WHERE idx = ${k})`,
        k,
      ],
      ['delete', `DELETE FROM subject_index WHERE idx >= ${k}; DELETE FROM log_leaf WHERE idx = ${k}`, k],
      [
        'reorder',
        `UPDATE log_leaf SET entry_id = -entry_id WHERE idx IN (${k}, ${k + 1});
        UPDATE log_leaf a SET entry_id = -(SELECT b.entry_id FROM log_leaf b WHERE b.idx = CASE a.idx WHEN ${k} THEN ${k + 1} ELSE ${k} END) WHERE idx IN (${k}, ${k + 1})`,
        k,
      ],
      [
        'insert',
        `INSERT INTO audit_entry (request_id, subject_key, outcome, reason_code, requester_org, client_id, clerk_ref, purpose_code, legal_basis, consent_id, consent_mode, record_type, body, digest, created_at)
        SELECT request_id, subject_key, outcome, reason_code, requester_org, client_id, clerk_ref, purpose_code, legal_basis, consent_id, consent_mode, record_type, body, digest, created_at
        FROM audit_entry WHERE entry_id = (SELECT entry_id FROM log_leaf WHERE idx = ${k})`,
        undefined,
      ],
    ];
    const rows: string[] = [];
    for (const [name, sql, expectIndex] of tamper) {
      let found: Awaited<ReturnType<typeof verifyDatabase>> | undefined;
      await target.db
        .transaction(async (trx) => {
          await trx.raw('SET LOCAL session_replication_role = replica');
          for (const s of sql.split(';')) if (s.trim()) await trx.raw(s);
          found = await verifyDatabase(trx as unknown as Knex);
          throw new Error('rollback');
        })
        .catch((err: Error) => {
          if (err.message !== 'rollback') bad.push(`${name}: ${err.message}`);
        });
      rows.push(
        `${name}: ${found?.ok ? 'NOT detected' : `detected at ${found?.firstBadIndex ?? 'no index'}`}`,
      );
      if (!found || found.ok) bad.push(`${name} at index ${k} not detected`);
      else if (expectIndex !== undefined && found.firstBadIndex !== expectIndex)
        bad.push(`${name}: first bad index ${found.firstBadIndex}, expected ${expectIndex}`);
    }
    return verdict(
      bad.length === 0,
      `log of ${size}: edit/delete/reorder/insert at ${k} → ${rows.map((r) => r.split(': ')[1]).join(', ')}; ${clean.checkpointsChecked} checkpoints verified`,
      [
        ...bad,
        'golden vectors: test/api/log-formats.test.ts; the public-key-only checkpoint check: npm run audit:verify with --policy',
      ],
    );
  },
};

export const I4: Check = {
  id: 'I4',
  title: 'citizen read-back',
  async run(target) {
    if (!target.callers.includes('citizen')) return skipped('no signed-in citizen');
    await drained(target.db);
    const indices: number[] = [];
    const seqs: number[] = [];
    let cursor: string | null = null;
    let pending = 0;
    for (let page = 0; page < 50; page++) {
      const a = await call(
        target,
        'citizen',
        'GET',
        `/v1/me/access-log?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (a.status !== 200) return verdict(false, `access log ${a.status}`, [a.text.slice(0, 300)]);
      const body = a.body as {
        entries: { index: number; subject: { seq: number } }[];
        nextCursor: string | null;
        pending: number;
      };
      indices.push(...body.entries.map((e) => e.index));
      seqs.push(...body.entries.map((e) => e.subject.seq));
      pending = body.pending;
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    const bad: string[] = [];
    const keys = (await target
      .db('log_leaf as l')
      .join('audit_entry as e', 'e.entry_id', 'l.entry_id')
      .whereIn('l.idx', indices)
      .distinct('e.subject_key')) as { subject_key: string }[];
    if (indices.length === 0) bad.push('the citizen sees no entry (the checks queried about them)');
    if (keys.length > 1) bad.push(`the citizen's pages name ${keys.length} subjects`);
    if (new Set(indices).size !== indices.length) bad.push('an entry appeared twice across pages');
    const key = keys[0]?.subject_key;
    let expected = 0;
    if (key) {
      expected = Number(
        (
          (await target.db('subject_index').where({ subject_key: key }).count({ n: '*' }).first()) as {
            n: string;
          }
        ).n,
      );
      if (indices.length !== expected)
        bad.push(`read back ${indices.length} entries, the log holds ${expected} about this subject`);
      const sorted = [...seqs].sort((a, b) => a - b);
      if (sorted.some((s, i) => s !== i + 1)) bad.push('the subject sequence has gaps');
    }
    const auditorView = await call(target, 'citizen', 'GET', '/v1/audit/entries');
    if (auditorView.status !== 403) bad.push(`a citizen reading every entry: ${auditorView.status}`);
    const clientView = await call(target, 'client-dpop', 'GET', '/v1/me/access-log');
    if (clientView.status !== 403 && clientView.status !== 401)
      bad.push(`a client reading a citizen's trail: ${clientView.status}`);
    return verdict(
      bad.length === 0,
      `${indices.length}/${expected} entries read back (+${pending} pending), 1 subject, seq gap-free`,
      [
        ...bad,
        'only one citizen is signed in: "B cannot read A" is checked as another principal (a client) and as the auditor route',
      ],
    );
  },
};

export const I5: Check = {
  id: 'I5',
  title: 'entry content on every entry',
  async run(target) {
    const rows = (await target.db('audit_entry').select('*')) as Record<string, unknown>[];
    const bad = new Map<string, number>();
    const miss = (what: string) => bad.set(what, (bad.get(what) ?? 0) + 1);
    for (const r of rows) {
      if (!r.request_id) miss('request id');
      if (!r.requester_org) miss('who: organisation');
      if (!r.client_id && !r.clerk_ref) miss('who: client or clerk');
      if (!(r.created_at instanceof Date)) miss('when');
      if (!/^[0-9a-f]{64}$/.test(String(r.subject_key))) miss('whose');
      if (!r.record_type || !r.purpose_code) miss('what: record type and purpose');
      if (!['released', 'denied', 'provider_error'].includes(String(r.outcome))) miss('outcome');
      if (r.outcome !== 'released' && !r.reason_code) miss('reason of a refusal');
      if (r.outcome === 'released' && !r.consent_id && r.consent_mode !== 'statutory')
        miss('consent id of a release');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(String(r.body)) as Record<string, unknown>;
      } catch {
        miss('body JSON');
      }
      if (r.outcome === 'released' && !JSON.stringify(body).includes('fields')) miss('fields released');
    }
    const notes = [...bad].map(([k, n]) => `${n} entries without ${k}`);
    return verdict(
      bad.size === 0 && rows.length > 0,
      `${rows.length} entries, ${notes.length ? notes.length + ' kinds of gap' : 'all complete'}; outcomes ${JSON.stringify(countBy(rows.map((r) => r.outcome)))}`,
      [
        ...notes,
        'where: entries name the client or clerk (authenticated); the caller address is in the request log, not the entry',
      ],
    );
  },
};

export const I6: Check = {
  id: 'I6',
  title: 'secrets and PII hygiene in logs and audit rows',
  async run(target) {
    const logs = target.logs().join('\n');
    const jwt = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/g;
    const rrn = target.citizenId;
    const hits: string[] = [];
    const jwts = logs.match(jwt) ?? [];
    if (jwts.length) hits.push(`${jwts.length} full JWTs in the logs`);
    if (logs.includes(rrn)) hits.push('the citizen resident number in the logs');
    if (/juc_session=[A-Za-z0-9_-]{20,}/.test(logs)) hits.push('a session cookie in the logs');
    if (/"authorization":"(?!\[)/i.test(logs)) hits.push('an authorization header in the logs');
    const audit = (await target
      .db('audit_entry')
      .select('body', 'request_id', 'client_id', 'purpose_code')) as Record<string, string>[];
    const auditText = audit.map((r) => Object.values(r).join(' ')).join('\n');
    if (auditText.includes(rrn)) hits.push('the citizen resident number in an audit row');
    if ((auditText.match(jwt) ?? []).length) hits.push('a JWT in an audit row');
    return verdict(
      hits.length === 0,
      `${target.logs().length} log lines, ${audit.length} audit rows: ${hits.length} hits`,
      hits,
    );
  },
};

export const I7: Check = {
  id: 'I7',
  title: 'slow audit store (write latency injected)',
  async run(target) {
    const c = await target.consented();
    if (!c) return skipped('no registry behind this gateway');
    const t0 = performance.now();
    const base = await query(target, consentedQuery(c));
    const baseMs = performance.now() - t0;
    if (!releasedRecords(base).length)
      return verdict(false, `baseline query ${base.status}`, [base.text.slice(0, 200)]);
    const delay = Math.max(0.02, baseMs / 1000);
    const before = target.released.length;
    const answers = await withTrigger(
      target.db,
      'reliability_slow_audit',
      `PERFORM pg_sleep(${delay.toFixed(3)}); RETURN NEW;`,
      () => Promise.all([query(target, consentedQuery(c)), query(target, consentedQuery(c))]),
    );
    const queued = await target.db('audit_queue').count({ n: '*' }).first();
    const missing = await missingReleased(target.db, target.released.slice(before));
    const bad: string[] = [];
    const wrong = answers.filter((a) => a.status >= 500 && a.status !== 503);
    if (wrong.length) bad.push(`${wrong.length} answers ${wrong.map((a) => a.status).join(', ')}`);
    if (missing) bad.push(`${missing} releases ahead of the log`);
    const times = answers.map((a) => a.ms);
    return verdict(
      bad.length === 0,
      `+${Math.round(delay * 1000)} ms per audit write: ${answers.map((a) => a.status).join('/')}, median ${Math.round(median(times))} ms (base ${Math.round(baseMs)}), 0 ahead of the log, backlog ${String((queued as { n: string }).n)}`,
      [
        ...bad,
        "weakened: scaled to the consent's three uses; no alert is raised for a slow audit store (only for a failing one: 503 and readiness); the sustained version is L-phase I7 in npm run reliability",
      ],
    );
  },
};

export const INTEGRITY: Check[] = [I1, I2, I3, I4, I5, I6, I7];
