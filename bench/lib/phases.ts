/**
 * Phases of `npm run bench` (bench/run.ts) kept apart from its sequence: the history database,
 * the query load specs (consents and their tokens), the work floor (a2) and the audit appends (e).
 */
import type { Knex } from 'knex';
import { consentTokenAudience } from '../../server/consents/consents.service.js';
import type { LoadResult, LoadSpec } from '../load.js';
import { benchDatabase, getMeta, setMeta } from './database.js';
import type { Scenario } from './figures.js';
import { generateHistory } from './history.js';
import { workerPids } from './measure.js';
import { BENCH_PURPOSE, BENCH_SECRETS, consentTokens, createConsents, type BenchClient } from './prepare.js';
import { freePort, waitFor200, type Child } from './procs.js';

/** What a phase needs of the run: its log, its child processes and its load generator. */
export interface Runner {
  log(line: string): void;
  work: string;
  node(
    name: string,
    script: string,
    argv: string[],
    env: Record<string, string>,
    options?: { nodeArgs?: string[]; capture?: boolean },
  ): Child;
  stop(child: Child): Promise<void>;
  /** Forgets a child that exited by itself. */
  forget(child: Child): void;
  load(spec: LoadSpec, label: string): Promise<LoadResult>;
  measure(
    key: string,
    label: string,
    spec: LoadSpec,
    groups: Record<string, () => number[]>,
    checkIds: boolean,
  ): Promise<Scenario>;
}

export async function ensureHistory(
  serverUrl: string,
  name: string,
  options: { fresh: boolean; entries: number; log: (line: string) => void },
): Promise<{ db: Knex; url: string; entries: number }> {
  const { log } = options;
  let { db, url } = await benchDatabase(serverUrl, name, { fresh: options.fresh });
  const meta = await getMeta<{ entries: number }>(db, 'history');
  if (!meta || meta.entries < options.entries) {
    if (meta || (await db('tree_head').count({ n: '*' }).first())?.n !== 0) {
      log(`database ${name} has no complete history: recreating it`);
      await db.destroy();
      ({ db, url } = await benchDatabase(serverUrl, name, { fresh: true }));
    }
    log(`generating ${options.entries.toLocaleString('en')} audit entries in SQL (once; kept in ${name})`);
    const r = await generateHistory(db, options.entries, log);
    await setMeta(db, 'history', r);
    log(`history ready in ${r.seconds} s`);
  } else {
    log(`history: ${meta.entries.toLocaleString('en')} generated entries already in ${name}`);
  }
  // Planner statistics: a bulk load or migration 039's copy into month partitions leaves them
  // unanalysed until autovacuum gets there, and without them the citizen read plans a scan of
  // every partition. Sampling is cheap; a running deployment has these from autovacuum.
  await db.raw('ANALYZE audit_entry');
  await db.raw('ANALYZE audit_queue');
  return { db, url, entries: options.entries };
}

export type QuerySpec = LoadSpec & { kind: 'query' };

/**
 * Bank queries for `requests` requests: consents (each used `uses` times, the last use too: the
 * items run through them `uses` times) with their tokens; every `signedCopyEvery`-th asks for a
 * signed copy.
 */
export function querySpecs(
  r: Runner,
  options: {
    db: Knex;
    /** Fresh access tokens for every spec: the bench IdP's live five minutes. */
    clients: () => Promise<BenchClient[]>;
    keyStoreDir: string;
    publicUrl: string;
    connections: number;
    seconds: number;
    uses: number;
    signedCopyEvery: number;
  },
) {
  const { db, publicUrl } = options;
  return async (
    label: string,
    recordTypes: string[],
    requests: number,
    offset: number,
  ): Promise<QuerySpec> => {
    const clients = await options.clients();
    const count = Math.ceil(requests / options.uses) + 1000;
    const pepper = BENCH_SECRETS.subjectPepper;
    const { records, items } = await createConsents(db, { count, recordTypes, clients, pepper, offset });
    const tokens = await consentTokens(records, clients, {
      keyStoreDir: options.keyStoreDir,
      publicUrl,
      pepper,
    });
    r.log(
      `${label}: ${count.toLocaleString('en')} consents (${options.uses} uses each) and consent tokens ready`,
    );
    const once = items.map((item, i) => ({ client: item.client, rrn: item.rrn, consentToken: tokens[i]! }));
    return {
      kind: 'query',
      url: publicUrl,
      connections: options.connections,
      durationSec: options.seconds,
      clients: clients.map((c) => ({ accessToken: c.accessToken, dpopJwk: c.dpopJwk })),
      items: Array.from({ length: options.uses }, () => once).flat(),
      purpose: BENCH_PURPOSE,
      recordTypes,
      signedCopyEvery: options.signedCopyEvery,
    };
  };
}

