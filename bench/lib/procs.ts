/** Child processes of the bench and the fault suite: start, wait for readiness, sample RSS, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Lines the child printed on stdout (e.g. worker pids). */
  lines: string[];
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * Runs `node --import tsx <script>` with env. With `capture` its stdout lines are kept (small
 * outputs: results); otherwise stdout and stderr go straight to logFile, so a busy server never
 * waits on this process to drain a pipe (pino writes synchronously).
 */
export function startNode(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
  options: { nodeArgs?: string[]; capture?: boolean } = {},
): Child {
  const capture = options.capture ?? false;
  const fd = capture ? undefined : openSync(logFile, 'a');
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd!, fd!],
  });
  if (fd !== undefined) closeSync(fd);
  const lines: string[] = [];
  const log = capture ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  let buffer = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    log!.write(chunk);
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  if (log) proc.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    name,
    proc,
    lines,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls url until it answers 200 (bounded); returns the ms it took. */
export async function waitFor200(url: string, timeoutMs: number, child?: Child): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child && child.proc.exitCode !== null)
      throw new Error(`${child.name} exited (${child.proc.exitCode})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Resident set (and its peak) of a process in MB, from /proc; undefined once it is gone. */
export function rssMb(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Samples RSS of process groups every 250 ms; `stop()` returns the peaks (per process, per group, total). */
export function rssSampler(groups: Record<string, () => number[]>) {
  const peakByGroup: Record<string, number> = {};
  let peakTotal = 0;
  const tick = () => {
    let total = 0;
    for (const [name, pids] of Object.entries(groups)) {
      for (const pid of pids()) {
        const m = rssMb(pid);
        if (!m) continue;
        total += m.rss;
        peakByGroup[name] = Math.max(peakByGroup[name] ?? 0, Math.round(m.rss));
      }
    }
    peakTotal = Math.max(peakTotal, total);
  };
  const timer = setInterval(tick, 250);
  tick();
  return {
    stop() {
      clearInterval(timer);
      tick();
      return {
        peakPerProcessMb: Math.max(0, ...Object.values(peakByGroup)),
        peakByGroupMb: { ...peakByGroup },
        peakTotalMb: Math.round(peakTotal),
      };
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (clock ticks; 100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU used by groups of processes between start and stop (pids are re-listed at both ends;
 * processes that end in between are lost).
 */
export function cpuMeter(groups: Record<string, () => Promise<number[]> | number[]>) {
  const first = new Map<string, Map<number, number>>();
  const sample = async () => {
    const out = new Map<string, Map<number, number>>();
    for (const [name, pids] of Object.entries(groups)) {
      const m = new Map<number, number>();
      for (const pid of await pids()) {
        const s = cpuSeconds(pid);
        if (s !== undefined) m.set(pid, s);
      }
      out.set(name, m);
    }
    return out;
  };
  return {
    async start() {
      for (const [k, v] of await sample()) first.set(k, v);
    },
    async stop(): Promise<Record<string, number>> {
      const last = await sample();
      const used: Record<string, number> = {};
      for (const [name, m] of last) {
        const before = first.get(name) ?? new Map<number, number>();
        let total = 0;
        // A process not seen at start was born during the window: all of its CPU counts.
        for (const [pid, s] of m) total += s - (before.get(pid) ?? 0);
        used[name] = Math.round(total * 100) / 100;
      }
      return used;
    },
  };
}

/** Direct children of a process (cluster workers of a primary), from /proc. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
