/**
 * Errors Node meets before Express (issue 17 item 6): an oversized header block and broken framing
 * get problem+json like every other failure, not Node's bare status line. Sent over a raw socket,
 * since no well-behaved client library will send them.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { pino } from 'pino';
import { createHttpServer } from '../../../server/http/http-server.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function sendRaw(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(bytes);
  });
}

function expectProblem(answer: RawAnswer, status: number, code: string) {
  expect(answer.status).to.equal(status);
  expect(answer.headers['content-type']).to.equal('application/problem+json');
  expect(answer.headers.connection).to.equal('close');
  expect(Number(answer.headers['content-length'])).to.equal(Buffer.byteLength(answer.body));
  const body = JSON.parse(answer.body);
  expect(body).to.include({ status, code, type: `https://joint-use-center.github.io/problems/${code}` });
  expect(body.requestId).to.equal(answer.headers['x-request-id']);
  expect(body.instance).to.equal(`urn:request:${answer.headers['x-request-id']}`);
}

describe('Node-level errors as problem+json', function () {
  this.timeout(30_000);
  let t: TestApp;
  let server: Server;
  let port: number;

  before(async () => {
    t = await buildTestApp();
    server = createHttpServer(t.app, pino({ level: 'silent' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a 20 KB header with 431 header_too_large', async () => {
    const answer = await sendRaw(
      port,
      `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    );
    expectProblem(answer, 431, 'header_too_large');
  });

  it('answers broken framing with 400 validation_failed', async () => {
    expectProblem(
      await sendRaw(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n'),
      400,
      'validation_failed',
    );
    expectProblem(await sendRaw(port, 'HELLO THERE\r\n\r\n'), 400, 'validation_failed');
  });

  it('still serves a well-formed request on the same server', async () => {
    const answer = await sendRaw(
      port,
      'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.equal({ status: 'ok' });
  });
});
