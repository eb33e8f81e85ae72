/**
 * Scenario (a), the floor: a bare Express route doing one synchronous-commit INSERT, on the same
 * cores as the gateway (node:cluster, one worker per CPU) against the same database server.
 *   FLOOR_DATABASE_URL, PORT, BENCH_WORKERS
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import express from 'express';
import { createDb } from '../server/db/db.js';

if (cluster.isPrimary) {
  const count = Number(process.env.BENCH_WORKERS ?? availableParallelism());
  let stopping = false;
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork();
    process.stdout.write(`worker ${worker.process.pid}\n`);
  }
  cluster.on('exit', () => {
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  });
} else {
  const db = createDb({
    url: process.env.FLOOR_DATABASE_URL!,
    poolMax: Number(process.env.DB_POOL_MAX ?? 10),
    statementTimeoutMs: 15_000,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: 102_400 }));
  app.get('/readyz', (_req, res) => void res.json({ status: 'ready' }));
  app.post('/floor', async (req, res) => {
    // The server default is synchronous_commit = on; say so anyway, as the audit append does.
    const { rows } = await db.raw<{ rows: { id: number }[] }>(
      `WITH durable AS (SELECT set_config('synchronous_commit', 'on', true))
       INSERT INTO bench_floor (body) SELECT ? FROM durable RETURNING id`,
      [JSON.stringify(req.body)],
    );
    res.status(201).json({ id: rows[0]!.id });
  });
  const server = app.listen(Number(process.env.PORT), '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => {
    server.close(() => void db.destroy().then(() => process.exit(0)));
    server.closeIdleConnections();
  });
}
