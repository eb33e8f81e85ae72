/**
 * HAProxy in front of the gateway cluster, as production has it: deploy/ha/haproxy.cfg's `gateways`
 * front and `gateway_pool` backend (with its statistics page), rendered from that same template, so
 * L2's overload meets the same per-server `maxconn`, `timeout queue` and problem+json 503 as a
 * deployment. Its database fronts are left out: the rig's gateway talks to PostgreSQL directly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from '../bench/lib/procs.js';
import { GATEWAY_MAXCONN_PER_PROCESS, missingPrograms } from '../deploy/ha/cluster.js';
import { HA_DIR, render } from '../deploy/ha/templates.js';

export interface FrontProxy {
  url: string;
  config: string;
  maxconn: number;
  /** `timeout queue` as the template sets it. */
  queueTimeout: string;
  /** HAProxy's statistics: the front's 5xx and those the gateway sent itself, the longest queue. */
  stats(): Promise<{ front5xx: number; gateway5xx: number; queueMax: number }>;
  stop(): Promise<void>;
}

/** The template without the sections (a header line at column 0 and what follows) `drop` names. */
export function withoutSections(template: string, drop: (header: string) => boolean): string {
  const out: string[] = [];
  let keep = true;
  for (const line of template.split('\n')) {
    if (/^[a-z]/.test(line)) keep = !drop(line);
    if (keep) out.push(line);
  }
  return out.join('\n');
}

/** Debian's haproxy, installed as root (as CI runs) when missing; otherwise why it is not there. */
function ensureHaproxy(): string | undefined {
  if (!missingPrograms().includes('haproxy')) return undefined;
  if (userInfo().uid === 0)
    spawnSync('apt-get', ['install', '-y', '-qq', 'haproxy'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: 'ignore',
      timeout: 300_000,
    });
  return missingPrograms().includes('haproxy')
    ? 'haproxy is not installed (apt-get install haproxy; as root the harness installs it)'
    : undefined;
}

/** Starts `haproxy -db` before the gateway on `gatewayPort` (its `workers` processes); or why not. */
export async function startFrontProxy(o: {
  work: string;
  gatewayPort: number;
  workers: number;
}): Promise<FrontProxy | { missing: string }> {
  const missing = ensureHaproxy();
  if (missing) return { missing };
  const host = '127.0.0.1';
  const port = await freePort();
  const statsPort = await freePort();
  // One server line for the whole node:cluster (one port, its workers behind it).
  const maxconn = GATEWAY_MAXCONN_PER_PROCESS * o.workers;
  const template = withoutSections(readFileSync(join(HA_DIR, 'haproxy.cfg'), 'utf8'), (h) =>
    h.startsWith('listen postgres_'),
  );
  const config = join(o.work, 'haproxy.cfg');
  writeFileSync(
    config,
    render(template, {
      HAPROXY_HOST: host,
      HAPROXY_STATS_SOCKET: join(o.work, 'haproxy.sock'),
      HAPROXY_STATS_PORT: statsPort,
      HAPROXY_GATEWAY_PORT: port,
      HAPROXY_GATEWAY_MAXCONN: maxconn,
      HAPROXY_GATEWAY_SERVERS: `    server gateway ${host}:${o.gatewayPort} check`,
    }),
  );
  const check = spawnSync('haproxy', ['-c', '-q', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy.cfg invalid: ${check.stderr}${check.stdout}`);
  const fd = openSync(join(o.work, 'haproxy.log'), 'a');
  const proc: ChildProcess = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://${host}:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })
      .then(async (r) => (await r.arrayBuffer(), r.ok))
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline || proc.exitCode !== null) {
      await stop();
      throw new Error(`haproxy did not pass /readyz within 15 s (${join(o.work, 'haproxy.log')})`);
    }
    await sleep(100);
  }
  const queueTimeout = /^\s*timeout queue (\S+)/m.exec(template)?.[1] ?? '?';
  const stats = async () => {
    const res = await fetch(`http://${host}:${statsPort}/;csv`, { signal: AbortSignal.timeout(2000) });
    const rows = (await res.text()).split('\n').map((l) => l.split(','));
    const col = (name: string) => rows[0]!.indexOf(name === 'pxname' ? '# pxname' : name);
    const row = (px: string, sv: string) => rows.find((r) => r[col('pxname')] === px && r[1] === sv);
    const n = (r: string[] | undefined, name: string) => Number(r?.[col(name)] ?? NaN);
    return {
      front5xx: n(row('gateways', 'FRONTEND'), 'hrsp_5xx'),
      gateway5xx: n(row('gateway_pool', 'gateway'), 'hrsp_5xx'),
      queueMax: n(row('gateway_pool', 'BACKEND'), 'qmax'),
    };
  };
  return { url, config, maxconn, queueTimeout, stats, stop };
}
