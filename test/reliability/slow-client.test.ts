/**
 * Regression for reliability check L5: a slowloris that drips its headers and never reads what it is
 * sent. The server answers 408 at the headers timeout; it allows half-open sockets, so without
 * closing the socket itself it held it (and its descriptor) for as long as the client kept it.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { expect } from 'chai';
import { createHttpServer, HEADERS_TIMEOUT_MS } from '../../server/http/http-server.js';
import { createLogger } from '../../server/http/logger.js';
import { LogCapture } from '../support/app.js';

describe('slow clients that never read (reliability L5)', function () {
  this.timeout(HEADERS_TIMEOUT_MS + 15_000);

  it('lets go of the socket after its 408, whether or not the client reads it', async () => {
    const server = createHttpServer((_req, res) => res.end('ok'), createLogger('silent', new LogCapture()));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const silent = connect(port, '127.0.0.1');
    silent.on('error', () => undefined);
    // Never read: the socket stays paused, so its 408 and the server's FIN sit unread.
    silent.pause();
    await once(silent, 'connect');
    silent.write('GET /v1/purposes HTTP/1.1\r\nHost: a\r\n');
    const drip = setInterval(() => silent.writable && silent.write('X'), 1000);
    const open = () =>
      new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    try {
      expect(await open()).to.equal(1);
      const deadline = Date.now() + HEADERS_TIMEOUT_MS + 5_000;
      while (Date.now() < deadline && (await open()) > 0) await new Promise((r) => setTimeout(r, 250));
      expect(await open(), 'connections the server still holds').to.equal(0);
    } finally {
      clearInterval(drip);
      silent.destroy();
      server.close();
    }
  });
});
