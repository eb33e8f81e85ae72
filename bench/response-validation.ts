/**
 * `npx tsx bench/response-validation.ts`: what checking responses against openapi/gateway.yaml
 * (VALIDATE_RESPONSES) costs. The real app (validation off) serves a citizen's access-log page (20
 * entries, each with its opening and inclusion proof: the largest document the API sends, 28 KB) and
 * the public catalog (30 KB); its Node CPU per request is the denominator. Then the contract validator,
 * mounted exactly as server/app.ts mounts it, serves those captured documents with response
 * validation off and on, in turns (off, on, on, off …) under autocannon, so neither the database nor
 * the domain drowns the difference: the median difference in Node CPU per request (this process,
 * app and load generator alike) is what validating one response costs.
 *
 * Uses DATABASE_URL's server (else 127.0.0.1:5432, else an embedded PostgreSQL); its own database is
 * dropped at the end. RV_SECONDS (8) per run, RV_ROUNDS (4) runs per mode.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import express, { type RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { loadCatalog } from '../server/catalog/catalog.js';
import { loadConfig } from '../server/config.js';
import { compose, type Composition } from '../server/compose.js';
import { createDb } from '../server/db/db.js';
import { OPENAPI_DIR } from '../server/docs/docs.routes.js';
import { migrateLatest } from '../server/db/migrations.js';
import { createLogger } from '../server/http/logger.js';
import { seedOrganisations } from '../server/organisations/seed.js';
import { adminQuery, benchServer, withDatabase } from './lib/database.js';
import { generateHistory, historySubjectKey } from './lib/history.js';

const ENTRIES = 20_000;
const SECONDS = Number(process.env.RV_SECONDS ?? 8);
const ROUNDS = Number(process.env.RV_ROUNDS ?? 2);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The benchmark signs citizens in by header: authentication is not what is measured. */
const principalHeader: RequestHandler = (req, res, next) => {
  const header = req.get('x-bench-principal');
  if (header) res.locals.principal = JSON.parse(header);
  next();
};

const citizen = JSON.stringify({
  kind: 'citizen',
  sub: 'bench-citizen',
  subjectKey: historySubjectKey(7),
  acr: 'urn:juc:acr:dev',
  amr: ['pwd'],
  authTime: 1_760_000_000,
  sessionId: 'bench-session',
});

interface Target {
  name: string;
  path: string;
  headers: Record<string, string>;
}

const TARGETS: Target[] = [
  {
    name: 'GET /v1/me/access-log?limit=100',
    path: '/v1/me/access-log?limit=100',
    headers: { 'x-bench-principal': citizen },
  },
  { name: 'GET /v1/catalog', path: '/v1/catalog', headers: {} },
];

interface Run {
  requests: number;
  perSecond: number;
  cpuMsPerRequest: number;
  latencyMean: number;
  latencyP99: number;
}

async function measure(url: string, target: Target, connections: number): Promise<Run> {
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url: `${url}${target.path}`,
    connections,
    duration: SECONDS,
    requests: [{ method: 'GET', headers: target.headers }],
  });
  const used = process.cpuUsage(cpu);
  if (result.non2xx || result.errors)
    throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / result.duration,
    cpuMsPerRequest: (used.user + used.system) / 1000 / result.requests.total,
    latencyMean: result.latency.mean!,
    latencyP99: result.latency.p99!,
  };
}

