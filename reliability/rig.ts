/**
 * What the load and fault checks drive beyond a Target: the cluster's processes, the throwaway
 * PostgreSQL, the fault proxies in front of the registry and the issuer, consents in bulk, and the
 * bench's load generator as its own process. Built by reliability/harness.ts.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { BENCH_SECRETS, consentTokens, createConsents, ONE_RECORD } from '../bench/lib/prepare.js';
import type { Child } from '../bench/lib/procs.js';
import type { DevIdentityProvider } from '../server/dev/identity-provider.js';
import { Load, type Item } from '../test/faults/closed-loop.js';
import type { FaultProxy } from '../test/faults/fault-proxy.js';
import type { ThrowawayPostgres } from '../test/faults/postgres.js';
import type { FrontProxy } from './front-proxy.js';
import type { ApiClient } from './gateway-target.js';
import type { SplitLoadResult, SplitLoadSpec } from './load-split.js';
import type { Target } from './types.js';

export interface Rig {
  root: string;
  work: string;
  /** The gateway; `refreshTokens` renews the clients' access tokens in place (they live 300 s). */
  target: Target & { refreshTokens(): Promise<number> };
  pg: ThrowawayPostgres;
  db(): Knex;
  /** Closes the harness's own pool before a crash and reopens it after. */
  reopenDb(): Promise<void>;
  closeDb(): Promise<void>;
  dbUrl: string;
  gateway(): Child;
  /** Stops (SIGTERM, bounded) and starts the gateway cluster again with the same settings. */
  restartGateway(): Promise<void>;
  startGateway(): Promise<void>;
  workers(): number[];
  exitLines(): string[];
  registryProxy: FaultProxy;
  registryPort: number;
  issuerProxy: FaultProxy;
  idp: DevIdentityProvider;
  clients: ApiClient[];
  settings: Record<string, string>;
  /** `count` consents (3 uses each) with tokens for the harness's first two clients. */
  items(count: number): Promise<Item[]>;
  closedLoop(items: Item[], concurrency?: number): Load;
  /** reliability/load-split.ts in its own process (fixed arrival rate, latency by status, when `rate` is set). */
  fixedLoad(spec: {
    /** Connect here instead (HAProxy's front); proofs and Host still name the gateway's URL. */
    connectTo?: string;
    rate?: number;
    durationSec: number;
    connections: number;
    items: Item[];
    /** Open this many connections before the clock starts (load-split.ts). */
    warmConnections?: number;
  }): Promise<{ result: SplitLoadResult; ids: string[] }>;
  /** HAProxy in front of the gateway (reliability/front-proxy.ts), or why not; stopped by the caller, or at the end of the run. */
  startFrontProxy(): Promise<FrontProxy | { missing: string }>;
  /** Scale factor for the soak (RELIABILITY_SOAK_S) and the rates, printed in the rows. */
  scale: { soakSec: number; l1Sec: number };
  log(line: string): void;
}

let offsetCounter = 1;

export async function makeItems(
  rig: Pick<Rig, 'db' | 'clients' | 'root' | 'work' | 'target'> & { keyStoreDir: string },
  count: number,
): Promise<Item[]> {
  const { records, items } = await createConsents(rig.db(), {
    count,
    recordTypes: ONE_RECORD,
    clients: rig.clients,
    pepper: BENCH_SECRETS.subjectPepper,
    offset: (offsetCounter += count),
  });
  const tokens = await consentTokens(records, rig.clients, {
    keyStoreDir: rig.keyStoreDir,
    publicUrl: rig.target.url,
    pepper: BENCH_SECRETS.subjectPepper,
  });
  return items.map((item, i) => ({ client: item.client, rrn: item.rrn, consentToken: tokens[i]! }));
}

let specCounter = 0;

export function runLoadProcess(
  root: string,
  work: string,
  url: string,
  clients: ApiClient[],
  spec: {
    connectTo?: string;
    rate?: number;
    durationSec: number;
    connections: number;
    items: Item[];
    warmConnections?: number;
  },
): Promise<{ result: SplitLoadResult; ids: string[] }> {
  const n = specCounter++;
  const specFile = join(work, `load-${n}.json`);
  const idsFile = join(work, `load-${n}.ids`);
  const full: SplitLoadSpec = {
    kind: 'query',
    url,
    connections: spec.connections,
    durationSec: spec.durationSec,
    ...(spec.rate ? { overallRate: spec.rate } : {}),
    ...(spec.warmConnections ? { warmConnections: spec.warmConnections } : {}),
    ...(spec.connectTo ? { connectTo: spec.connectTo } : {}),
    clients: clients.map((c) => ({ accessToken: c.accessToken, dpopJwk: c.dpopJwk })),
    items: spec.items,
    purpose: 'loan.mortgage-screening',
    recordTypes: ONE_RECORD,
    idsFile,
  };
  writeFileSync(specFile, JSON.stringify(full));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'reliability/load-split.ts'), specFile],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (spec.durationSec + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`load generator exited ${code}`));
      let ids: string[] = [];
      try {
        ids = JSON.parse(readFileSync(idsFile, 'utf8')) as string[];
      } catch {
        ids = [];
      }
      resolve({ result: JSON.parse(out.trim().split('\n').pop()!) as SplitLoadResult, ids });
    });
  });
}
