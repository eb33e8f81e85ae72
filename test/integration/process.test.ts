/**
 * The real entry point as `npm start` runs it: embedded PostgreSQL when DATABASE_URL is unset,
 * readiness, and a graceful SIGTERM that finishes a request already in flight and answers a
 * keep-alive client's next request (told to close) instead of resetting its idle socket.
 */
import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function startMain(
  env: Record<string, string>,
  entry: string[] = ['--import', 'tsx', 'server/main.ts'],
): {
  child: ChildProcess;
  url: Promise<string>;
  output: () => string;
} {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    LOG_LEVEL: 'info',
    ...env,
  };
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, entry, {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API docs\s+(http:\/\/\S+)\/docs/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
  });
  return { child, url, output: () => output };
}

describe('service process', function () {
  this.timeout(120_000);

  it('starts with an embedded PostgreSQL, becomes ready, and on SIGTERM drains in-flight requests and answers keep-alive clients before closing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'juc-start-'));
    chmodSync(dir, 0o755); // reachable by the unprivileged user PostgreSQL runs as under root
    after(() => rmSync(dir, { recursive: true, force: true }));
    const started = Date.now();
    const main = startMain({ EMBEDDED_PG_DIR: join(dir, 'pg'), NODE_ENV: 'development' });
    const url = await main.url;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).to.equal(200);
    expect(Date.now() - started).to.be.lessThan(60_000);

    // Open a request and leave its body half-sent, then ask the process to stop.
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (d) => (response += d.toString()));
    socket.write(
      'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"a"',
    );
    // And a keep-alive client between two requests: its connection is idle when the signal comes.
    const keepAlive = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => keepAlive.once('connect', resolve));
    let keptAnswers = '';
    keepAlive.on('data', (d) => (keptAnswers += d.toString()));
    keepAlive.on('error', () => undefined);
    const healthz = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n';
    keepAlive.write(healthz);
    await new Promise((r) => setTimeout(r, 200));
    expect(keptAnswers).to.match(/^HTTP\/1\.1 200 /);
    expect(keptAnswers.toLowerCase()).to.contain('connection: keep-alive');
    keptAnswers = '';
    const exited = new Promise<number | null>((resolve) => main.child.once('exit', (code) => resolve(code)));
    const stopAt = Date.now();
    main.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.write(':1}\r\n');
    // Its next request on the same socket is answered, and told to close, not reset.
    keepAlive.write(healthz);
    const code = await exited;
    expect(keptAnswers, 'second request on the kept-alive socket').to.match(/^HTTP\/1\.1 200 /);
    expect(keptAnswers.toLowerCase()).to.contain('connection: close');
    keepAlive.destroy();
    expect(Date.now() - stopAt, 'drained without waiting for the shutdown timeout').to.be.lessThan(5000);
    expect(code, main.output()).to.equal(0);
    expect(response).to.match(/^HTTP\/1\.1 405 /);
    expect(main.output()).to.contain('shutting down');
    socket.destroy();
  });

  it('runs from the compiled build on plain node, with every asset it reads beside it', async () => {
    // What production runs (README, Deployment): npm run build, then node dist/server/main.js.
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const dir = mkdtempSync(join(tmpdir(), 'juc-dist-'));
    chmodSync(dir, 0o755);
    after(() => rmSync(dir, { recursive: true, force: true }));
    const main = startMain(
      { EMBEDDED_PG_DIR: join(dir, 'pg'), NODE_ENV: 'development', DEV_DATA_DIR: join(dir, 'data') },
      ['--max-semi-space-size=32', '--max-old-space-size=192', 'dist/server/main.js'],
    );
    try {
      const url = await main.url;
      expect((await fetch(`${url}/readyz`)).status).to.equal(200);
      const catalog = (await (await fetch(`${url}/v1/catalog?limit=100`)).json()) as { items: unknown[] };
      expect(catalog.items.length, 'record types from dist/server/catalog').to.be.greaterThan(90);
      for (const path of ['/docs/', '/openapi/gateway.yaml', '/assets/portal/portal.js', '/portal']) {
        expect((await fetch(`${url}${path}`, { redirect: 'manual' })).status, path).to.be.oneOf([
          200, 302, 303,
        ]);
      }
      expect(main.output()).to.not.match(/tsx/);
    } finally {
      const exited = new Promise((resolve) => main.child.once('exit', resolve));
      main.child.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses to start with invalid configuration and lists every problem', async () => {
    const main = startMain({ PORT: 'x', LOG_LEVEL: 'shouty', HOST: '' });
    const code = await new Promise<number | null>((resolve) => main.child.once('exit', resolve));
    main.url.catch(() => undefined);
    expect(code).to.equal(1);
    expect(main.output()).to.match(/Invalid configuration \(2 problems\)/);
    expect(main.output()).to.contain('PORT="x"');
    expect(main.output()).to.contain('LOG_LEVEL="shouty"');
  });
});
