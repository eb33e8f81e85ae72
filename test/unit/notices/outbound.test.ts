import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  addressRange,
  guardedPost,
  isPublicAddress,
  OutboundRefusedError,
  type Resolve,
} from '../../../server/notices/outbound.js';
import { checkWebhookUrl } from '../../../server/portal/portal.service.js';

interface Receiver {
  server: Server;
  port: number;
  hits: { host: string | undefined; body: string }[];
}

async function startReceiver(): Promise<Receiver> {
  const hits: Receiver['hits'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ host: req.headers.host, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** A resolver that answers from a table and counts its calls (no DNS needed, none used). */
function tableResolver(table: Record<string, string[]>): Resolve & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    return (table[hostname] ?? []).map(
      (address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const,
    );
  };
  return Object.assign(resolve, { calls });
}

const REQUEST = { headers: { 'content-type': 'text/plain' }, body: 'hello', timeoutMs: 2_000 };

describe('outbound SSRF guard (resolved addresses, pinned connection)', function () {
  this.timeout(10_000);
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.server.close());
  beforeEach(() => {
    receiver.hits.length = 0;
  });

  it('classifies addresses: only public unicast passes', () => {
    const expected: Record<string, string> = {
      '127.0.0.1': 'loopback',
      '10.1.2.3': 'private',
      '172.16.0.9': 'private',
      '192.168.1.1': 'private',
      '100.64.0.1': 'carrierGradeNat',
      '169.254.169.254': 'linkLocal',
      '224.0.0.1': 'multicast',
      '0.0.0.0': 'unspecified',
      '255.255.255.255': 'broadcast',
      '192.0.2.1': 'reserved',
      '::1': 'loopback',
      'fc00::1': 'uniqueLocal',
      'fd12:3456::1': 'uniqueLocal',
      'fe80::1': 'linkLocal',
      'ff02::1': 'multicast',
      '::ffff:127.0.0.1': 'loopback',
      '::ffff:10.0.0.1': 'private',
      '64:ff9b::7f00:1': 'rfc6052',
      '2002:7f00:1::': '6to4',
      '8.8.8.8': 'unicast',
      '2606:4700:4700::1111': 'unicast',
    };
    for (const [address, range] of Object.entries(expected)) {
      expect(addressRange(address), address).to.equal(range);
      expect(isPublicAddress(address), address).to.equal(range === 'unicast');
    }
  });

  it('refuses a name that resolves to 127.0.0.1, which the check of the name as written let through', async () => {
    const resolve = tableResolver({ 'hooks.bank.example': ['127.0.0.1'] });
    const url = `https://hooks.bank.example:${receiver.port}/hook`;
    // The old check (the portal form's, by the host name as written) sees nothing wrong.
    expect(checkWebhookUrl(url, false)).to.equal(undefined);
    let error: unknown;
    try {
      await guardedPost({ allowPrivate: false, resolve })(url, REQUEST);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(OutboundRefusedError);
    expect((error as Error).message).to.equal(
      'hooks.bank.example resolves to 127.0.0.1 (loopback), not a public address',
    );
    expect(receiver.hits).to.have.length(0);
  });

  it('refuses when any one answer is private, and literal, mapped and system-resolved loopback', async () => {
    const resolve = tableResolver({ 'mixed.example': ['8.8.8.8', '10.0.0.7'] });
    const post = guardedPost({ allowPrivate: false, resolve });
    const refusals: string[] = [];
    for (const url of [
      'https://mixed.example/h',
      `http://127.0.0.1:${receiver.port}/h`,
      `http://[::ffff:127.0.0.1]:${receiver.port}/h`,
      `http://[::1]:${receiver.port}/h`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      await post(url, REQUEST).then(
        () => refusals.push(`${url}: sent`),
        (err: Error) => refusals.push(`${err.name}: ${err.message}`),
      );
    }
    expect(refusals).to.deep.equal([
      'OutboundRefusedError: mixed.example resolves to 10.0.0.7 (private), not a public address',
      'OutboundRefusedError: 127.0.0.1 (loopback) is not a public address',
      // The URL parser writes the mapped address in hex; it is judged as the IPv4 address it carries.
      'OutboundRefusedError: ::ffff:7f00:1 (loopback) is not a public address',
      'OutboundRefusedError: ::1 (loopback) is not a public address',
      'OutboundRefusedError: 169.254.169.254 (linkLocal) is not a public address',
    ]);
    // The system resolver: `localhost` is loopback whatever the hosts file says.
    const viaSystem = await guardedPost({ allowPrivate: false })(
      `http://localhost:${receiver.port}/h`,
      REQUEST,
    ).then(
      () => 'sent',
      (err: Error) => err.name,
    );
    expect(viaSystem).to.equal('OutboundRefusedError');
    expect(receiver.hits).to.have.length(0);
  });

  it('connects to the address it checked: a name no DNS knows reaches the pinned 127.0.0.1 when allowed', async () => {
    const resolve = tableResolver({ 'hooks.citizen.test': ['127.0.0.1'] });
    const answer = await guardedPost({ allowPrivate: true, resolve })(
      `http://hooks.citizen.test:${receiver.port}/hook`,
      REQUEST,
    );
    expect(answer.status).to.equal(204);
    expect(receiver.hits).to.deep.equal([{ host: `hooks.citizen.test:${receiver.port}`, body: 'hello' }]);
    expect(resolve.calls).to.deep.equal(['hooks.citizen.test']);
  });

  it('resolves once: a second answer (DNS rebinding to 127.0.0.1) is never used for the connection', async () => {
    let calls = 0;
    // First answer public (checked and pinned), every later one loopback.
    const rebinding: Resolve = async () => {
      calls++;
      return [{ address: calls === 1 ? '8.8.8.8' : '127.0.0.1', family: 4 }];
    };
    const outcome = await guardedPost({ allowPrivate: false, resolve: rebinding })(
      `http://rebind.example:${receiver.port}/hook`,
      { ...REQUEST, timeoutMs: 300 },
    ).then(
      (r) => `status ${r.status}`,
      (err: Error) => err.name,
    );
    // No route to 8.8.8.8 from this machine: the request fails (unreachable or timed out), but it
    // never reaches the receiver on 127.0.0.1, and the name was looked up once.
    expect(outcome).not.to.match(/^status/);
    expect(calls).to.equal(1);
    expect(receiver.hits).to.have.length(0);
  });
});
