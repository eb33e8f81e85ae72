/**
 * The witness as an HTTP service: `POST /add-checkpoint` (c2sp.org/tlog-witness) and the monitoring read
 * `GET /<hex SHA-256 of the origin>/checkpoint`. Its key and its state live in its own folder; the key is
 * generated there on first start (0600) and the vkey written beside it for whoever pins it.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openFileStore } from './store.js';
import { createWitness, type Witness } from './witness.js';

/** A request body is an old-size line, at most 63 proof lines and a checkpoint with a few signatures. */
const MAX_BODY_BYTES = 64 * 1024;

export function loadOrCreateWitnessKey(dataDir: string): KeyObject {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'witness-key.pem');
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  const key = createPrivateKey(readFileSync(path));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is not an Ed25519 key`);
  return key;
}

export interface WitnessServiceOptions {
  name: string;
  dataDir: string;
  logKeys: readonly string[];
  host?: string;
  port?: number;
  now?: () => number;
}

export interface RunningWitness {
  name: string;
  vkey: string;
  /** Submission and monitoring prefix, ending in a slash. */
  url: string;
  witness: Witness;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const originHash = (origin: string): string => createHash('sha256').update(origin).digest('hex');

export function witnessServer(witness: Witness): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://witness').pathname;
    const send = (status: number, contentType: string, body: string) =>
      res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
    if (path === '/add-checkpoint') {
      if (req.method !== 'POST') return send(405, 'text/plain; charset=utf-8', 'POST only\n');
      readBody(req)
        .then(
          async (body) => {
            if (body === null) return send(413, 'text/plain; charset=utf-8', 'request body too large\n');
            const answer = await witness.addCheckpoint(body);
            send(answer.status, answer.contentType, answer.body);
          },
          () => send(400, 'text/plain; charset=utf-8', 'unreadable request body\n'),
        )
        .catch(() => {
          if (!res.headersSent) send(500, 'text/plain; charset=utf-8', 'witness failure\n');
        });
      return;
    }
    const monitor = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path);
    if (monitor && req.method === 'GET') {
      const origin = witness.origins().find((o) => originHash(o) === monitor[1]);
      const note = origin === undefined ? undefined : witness.latest(origin);
      if (note === undefined)
        return send(404, 'text/plain; charset=utf-8', 'no checkpoint cosigned for this log\n');
      return send(200, 'text/plain; charset=utf-8', note);
    }
    if (path === '/' && req.method === 'GET') {
      return send(200, 'text/plain; charset=utf-8', `${witness.vkey}\n`);
    }
    send(404, 'text/plain; charset=utf-8', 'not found\n');
  });
}

export async function startWitness(options: WitnessServiceOptions): Promise<RunningWitness> {
  const privateKey = loadOrCreateWitnessKey(options.dataDir);
  const conflicts = join(options.dataDir, 'conflicts.log');
  const witness = createWitness({
    name: options.name,
    privateKey,
    logKeys: options.logKeys,
    store: openFileStore(options.dataDir),
    ...(options.now ? { now: options.now } : {}),
    // Kept as evidence: a validly signed checkpoint that contradicts what this witness cosigned.
    onConflict: (origin, request, reason) =>
      appendFileSync(
        conflicts,
        JSON.stringify({ at: new Date().toISOString(), origin, reason, request }) + '\n',
        { mode: 0o600 },
      ),
  });
  writeFileSync(join(options.dataDir, 'witness.vkey'), `${witness.vkey}\n`);
  const server = witnessServer(witness);
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name: witness.name,
    vkey: witness.vkey,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    witness,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
