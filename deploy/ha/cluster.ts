/**
 * The database tier of the high-availability stack on one machine: one etcd member, two Patroni
 * nodes (PostgreSQL 15, synchronous replication) and HAProxy, each from Debian's packages, each
 * with the deploy/ha configuration file it would have on its own host, on free loopback ports,
 * in one temporary folder, as the unprivileged `postgres` user. `stop()` ends every process
 * started here (PostgreSQL too: Patroni detaches it) and removes the folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { childPids, freePort, sleep } from '../../bench/lib/procs.js';
import { renderFile } from './templates.js';

export const PG_BIN_DIR = '/usr/lib/postgresql/15/bin';
/**
 * haproxy.cfg's HAPROXY_GATEWAY_MAXCONN for a gateway server of one process (one core): the closed
 * loop that measures capacity (`npm run bench`, reliability L2) keeps two cores busy with 16 queries
 * in flight, 8 a process; more would only queue inside the gateway, where nothing refuses them fast.
 */
export const GATEWAY_MAXCONN_PER_PROCESS = 8;
const HOST = '127.0.0.1';

export interface Proc {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

export interface PgNode {
  name: string;
  pgPort: number;
  restPort: number;
  dir: string;
  dataDir: string;
  config: string;
  patroni?: Proc;
}

export interface Member {
  name: string;
  role: string;
  state: string;
  lag?: number | string;
}

/** Runs as `postgres` when we are root: PostgreSQL refuses root, and nothing here needs it. */
function unprivileged(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The programs of the stack this machine lacks (PostgreSQL 15's server included). */
export function missingPrograms(): string[] {
  const have = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
  const missing = ['patroni', 'patronictl', 'etcd', 'haproxy'].filter((b) => !have(b));
  return existsSync(join(PG_BIN_DIR, 'postgres')) ? missing : [...missing, 'postgresql-15'];
}

/** patroni, etcd and haproxy from Debian when any is missing (apt-get needs root). */
export function ensurePackages(log: (line: string) => void): void {
  const missing = missingPrograms();
  if (missing.length === 0) return;
  if (userInfo().uid !== 0) {
    throw new Error(
      `missing ${missing.join(', ')}: run as root, or ` +
        'apt-get update && apt-get install -y patroni etcd-server haproxy postgresql-15',
    );
  }
  log(`installing Debian packages (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-q'],
    ['install', '-y', '-q', 'patroni', 'etcd-server', 'haproxy', 'postgresql-15'],
  ]) {
    const out = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    if (out.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${out.status})`);
  }
}

export class HaCluster {
  readonly dir: string;
  readonly nodes: PgNode[] = [];
  readonly ids = unprivileged();
  readonly superuserPassword = randomBytes(18).toString('base64url');
  private readonly procs: Proc[] = [];
  etcdPort = 0;
  writePort = 0;
  readPort = 0;
  gatewayPort = 0;
  statsPort = 0;
  haproxy?: Proc;
  private etcd?: Proc;
  private readonly log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.log = log;
    this.dir = mkdtempSync(join(tmpdir(), 'juc-ha-'));
    this.own(this.dir);
  }

  /** PostgreSQL URL through HAProxy's write front (the leader, whichever node that is). */
  writeUrl(database = 'postgres'): string {
    return `postgres://postgres:${this.superuserPassword}@${HOST}:${this.writePort}/${database}`;
  }

  readUrl(database = 'postgres'): string {
    return `postgres://postgres:${this.superuserPassword}@${HOST}:${this.readPort}/${database}`;
  }

  /** A node directly, bypassing HAProxy (the fault suite checks each node). */
  nodeUrl(node: PgNode, database = 'postgres'): string {
    return `postgres://postgres:${this.superuserPassword}@${HOST}:${node.pgPort}/${database}`;
  }

  private own(path: string): void {
    if (this.ids.uid !== undefined) chownSync(path, this.ids.uid, this.ids.gid!);
  }

  private render(name: string, target: string, values: Record<string, string | number>): string {
    renderFile(name, target, values);
    this.own(target);
    return target;
  }

  private run(name: string, cmd: string, args: string[], env: Record<string, string> = {}): Proc {
    const logFile = join(this.dir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const proc = spawn(cmd, args, {
      ...this.ids,
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, LANG: 'C.UTF-8', ...env },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const p = { name, proc, exited };
    this.procs.push(p);
    return p;
  }

  /** Renders every configuration file and starts etcd, both Patroni nodes and HAProxy. */
  async start(): Promise<void> {
    this.etcdPort = await freePort();
    const etcdPeer = await freePort();
    const etcdDir = join(this.dir, 'etcd');
    mkdirSync(etcdDir, { mode: 0o700 });
    this.own(etcdDir);
    const etcdConfig = this.render('etcd.yml', join(this.dir, 'etcd.yml'), {
      ETCD_NAME: 'etcd1',
      ETCD_DATA_DIR: join(etcdDir, 'data'),
      ETCD_HOST: HOST,
      ETCD_CLIENT_PORT: this.etcdPort,
      ETCD_PEER_PORT: etcdPeer,
    });
    this.etcd = this.run('etcd', 'etcd', ['--config-file', etcdConfig]);
    await this.waitHttp(`http://${HOST}:${this.etcdPort}/health`, 30_000, 'etcd');
    this.log(`etcd up on ${HOST}:${this.etcdPort}`);

    const common = {
      ETCD_HOSTS: `${HOST}:${this.etcdPort}`,
      NODE_HOST: HOST,
      PG_BIN_DIR,
      PG_MAX_CONNECTIONS: 50,
      PG_SHARED_BUFFERS: '32MB',
      PG_SUPERUSER_PASSWORD: this.superuserPassword,
      PG_REPLICATION_PASSWORD: randomBytes(18).toString('base64url'),
      PG_REWIND_PASSWORD: randomBytes(18).toString('base64url'),
      PG_CLIENT_NET: `${HOST}/32`,
    };
    for (const name of ['node1', 'node2']) {
      const dir = join(this.dir, name);
      mkdirSync(dir, { mode: 0o700 });
      this.own(dir);
      const node: PgNode = {
        name,
        pgPort: await freePort(),
        restPort: await freePort(),
        dir,
        dataDir: join(dir, 'data'),
        config: join(dir, 'patroni.yml'),
      };
      this.render('patroni.yml', node.config, {
        ...common,
        NODE_NAME: name,
        NODE_PG_PORT: node.pgPort,
        NODE_REST_PORT: node.restPort,
        NODE_DIR: dir,
        NODE_DATA_DIR: node.dataDir,
      });
      this.nodes.push(node);
    }
    // The first node initialises the cluster; the second then clones it (pg_basebackup).
    this.startPatroni(this.nodes[0]!);
    await this.waitForLeader(90_000);
    this.log(`${this.nodes[0]!.name} leads (PostgreSQL on ${HOST}:${this.nodes[0]!.pgPort})`);
    this.startPatroni(this.nodes[1]!);
    await this.waitForSyncStandby(120_000);
    this.log(
      `${this.nodes[1]!.name} is the synchronous standby (PostgreSQL on ${HOST}:${this.nodes[1]!.pgPort})`,
    );

    this.writePort = await freePort();
    this.readPort = await freePort();
    this.gatewayPort = await freePort();
    this.statsPort = await freePort();
  }

  /** HAProxy in front of the nodes and the given gateway ports (started once they are known). */
  async startHaproxy(gatewayPorts: number[]): Promise<void> {
    const config = this.render('haproxy.cfg', join(this.dir, 'haproxy.cfg'), {
      HAPROXY_HOST: HOST,
      HAPROXY_STATS_SOCKET: join(this.dir, 'haproxy.sock'),
      HAPROXY_STATS_PORT: this.statsPort,
      HAPROXY_WRITE_PORT: this.writePort,
      HAPROXY_READ_PORT: this.readPort,
      HAPROXY_GATEWAY_PORT: this.gatewayPort,
      HAPROXY_GATEWAY_MAXCONN: GATEWAY_MAXCONN_PER_PROCESS,
      HAPROXY_PG_SERVERS: this.nodes
        .map((n) => `    server ${n.name} ${HOST}:${n.pgPort} maxconn 45 check port ${n.restPort}`)
        .join('\n'),
      HAPROXY_GATEWAY_SERVERS: gatewayPorts
        .map((p, i) => `    server gateway${i + 1} ${HOST}:${p} check`)
        .join('\n'),
    });
    const check = spawnSync('haproxy', ['-c', '-q', '-f', config], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy.cfg invalid: ${check.stderr}${check.stdout}`);
    this.haproxy = this.run('haproxy', 'haproxy', ['-db', '-f', config]);
    await this.waitHttp(`http://${HOST}:${this.statsPort}/`, 15_000, 'haproxy');
    // A server counts as up before its first check: wait until the checks have sorted the nodes,
    // or the first connections could land on the standby.
    const deadline = Date.now() + 15_000;
    const leader = await this.waitForLeader(15_000);
    while ((await this.frontServers('postgres_write')).join() !== leader.name) {
      if (Date.now() > deadline) throw new Error('HAProxy write front did not settle on the leader');
      await sleep(200);
    }
    this.log(
      `HAProxy: write ${HOST}:${this.writePort}, read ${HOST}:${this.readPort}, gateways ${HOST}:${this.gatewayPort}`,
    );
  }

  etcdPids(): number[] {
    return this.etcd?.proc.pid ? [this.etcd.proc.pid] : [];
  }

  /** Servers HAProxy currently sends a front's traffic to (status UP), from its stats CSV. */
  async frontServers(front: string): Promise<string[]> {
    const res = await fetch(`http://${HOST}:${this.statsPort}/;csv`, { signal: AbortSignal.timeout(1000) });
    const lines = (await res.text()).split('\n').map((l) => l.split(','));
    const status = lines[0]!.indexOf('status');
    return lines
      .filter((c) => c[0] === front && c[1] !== 'FRONTEND' && c[1] !== 'BACKEND' && c[status] === 'UP')
      .map((c) => c[1]!);
  }

  startPatroni(node: PgNode): void {
    node.patroni = this.run(`patroni-${node.name}`, 'patroni', [node.config]);
  }

  /** Patroni's view of the cluster, asked of any node whose REST API answers. */
  async members(): Promise<Member[]> {
    for (const node of this.nodes) {
      try {
        const res = await fetch(`http://${HOST}:${node.restPort}/cluster`, {
          signal: AbortSignal.timeout(1000),
        });
        if (res.ok) return ((await res.json()) as { members: Member[] }).members;
      } catch {
        // that node's Patroni is down: ask the next
      }
    }
    return [];
  }

  async leader(): Promise<PgNode | undefined> {
    const name = (await this.members()).find((m) => m.role === 'leader' && m.state === 'running')?.name;
    return this.nodes.find((n) => n.name === name);
  }

  async waitForLeader(timeoutMs: number): Promise<PgNode> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const leader = await this.leader();
      if (leader) return leader;
      await sleep(250);
    }
    throw new Error(`no Patroni leader within ${timeoutMs / 1000} s (logs in ${this.dir})`);
  }

  /** Both nodes up: a running leader and a streaming synchronous standby. */
  async waitForSyncStandby(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const members = await this.members();
      const ok =
        members.some((m) => m.role === 'leader' && m.state === 'running') &&
        members.some((m) => m.role === 'sync_standby' && (m.state === 'streaming' || m.state === 'running'));
      if (ok) return;
      await sleep(250);
    }
    throw new Error(
      `no synchronous standby within ${timeoutMs / 1000} s: ${JSON.stringify(await this.members())}`,
    );
  }

  /** The postmaster's pid from its pid file (Patroni detaches PostgreSQL from itself). */
  postmasterPid(node: PgNode): number | undefined {
    try {
      const pid = Number(readFileSync(join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL of a node's PostgreSQL: the postmaster and every backend at once (a crashed server). */
  killPostgres(node: PgNode): number[] {
    const pid = this.postmasterPid(node);
    if (!pid) return [];
    const pids = [pid, ...childPids(pid)];
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return pids;
  }

  killPatroni(node: PgNode): void {
    node.patroni?.proc.kill('SIGKILL');
  }

  /** `patronictl switchover` to the other node (a planned leader change). */
  switchover(from: PgNode, to: PgNode): string {
    const out = spawnSync(
      'patronictl',
      ['-c', from.config, 'switchover', '--leader', from.name, '--candidate', to.name, '--force', 'juc'],
      {
        ...this.ids,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', HOME: this.dir, LANG: 'C.UTF-8' },
      },
    );
    if (out.status !== 0) throw new Error(`patronictl switchover failed: ${out.stderr}${out.stdout}`);
    return out.stdout.trim().split('\n').filter(Boolean).pop() ?? '';
  }

  private async waitHttp(url: string, timeoutMs: number, name: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not yet
      }
      await sleep(200);
    }
    throw new Error(`${name} did not answer at ${url} within ${timeoutMs / 1000} s (logs in ${this.dir})`);
  }

  /** Stops HAProxy, Patroni (which stops PostgreSQL), etcd; kills what is left; removes the folder. */
  async stop(options: { keep?: boolean } = {}): Promise<void> {
    const alive = (p: Proc) => p.proc.exitCode === null && p.proc.signalCode === null;
    const end = async (p: Proc, ms: number) => {
      if (!alive(p)) return;
      p.proc.kill('SIGTERM');
      const timer = setTimeout(() => p.proc.kill('SIGKILL'), ms);
      await p.exited;
      clearTimeout(timer);
    };
    if (this.haproxy) await end(this.haproxy, 5_000);
    await Promise.all(this.procs.filter((p) => p.name.startsWith('patroni')).map((p) => end(p, 20_000)));
    for (const node of this.nodes) this.killPostgres(node);
    for (const p of this.procs) await end(p, 5_000);
    if (!options.keep) rmSync(this.dir, { recursive: true, force: true });
  }
}
