/**
 * Regressions for reliability checks B3 (a 10 KiB URL is 414, not 400) and L5 (a client dripping its
 * headers is cut off after 10 s, not Node's 60 s checked every 30 s), on the production HTTP server.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { expect } from 'chai';
import { createHttpServer, HEADERS_TIMEOUT_MS, MAX_URL_BYTES } from '../../server/http/http-server.js';
import { createLogger } from '../../server/http/logger.js';
import { buildTestApp, LogCapture } from '../support/app.js';

describe('HTTP server limits (reliability B3, L5)', function () {
  this.timeout(40_000);
  let server: Server;
  let base: string;
  before(async () => {
    const t = await buildTestApp();
    server = createHttpServer(t.app, createLogger('silent', new LogCapture()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('answers a target over 8 KiB with 414 problem+json, and one at the limit is routed', async () => {
    const over = await fetch(`${base}/v1/purposes?q=${'u'.repeat(10 * 1024)}`);
    expect(over.status).to.equal(414);
    expect(over.headers.get('content-type')).to.equal('application/problem+json; charset=utf-8');
    const body = (await over.json()) as { code: string; status: number };
    expect(body).to.include({ code: 'uri_too_long', status: 414 });
    const at = await fetch(`${base}/v1/purposes?q=${'u'.repeat(MAX_URL_BYTES - '/v1/purposes?q='.length)}`);
    expect(at.status).to.equal(400);
    await at.arrayBuffer();
  });

  it('closes a connection whose headers have not arrived within 10 s', async () => {
    expect(HEADERS_TIMEOUT_MS).to.equal(10_000);
    const url = new URL(base);
    const started = Date.now();
    const closed = await new Promise<{ ms: number; reply: string }>((resolve) => {
      const s = connect(Number(url.port), url.hostname);
      let reply = '';
      s.on('data', (c) => (reply += c.toString()));
      s.on('error', () => undefined);
      s.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n`);
      const drip = setInterval(() => s.write('X-Drip: 1\r\n'), 1000);
      s.on('close', () => {
        clearInterval(drip);
        resolve({ ms: Date.now() - started, reply });
      });
    });
    expect(closed.ms).to.be.within(9_000, 13_000);
    expect(closed.reply).to.match(/^HTTP\/1\.1 408 /);
  });
});