async function main() {
  const server = await benchServer(log);
  const name = `juc_respval_${process.pid}`;
  await adminQuery(server.url, `CREATE DATABASE ${name}`);
  const db = createDb({ url: withDatabase(server.url, name), poolMax: 10, statementTimeoutMs: 60_000 });
  const keyDir = mkdtempSync(join(tmpdir(), 'juc-respval-keys-'));
  const apps: { validate: boolean; composition: Composition; url: string; close(): void }[] = [];
  try {
    await migrateLatest(db);
    await generateHistory(db, ENTRIES, log);
    const catalog = loadCatalog();
    for (const validate of [false]) {
      const config = loadConfig({
        NODE_ENV: 'test',
        KEY_STORE_DIR: keyDir,
        VALIDATE_RESPONSES: String(validate),
        LOG_LEVEL: 'silent',
      });
      const composition = await compose({
        config,
        db,
        logger: createLogger('silent'),
        catalog,
        authenticate: principalHeader,
      });
      const listener = composition.app.listen(0, '127.0.0.1');
      await new Promise((resolve) => listener.once('listening', resolve));
      const { port } = listener.address() as AddressInfo;
      apps.push({ validate, composition, url: `http://127.0.0.1:${port}`, close: () => listener.close() });
    }
    await seedOrganisations(apps[0]!.composition.services.organisations);
    // One checkpoint over the generated log, so every entry comes with its inclusion proof.
    const checkpointer = apps[0]!.composition.background.find((task) => task.name === 'audit-checkpointer');
    if (!checkpointer) throw new Error('no checkpointer task');
    await checkpointer.start();
    for (let i = 0; i < 100 && Number((await db('checkpoint').count({ n: '*' }))[0]!.n) === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await checkpointer.stop();

    // End to end (validation off): what one request costs the real app.
    const bodies: { target: Target; body: unknown; bytes: number; endToEnd: Run }[] = [];
    for (const target of TARGETS) {
      const sample = await fetch(`${apps[0]!.url}${target.path}`, { headers: target.headers });
      const text = await sample.text();
      if (sample.status !== 200) throw new Error(`${target.name}: ${sample.status} ${text}`);
      await measure(apps[0]!.url, target, 4); // warm-up
      const endToEnd = await measure(apps[0]!.url, target, 4);
      bodies.push({ target, body: JSON.parse(text), bytes: Buffer.byteLength(text), endToEnd });
    }
    // In isolation: the contract validator exactly as server/app.ts mounts it, in front of routes that
    // send the captured documents, so the database and the domain do not drown the difference.
    const isolated = [false, true].map((validate) => {
      const app = express();
      app.set('query parser', 'simple');
      app.use(
        OpenApiValidator.middleware({
          apiSpec: join(OPENAPI_DIR, 'gateway.yaml'),
          validateRequests: { allowUnknownQueryParameters: false, removeAdditional: false, allErrors: true },
          validateResponses: validate ? { removeAdditional: false } : false,
          validateSecurity: false,
        }),
      );
      for (const { target, body } of bodies)
        app.get(target.path.split('?')[0]!, (_req, res) => res.json(body));
      const listener = app.listen(0, '127.0.0.1');
      return { validate, listener };
    });
    await Promise.all(
      isolated.map(({ listener }) => new Promise((resolve) => listener.once('listening', resolve))),
    );
    const urlOf = (listener: Server) => `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      for (const { target, bytes, endToEnd } of bodies) {
        const runs: Record<'off' | 'on', Run[]> = { off: [], on: [] };
        for (const { listener } of isolated) await measure(urlOf(listener), target, 4); // warm-up
        for (let round = 0; round < ROUNDS; round++) {
          for (const { validate, listener } of round % 2 ? [...isolated].reverse() : isolated)
            runs[validate ? 'on' : 'off'].push(await measure(urlOf(listener), target, 4));
        }
        const cpu = (xs: Run[]) => xs.map((r) => r.cpuMsPerRequest).sort((a, b) => a - b);
        const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
        const added = median(cpu(runs.on)) - median(cpu(runs.off));
        console.log(
          JSON.stringify({
            target: target.name,
            bytes,
            endToEndCpuMsPerRequest: +endToEnd.cpuMsPerRequest.toFixed(3),
            endToEndPerSecond: +endToEnd.perSecond.toFixed(1),
            isolatedCpuMsPerRequest: {
              off: cpu(runs.off).map((x) => +x.toFixed(3)),
              on: cpu(runs.on).map((x) => +x.toFixed(3)),
            },
            validationCpuMsPerResponse: +added.toFixed(3),
            shareOfEndToEnd: +(added / endToEnd.cpuMsPerRequest).toFixed(3),
          }),
        );
      }
    } finally {
      for (const { listener } of isolated) listener.close();
    }
  } finally {
    for (const app of apps) app.close();
    await db.destroy();
    await adminQuery(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.stop();
    rmSync(keyDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