/** (a2) the work floor: its registry and gateway started, warmed, measured with `spec`, stopped. */
export async function workFloor(
  r: Runner,
  pair: number,
  spec: QuerySpec,
  options: {
    dbUrl: string;
    keyStoreDir: string;
    idp: { issuer: string; url: string };
    publicUrl: string;
    warmupSec: number;
  },
): Promise<Scenario> {
  const registryPort = await freePort();
  const port = await freePort();
  const registry = r.node(`a2-registry-${pair}`, 'bench/work-floor-registry.ts', [], {
    PORT: String(registryPort),
    DATABASE_URL: options.dbUrl,
    KEY_STORE_DIR: options.keyStoreDir,
  });
  const gateway = r.node(`a2-gateway-${pair}`, 'bench/work-floor.ts', [], {
    PORT: String(port),
    FLOOR_DATABASE_URL: options.dbUrl,
    REGISTRY_URL: `http://127.0.0.1:${registryPort}`,
    KEY_STORE_DIR: options.keyStoreDir,
    IDP_ISSUER: options.idp.issuer,
    IDP_JWKS_URL: `${options.idp.url}/jwks`,
    API_AUDIENCE: 'urn:joint-use-center:api',
    CONSENT_ISSUER: options.publicUrl,
    CONSENT_AUDIENCE: consentTokenAudience(options.publicUrl),
    BENCH_WORKERS: '2',
  });
  await waitFor200(`http://127.0.0.1:${registryPort}/health`, 30_000, registry);
  await waitFor200(`http://127.0.0.1:${port}/readyz`, 30_000, gateway);
  const a2 = { ...spec, url: `http://127.0.0.1:${port}` };
  await r.load({ ...a2, durationSec: options.warmupSec }, `a2-warmup-${pair}`);
  const result = await r.measure(
    `a2-${pair}`,
    `a2-work-floor-${pair}`,
    a2,
    { gateway: () => workerPids(gateway), registry: () => [registry.proc.pid!] },
    false,
  );
  await r.stop(gateway);
  await r.stop(registry);
  return result;
}

/** (e): bench/audit-append.ts in its own process, on a fresh database of the same server. */
export async function appends(
  r: Runner,
  serverUrl: string,
  options: { seconds: number; rate: number },
): Promise<unknown> {
  r.log(`e-appends: ${options.rate}/s for ${options.seconds} s (bench/audit-append.ts, fresh database)`);
  // Enough writers that a fixed 2,000/s holds at ~20 ms per durable append. More do not help when
  // appends are slower: 64 writers gave 1,245/s at 44 ms where 40 gave 1,504/s at 22 ms (the
  // disk's fsync, not the writers, is then the limit).
  const argv = ['--seconds', String(options.seconds), '--rate', String(options.rate), '--writers', '40'];
  const child = r.node(
    'e-appends',
    'bench/audit-append.ts',
    [...argv, '--processes', '2'],
    {
      DATABASE_URL: serverUrl,
    },
    { capture: true },
  );
  const code = await child.exited;
  r.forget(child);
  const text = child.lines.join('\n');
  if (code !== 0) throw new Error(`audit-append failed (exit ${code}); see ${r.work}/e-appends.log`);
  const e = JSON.parse(text.slice(text.indexOf('{'))) as {
    appendsPerSecond: number;
    sequencerLagMs: { p99: number };
    verified: boolean;
  };
  r.log(
    `e-appends: ${e.appendsPerSecond}/s, sequencer lag p99 ${e.sequencerLagMs.p99} ms, verified ${e.verified}`,
  );
  return e;
}
