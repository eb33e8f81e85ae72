/**
 * The HTTP adapter against small purpose-built misbehaving servers (real sockets on loopback):
 * every failure is a typed ProviderError, nothing partial is returned, retries happen only for
 * transient failures of the idempotent read, the circuit opens and half-opens, the bulkhead caps.
 */
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import type { Catalog } from '../../../server/catalog/catalog.types.js';
import { generateRecord, subjectIdentifier, syntheticPerson } from '../../../server/dev/registry/generate.js';
import { ProviderError } from '../../../server/errors.js';
import {
  createHttpProvider,
  type HttpProvider,
  type HttpProviderOptions,
} from '../../../server/providers/http-provider.js';
import { generateRequestSigningKey, type RequestSigningKey } from '../../../server/providers/provider-key.js';
import { onStopAll } from '../../support/resources.js';

const RECORD_TYPE = 'resident.registration-abstract-individual';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Fault {
  server: Server;
  url: string;
  hits: number;
  connections: number;
}

async function faultServer(
  handle: (req: IncomingMessage, res: ServerResponse, hit: number) => void,
): Promise<Fault> {
  const fault = { hits: 0, connections: 0 } as Fault;
  fault.server = createServer((req, res) => {
    fault.hits += 1;
    req.resume();
    req.on('end', () => handle(req, res, fault.hits));
  });
  fault.server.on('connection', () => (fault.connections += 1));
  await new Promise<void>((resolve) => fault.server.listen(0, '127.0.0.1', resolve));
  fault.url = `http://127.0.0.1:${(fault.server.address() as AddressInfo).port}`;
  onStopAll(async () => {
    fault.server.closeAllConnections();
    await new Promise((resolve) => fault.server.close(resolve));
  });
  return fault;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('HTTP provider adapter against misbehaving registries', function () {
  this.timeout(20_000);
  let catalog: Catalog;
  let key: RequestSigningKey;
  const person = syntheticPerson(41);
  let goodEnvelope: {
    recordType: string;
    recordTypeVersion: number;
    holder: string;
    record: Record<string, unknown>;
  };
  let identifier: string;

  before(async () => {
    catalog = loadCatalog();
    key = await generateRequestSigningKey();
    const rt = catalog.get(RECORD_TYPE);
    identifier = subjectIdentifier(rt, person);
    goodEnvelope = {
      recordType: rt.id,
      recordTypeVersion: rt.version,
      holder: rt.holder.id,
      record: generateRecord(rt, person),
    };
  });

  function provider(url: string, overrides: Partial<HttpProviderOptions> = {}): HttpProvider {
    const p = createHttpProvider({
      id: 'faulty',
      baseUrl: url,
      issuer: 'urn:juc:gateway',
      catalog,
      signingKey: key,
      timeoutMs: 300,
      retryBaseMs: 10,
      maxConcurrent: 4,
      maxResponseBytes: 64 * 1024,
      breaker: { threshold: 100, cooldownMs: 1_000 },
      ...overrides,
    });
    onStopAll(() => p.close());
    return p;
  }

  const call = (p: HttpProvider, deadlineMs = 5_000) =>
    p.fetchRecord({
      recordType: RECORD_TYPE,
      identifier,
      requestId: 'req-1',
      deadline: AbortSignal.timeout(deadlineMs),
    });

  /** Awaits a rejection; a resolved value (partial data) fails the test. */
  async function failure(promise: Promise<unknown>): Promise<ProviderError> {
    const outcome = await promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    expect(outcome, 'no data may be returned').not.to.have.property('value');
    const error = (outcome as { error: unknown }).error;
    expect(error).to.be.instanceOf(ProviderError);
    return error as ProviderError;
  }

  it('returns the record from a well-behaved registry and reuses the keep-alive connection', async () => {
    const server = await faultServer((_req, res) => json(res, 200, goodEnvelope));
    const p = provider(server.url);
    for (let i = 0; i < 5; i++) {
      const { record, provenance } = await call(p);
      expect(record).to.deep.equal(goodEnvelope.record);
      expect(provenance.provider).to.equal('faulty');
    }
    expect(server.hits).to.equal(5);
    expect(server.connections).to.equal(1);
  });

  it('timeout: no answer within the per-attempt timeout → provider_timeout after at most 2 retries', async () => {
    const server = await faultServer(() => {
      /* never answers */
    });
    const started = Date.now();
    const err = await failure(call(provider(server.url)));
    expect(err.failure).to.equal('timeout');
    expect(err.code).to.equal('provider_timeout');
    expect(err.status).to.equal(504);
    // The adapter's own count: under load an attempt can time out before its request reaches
    // the server, so the server's count is only bounded.
    expect((err as ProviderError & { attempts?: number }).attempts).to.equal(3);
    expect(server.hits).to.be.within(1, 3);
    expect(Date.now() - started, 'ended by the attempts, not the 5 s deadline').to.be.lessThan(5_000);
  });

  it('timeout: the caller’s deadline ends the call at once, without retries', async () => {
    const server = await faultServer(() => {
      /* never answers */
    });
    const started = Date.now();
    const err = await failure(call(provider(server.url, { timeoutMs: 5_000 }), 150));
    expect(err.failure).to.equal('timeout');
    expect(Date.now() - started).to.be.lessThan(1_000);
    expect(server.hits).to.equal(1);
  });

  it('a body that stalls halfway is a timeout, not a partial record', async () => {
    const server = await faultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify(goodEnvelope).slice(0, 40));
    });
    const err = await failure(call(provider(server.url, { maxRetries: 0 })));
    expect(err.failure).to.equal('timeout');
  });

  it('500 → provider_unavailable, not retried', async () => {
    const server = await faultServer((_req, res) => json(res, 500, { oops: true }));
    const err = await failure(call(provider(server.url)));
    expect(err.failure).to.equal('unavailable');
    expect(err.code).to.equal('provider_unavailable');
    expect(err.status).to.equal(502);
    expect(server.hits).to.equal(1);
  });

  it('503 is transient: retried twice with backoff, then provider_unavailable; a later success is returned', async () => {
    const always = await faultServer((_req, res) => json(res, 503, {}));
    const err = await failure(call(provider(always.url)));
    expect(err.failure).to.equal('unavailable');
    expect(always.hits).to.equal(3);

    const flaky = await faultServer((_req, res, hit) =>
      hit < 3 ? json(res, 503, {}) : json(res, 200, goodEnvelope),
    );
    const { record } = await call(provider(flaky.url));
    expect(record).to.deep.equal(goodEnvelope.record);
    expect(flaky.hits).to.equal(3);
  });

  it('a reset connection is retried; a non-idempotent operation is not', async () => {
    const reset = await faultServer((req) => req.socket.destroy());
    const err = await failure(call(provider(reset.url)));
    expect(err.failure).to.equal('unavailable');
    expect(reset.hits).to.equal(3);

    const once = await faultServer((_req, res) => json(res, 503, {}));
    await failure(call(provider(once.url, { idempotent: false })));
    expect(once.hits).to.equal(1);
  });

  it('invalid JSON → bad_response, not retried', async () => {
    const server = await faultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"recordType": "resident.registration-abstract-individual", "record": {"name": ');
    });
    const err = await failure(call(provider(server.url)));
    expect(err.failure).to.equal('bad_response');
    expect(err.detail).to.match(/not valid JSON/);
    expect(server.hits).to.equal(1);
  });

  it('not application/json → bad_response', async () => {
    const server = await faultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(JSON.stringify(goodEnvelope));
    });
    expect((await failure(call(provider(server.url)))).failure).to.equal('bad_response');
  });

  it('oversized body → bad_response, whether declared in Content-Length or streamed', async () => {
    const declared = await faultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024) });
      res.write('{"pad":"');
    });
    const a = await failure(call(provider(declared.url)));
    expect(a.failure).to.equal('bad_response');
    expect(a.detail).to.match(/cap/);

    const streamed = await faultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'x'.repeat(16 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 1280 && res.write(chunk)) sent++;
        if (sent < 1280 && !res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const b = await failure(call(provider(streamed.url)));
    expect(b.failure).to.equal('bad_response');
    expect(b.detail).to.match(/cap/);
    expect(streamed.hits).to.equal(1);
  });

  it('redirect to another host → bad_response; the redirect is not followed', async () => {
    const elsewhere = await faultServer((_req, res) => json(res, 200, goodEnvelope));
    const server = await faultServer((_req, res) => {
      res.writeHead(302, {
        location: `${elsewhere.url.replace('127.0.0.1', 'localhost')}/v1/records/x:fetch`,
      });
      res.end();
    });
    const err = await failure(call(provider(server.url)));
    expect(err.failure).to.equal('bad_response');
    expect(err.detail).to.match(/redirect/);
    expect(elsewhere.hits).to.equal(0);
    expect(server.hits).to.equal(1);
  });

  it('schema-invalid record, extra field, wrong record type or an unrequested field → bad_response with no data', async () => {
    const bad = (envelope: unknown) => faultServer((_req, res) => json(res, 200, envelope));
    const cases: [string, unknown][] = [
      ['wrong type', { ...goodEnvelope, record: { ...goodEnvelope.record, name: 42 } }],
      ['missing required', { ...goodEnvelope, record: { name: person.name } }],
      ['extra field', { ...goodEnvelope, record: { ...goodEnvelope.record, creditScore: 700 } }],
      ['other record type', { ...goodEnvelope, recordType: 'land.ledger' }],
      ['not an envelope', [goodEnvelope]],
    ];
    for (const [name, envelope] of cases) {
      const server = await bad(envelope);
      const err = await failure(call(provider(server.url)));
      expect(err.failure, name).to.equal('bad_response');
      expect(server.hits, name).to.equal(1);
    }
    const server = await bad(goodEnvelope);
    const err = await failure(
      provider(server.url).fetchRecord({
        recordType: RECORD_TYPE,
        identifier,
        fields: ['name'],
        requestId: 'f',
        deadline: AbortSignal.timeout(5000),
      }),
    );
    expect(err.detail).to.match(/was not requested/);
    // The detail names fields, never values.
    expect(err.detail).not.to.contain(person.rrn);
  });

  it('nothing listening → provider_unavailable after retries', async () => {
    const server = await faultServer(() => undefined);
    const url = server.url;
    await new Promise((resolve) => server.server.close(resolve));
    const err = await failure(call(provider(url)));
    expect(err.failure).to.equal('unavailable');
    expect(err.detail).to.match(/ECONNREFUSED/);
  });

  it('circuit breaker: opens after N failed calls, fails fast, half-opens after the cooldown, closes on success', async () => {
    let healthy = false;
    const server = await faultServer((_req, res) =>
      healthy ? json(res, 200, goodEnvelope) : json(res, 500, {}),
    );
    // The breaker (cockatiel) keeps time with the real clock: a short cooldown, waited out.
    const cooldownMs = 400;
    const states: string[] = [];
    const p = provider(server.url, {
      breaker: { threshold: 3, cooldownMs },
      hooks: { onCircuit: ({ state }) => states.push(state) },
    });
    for (let i = 0; i < 3; i++) await failure(call(p));
    expect(p.circuitState()).to.equal('open');
    expect(server.hits).to.equal(3);

    const fast = await failure(call(p));
    expect(fast.failure).to.equal('unavailable');
    expect(fast.detail).to.match(/circuit .* open/);
    expect(server.hits, 'an open circuit sends nothing').to.equal(3);

    await sleep(cooldownMs);
    expect(p.circuitState()).to.equal('half-open');
    await failure(call(p)); // the trial fails: open again
    expect(server.hits).to.equal(4);
    expect(p.circuitState()).to.equal('open');
    await failure(call(p));
    expect(server.hits).to.equal(4);

    await sleep(cooldownMs);
    healthy = true;
    const { record } = await call(p);
    expect(record).to.deep.equal(goodEnvelope.record);
    expect(p.circuitState()).to.equal('closed');
    expect(states).to.deep.equal(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('half-open lets exactly one trial through while it is in flight', async () => {
    let healthy = false;
    const server = await faultServer((_req, res) =>
      healthy ? setTimeout(() => json(res, 200, goodEnvelope), 100) : json(res, 500, {}),
    );
    const p = provider(server.url, { breaker: { threshold: 1, cooldownMs: 300 } });
    await failure(call(p));
    await sleep(300);
    healthy = true;
    const hitsBefore = server.hits;
    const results = await Promise.allSettled([call(p), call(p), call(p)]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    expect(server.hits - hitsBefore).to.equal(1);
    expect(p.circuitState()).to.equal('closed');
  });

  it('subject_not_found is an answer, not a failure: no retry, circuit stays closed', async () => {
    const server = await faultServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ status: 404, code: 'subject_not_found', title: 'No such record' }));
    });
    const p = provider(server.url, { breaker: { threshold: 1, cooldownMs: 1_000 } });
    for (let i = 0; i < 3; i++) {
      const err = await call(p).then(
        () => undefined,
        (e: unknown) => e as { status: number; code: string },
      );
      expect(err).to.include({ status: 404, code: 'not_found' });
    }
    expect(server.hits).to.equal(3);
    expect(p.circuitState()).to.equal('closed');
  });

  it('bulkhead: at most maxConcurrent in flight and maxQueued waiting; the rest fail fast', async () => {
    let inFlight = 0;
    let peak = 0;
    const server = await faultServer((_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        json(res, 200, goodEnvelope);
      }, 150);
    });
    const p = provider(server.url, { maxConcurrent: 2, maxQueued: 2, timeoutMs: 2_000 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => call(p)));
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(4);
    expect(rejected).to.have.length(2);
    for (const r of rejected) {
      expect(r.reason).to.be.instanceOf(ProviderError);
      expect((r.reason as ProviderError).detail).to.match(/in flight/);
    }
    expect(peak).to.equal(2);
    expect(p.stats()).to.deep.include({ active: 0, queued: 0 });
  });

  it('a call whose deadline passes while queued fails at once, is never sent, and does not hold up the queue', async () => {
    const server = await faultServer((_req, res) => setTimeout(() => json(res, 200, goodEnvelope), 300));
    const p = provider(server.url, { maxConcurrent: 1, maxQueued: 2, timeoutMs: 2_000 });
    const first = call(p);
    const started = Date.now();
    const queued = await failure(call(p, 100));
    expect(queued.failure).to.equal('timeout');
    expect(queued.detail).to.match(/queued/);
    expect(Date.now() - started, 'not held until the slot frees').to.be.lessThan(250);
    const third = call(p);
    await first;
    await third;
    expect(server.hits, 'the abandoned call sends nothing').to.equal(2);
    expect(p.stats()).to.deep.include({ active: 0, queued: 0 });
  });

  it('the deadline ends a call waiting to retry at once, without another attempt', async () => {
    const server = await faultServer((_req, res) => json(res, 503, {}));
    const p = provider(server.url, { retryBaseMs: 2_000 });
    const started = Date.now();
    const err = await failure(call(p, 200));
    expect(err.failure).to.equal('timeout');
    expect(err.detail).to.match(/waiting to retry/);
    expect(Date.now() - started, 'not after the 1–2 s backoff').to.be.lessThan(900);
    expect(server.hits).to.equal(1);
  });

  it('refuses provider URLs with credentials, a query or another scheme', () => {
    for (const baseUrl of [
      'ftp://registry.example',
      'https://user:pw@registry.example',
      'https://registry.example/?a=1',
      'not a url',
    ]) {
      expect(() => provider(baseUrl), baseUrl).to.throw();
    }
  });
});
