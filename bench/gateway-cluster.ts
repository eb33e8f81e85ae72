/**
 * The gateway on every core: a node:cluster primary forks BENCH_WORKERS (default: one per CPU)
 * workers, each running server/main.ts (or GATEWAY_ENTRY) on the same PORT (connections are shared by the primary).
 * Workers start one after another so only one runs migrations at a time. A worker that dies
 * (SIGKILL in the fault suite) is replaced, as a supervisor would; SIGTERM to the primary drains
 * every worker. Prints `worker <pid>` lines on stdout so the bench can sample their RSS.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';

if (cluster.isPrimary) {
  // GATEWAY_ENTRY (the bench sets dist/server/main.js): workers run the compiled build on plain
  // node, without tsx's loader thread and transform caches (~40 MB per worker).
  const entry = process.env.GATEWAY_ENTRY;
  if (entry) {
    const execArgv: string[] = [];
    for (let i = 0; i < process.execArgv.length; i++) {
      const arg = process.execArgv[i]!;
      if (arg === '--import' && process.execArgv[i + 1] === 'tsx') i++;
      else if (arg !== '--import=tsx') execArgv.push(arg);
    }
    cluster.setupPrimary({ exec: entry, execArgv });
  }
  const count = Number(process.env.BENCH_WORKERS ?? availableParallelism());
  let stopping = false;
  const fork = () =>
    new Promise<void>((resolve) => {
      const worker = cluster.fork();
      process.stdout.write(`worker ${worker.process.pid}\n`);
      worker.once('listening', () => resolve());
      worker.once('exit', () => resolve());
    });
  cluster.on('exit', (worker, code, signal) => {
    process.stdout.write(`exit ${worker.process.pid} ${code ?? ''} ${signal ?? ''}\n`);
    if (!stopping) void fork();
    else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {});
      if (workers.length === 0) process.exit(0);
      for (const worker of workers) worker?.process.kill('SIGTERM');
    });
  }
  for (let i = 0; i < count; i++) await fork();
  process.stdout.write('ready\n');
} else {
  await import('../server/main.js');
}
