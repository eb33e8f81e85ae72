/**
 * Fuzz suite (issue 17): for every operation of openapi/gateway.yaml, requests generated from the
 * operation's own schemas and made malformed (wrong types, hostile and huge strings, missing and
 * unknown members, out-of-range numbers, wrong content types, bad JSON), sent over real HTTP with
 * real credentials for a caller the operation admits. Every answer must be below 500, and every
 * error an application/problem+json with a `code`. Refused queries must be audited, one entry per
 * record; methods a path does not declare get 405 with Allow, and HEAD answers as GET does.
 * FUZZ_RUNS sets the requests per operation (default 40), FUZZ_SEED replays a run; the totals per
 * status code over all operations are printed at the end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { parse } from 'yaml';
import { OPENAPI_DIR } from '../../../server/docs/docs.routes.js';
import { startTestGateway, type TestGateway } from '../../support/oidc.js';
import { signInCallers, type Callers, type Caller, type OutgoingRequest } from './callers.js';
import { loadOperations } from './operations.js';
import { fuzzCases } from './requests.js';
import { buildWorld, type World } from './world.js';
import { hostileString, type Hints } from './schema-arbitraries.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
if (!Number.isSafeInteger(RUNS) || RUNS < 1)
  throw new Error(`FUZZ_RUNS must be a positive integer, not ${process.env.FUZZ_RUNS}`);
if (!Number.isSafeInteger(SEED))
  throw new Error(`FUZZ_SEED must be an integer, not ${process.env.FUZZ_SEED}`);

/** Record types the Hanbit bank's purpose covers, and one it does not. */
const MORTGAGE_TYPES = [
  'resident.registration-abstract',
  'tax.income-amount-certificate',
  'tax.national-payment-certificate',
];
const OUTSIDE_MORTGAGE = 'family.relations-certificate';

const HINTS: Hints = {
  purpose: ['loan.mortgage-screening', 'welfare.housing-benefit', 'account.opening'],
  code: ['loan.mortgage-screening', 'resident.id-verification'],
  recordType: [...MORTGAGE_TYPES, OUTSIDE_MORTGAGE],
  record_type: [...MORTGAGE_TYPES],
  recordTypeId: [...MORTGAGE_TYPES],
  id: ['8503141234562', '850314-1234562', '9207212345676'],
  organisation: ['org-bank-hanbit', 'org-molit'],
  client: ['bank-hanbit-app'],
  token: ['eyJhbGciOiJFUzI1NiJ9.e30.AAAA'],
};

interface Answer {
  status: number;
  code?: string;
  detail?: string;
  requestId?: string;
  /** Why this answer breaks the suite's rules, if it does. */
  failure?: string;
}

async function judge(response: Response): Promise<Answer> {
  const status = response.status;
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (status < 400) return { status };
  let body: { code?: unknown; status?: unknown; detail?: unknown; requestId?: unknown } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const code = typeof body?.code === 'string' ? body.code : undefined;
  const failures: string[] = [];
  if (status >= 500) failures.push('5xx');
  if (!/^application\/problem\+json/.test(type)) failures.push(`content-type ${type || 'none'}`);
  if (!code) failures.push('no code');
  else if (body?.status !== status) failures.push(`body status ${String(body?.status)}`);
  if (status === 429 && !response.headers.get('retry-after')) failures.push('429 without Retry-After');
  const detail = typeof body?.detail === 'string' ? body.detail : undefined;
  const requestId = typeof body?.requestId === 'string' ? body.requestId : undefined;
  return {
    status,
    ...(code ? { code } : {}),
    ...(detail ? { detail } : {}),
    ...(requestId ? { requestId } : {}),
    ...(failures.length ? { failure: failures.join(', ') } : {}),
  };
}

/**
 * How many entries a refused query may write: one per record when the use case read the query
 * (its `records` a list the contract allows, or a procedure: the purpose's record types), else one.
 */
function refusalEntries(body: string | undefined): number[] {
  let query: { records?: unknown; procedure?: unknown } | undefined;
  try {
    query = JSON.parse(body ?? '') as typeof query;
  } catch {
    query = undefined;
  }
  if (query?.procedure === true) return Array.from({ length: 20 }, (_, i) => i + 1);
  const records = query?.records;
  const named = Array.isArray(records) && records.length >= 1 && records.length <= 20 ? records.length : 1;
  return [...new Set([1, named])];
}

function describeRequest(caller: Caller, request: OutgoingRequest): string {
  const body = request.body === undefined ? '' : ` body ${JSON.stringify(request.body.slice(0, 200))}`;
  const headers = Object.entries(request.headers)
    .map(
      ([name, value]) =>
        `${name}: ${JSON.stringify(value.slice(0, 60))}${value.length > 60 ? `…(${value.length})` : ''}`,
    )
    .join(', ');
  return `${caller}: ${request.method} ${request.target.slice(0, 300)} [${headers}]${body}`;
}

describe('fuzz: every operation of the contract', function () {
  this.timeout(60_000 + RUNS * 1500);
  let gateway: TestGateway;
  let callers: Callers;
  let world: World;
  const totals = new Map<number, number>();
  const started = Date.now();

  before(async () => {
    gateway = await startTestGateway({
      env: {
        // Budgets stay real, but far above what the fuzzer sends, so a 429 means a new limit.
        QUERY_RATE_LIMIT_PER_MINUTE: '1000000',
        HARVEST_FLAG_SUBJECTS_PER_HOUR: '1000000',
        HARVEST_MAX_SUBJECTS_PER_HOUR: '1000000',
      },
    });
    callers = await signInCallers(gateway);
    // Before its first checkpoint the log rightly answers 503 "no checkpoint yet"; publish one now.
    await gateway.composition.audit.checkpointer.publish(true);
    world = await buildWorld(callers, gateway.database.db);
  });

  after(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const byStatus = Object.fromEntries([...totals.entries()].sort(([a], [b]) => a - b));
    const requests = [...totals.values()].reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${requests} requests in ${seconds} s (FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED}); by status`,
      byStatus,
    );
  });

  async function auditCount(): Promise<number> {
    const [row] = await gateway.database.db('audit_entry').count({ n: '*' });
    return Number(row!.n);
  }

  /** What one refused query wrote to the audit log, and anything wrong with it. */
  async function auditEffect(before: number, answer: Answer): Promise<{ written: number; problem?: string }> {
    const written = (await auditCount()) - before;
    if (written === 0) return { written };
    const rows: { outcome: string; reason_code: string | null }[] = answer.requestId
      ? await gateway.database
          .db('audit_entry')
          .where({ request_id: answer.requestId })
          .select('outcome', 'reason_code')
      : [];
    if (rows.length !== written) {
      return {
        written,
        problem: `${written} entries written, ${rows.length} under the answer's request id (${answer.status} ${answer.code} ${answer.requestId})`,
      };
    }
    const others = rows.filter((r) => r.outcome !== 'denied' || r.reason_code !== answer.code);
    if (others.length) {
      return {
        written,
        problem: `entries say ${others[0]!.outcome} ${others[0]!.reason_code}, the answer ${answer.code}`,
      };
    }
    return { written };
  }

  async function send(caller: Caller, request: OutgoingRequest): Promise<Answer> {
    const answer = await judge(await callers.send(caller, request));
    totals.set(answer.status, (totals.get(answer.status) ?? 0) + 1);
    return answer;
  }

  const operations = loadOperations();
  it('fuzzes every operation of the contract', () => {
    const spec = parse(readFileSync(join(OPENAPI_DIR, 'gateway.yaml'), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const declared = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(declared.length).to.be.greaterThan(40);
    expect(operations.map((op) => `${op.method} ${op.path}`).sort()).to.deep.equal(declared.sort());
  });

  for (const operation of operations) {
    it(`${operation.method} ${operation.path} (${operation.operationId})`, async () => {
      const failures = new Map<string, string>();
      const cases = fc.sample(
        fuzzCases(operation, HINTS, { id: world.consentIds, entryId: world.entryIds }),
        { numRuns: RUNS, seed: SEED },
      );
      const isQuery = operation.operationId === 'runQuery';
      const byStatus: Record<string, number> = {};
      for (const { caller, request, faults } of cases) {
        const before = isQuery ? await auditCount() : 0;
        const answer = await send(caller, request);
        const tally = `${faults.length ? 'faulty' : 'clean'} ${answer.status} ${answer.code ?? ''}`;
        byStatus[tally] = (byStatus[tally] ?? 0) + 1;
        if (process.env.FUZZ_VERBOSE && !faults.length && answer.status >= 400 && byStatus[tally] === 1) {
          console.log(
            `  clean ${answer.status} ${answer.detail ?? ''}\n    ${describeRequest(caller, request)}`,
          );
        }
        if (answer.failure) {
          const key = `${answer.status} ${answer.code ?? ''}: ${answer.failure}`;
          if (!failures.has(key)) failures.set(key, describeRequest(caller, request));
        }
        // A header block too large for Node's parser (431) and a target over 8 KiB (414, answered by the
        // HTTP server before routing) never reach the app, and an anonymous or unauthenticated caller
        // has no organisation to record: none of them is an audited refusal.
        const audited = caller !== 'anonymous' && ![401, 414, 431].includes(answer.status);
        if (isQuery && answer.status >= 400 && audited) {
          const { written, problem } = await auditEffect(before, answer);
          const allowed = refusalEntries(request.body);
          const why =
            problem ??
            (allowed.includes(written) ? undefined : `audited ${written}, expected ${allowed.join(', ')}`);
          if (why && !failures.has(why)) failures.set(why, describeRequest(caller, request));
        }
      }
      if (process.env.FUZZ_VERBOSE) console.log(operation.operationId, byStatus);
      expect(
        [...failures].map(([why, example]) => `${why}\n      e.g. ${example}`),
        `seed ${SEED}`,
      ).to.deep.equal([]);
    });
  }

  it('lets no body pollute Object.prototype (the gateway runs in this process)', async () => {
    const bodies = ['{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}'];
    for (const op of operations.filter((o) => o.method !== 'GET')) {
      const caller: Caller =
        op.access === 'public'
          ? 'anonymous'
          : op.access.includes('client')
            ? 'client-dpop'
            : (op.access[0] as Caller);
      const target = op.path.replace(/\{[^}]+\}/g, '1');
      for (const body of bodies) {
        await send(caller, {
          method: op.method,
          target,
          headers: { 'content-type': 'application/json' },
          body,
        });
      }
    }
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.to.include('polluted');
  });

  it('answers an undeclared method with 405 and Allow, and HEAD as the GET it stands for', async () => {
    const failures: string[] = [];
    const byPath = new Map<string, string[]>();
    for (const op of operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op.method]);
    for (const [template, declared] of byPath) {
      const path = template.replace(/\{[^}]+\}/g, '1');
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        if (declared.includes(method)) continue;
        const response = await callers.send('anonymous', { method, target: path, headers: {} });
        const allow = response.headers.get('allow');
        const answer = await judge(response);
        totals.set(answer.status, (totals.get(answer.status) ?? 0) + 1);
        const expected = [...declared].sort().join(', ');
        if (answer.status !== 405 || answer.failure || allow?.split(', ').sort().join(', ') !== expected) {
          failures.push(`${method} ${path}: ${answer.status} ${answer.failure ?? ''} Allow: ${allow}`);
        }
      }
      if (!declared.includes('GET')) continue;
      const get = await callers.send('anonymous', { method: 'GET', target: path, headers: {} });
      await get.arrayBuffer();
      const head = await callers.send('anonymous', { method: 'HEAD', target: path, headers: {} });
      const content = await head.text();
      totals.set(head.status, (totals.get(head.status) ?? 0) + 1);
      if (head.status !== get.status || content !== '' || head.status >= 500) {
        failures.push(`HEAD ${path}: ${head.status} (GET ${get.status}), ${content.length} bytes`);
      }
    }
    expect(failures).to.deep.equal([]);
  });

  it('audits every refused query, one entry per record, whatever its purpose, subject and record types', async () => {
    // Well-formed for the contract (no control characters: the edge refuses those before the
    // query is read), hostile in content: each refusal is one entry per record named.
    const clean = hostileString.filter(
      // eslint-disable-next-line no-control-regex -- control characters are what is filtered out
      (s) => s.length <= 100 && !/[\u0000-\u001f\u007f]/.test(s),
    );
    const query = fc.record({
      caller: fc.constantFrom<Caller>('client-dpop', 'client-bearer', 'clerk', 'client-read-only'),
      purpose: fc.oneof(
        fc.constantFrom(
          'loan.mortgage-screening',
          'land.transaction-report',
          'welfare.housing-benefit',
          'no.such-purpose',
        ),
        clean,
      ),
      subject: fc.oneof(
        fc.constant<{ scheme: string; id: string } | undefined>(undefined),
        fc.record({
          scheme: fc.constantFrom('rrn', 'brn'),
          id: clean.filter((s) => s.length >= 1 && s.length <= 40),
        }),
        fc.constant({ scheme: 'rrn', id: callers.citizenId }),
        fc.constant({ scheme: 'rrn', id: callers.citizenId }),
      ),
      recordTypes: fc.uniqueArray(
        fc.oneof(fc.constantFrom(...MORTGAGE_TYPES, OUTSIDE_MORTGAGE, 'land.ledger'), clean),
        { minLength: 1, maxLength: 4 },
      ),
      consent: fc.option(
        fc.oneof(
          fc.record({ token: fc.oneof(clean, fc.constant('eyJhbGciOiJFUzI1NiJ9.e30.AAAA')) }),
          fc.record({ mode: fc.constant('citizen'), consentId: clean }),
        ),
      ),
    });
    const failures: string[] = [];
    const outcomes: Record<string, number> = {};
    for (const q of fc.sample(query, { numRuns: Math.max(RUNS, 60), seed: SEED })) {
      const request: OutgoingRequest = {
        method: 'POST',
        target: '/v1/queries',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          purpose: q.purpose,
          ...(q.subject ? { subject: q.subject } : {}),
          mode: 'full',
          records: q.recordTypes.map((recordType) => ({ recordType })),
          ...(q.consent ? { consent: q.consent } : {}),
        }),
      };
      const before = await auditCount();
      const answer = await send(q.caller, request);
      const { written, problem } = await auditEffect(before, answer);
      // Refused for its token's scope before the query is read: one entry, naming no record.
      const n = q.caller === 'client-read-only' ? 1 : q.recordTypes.length;
      const key = `${answer.status} ${answer.code ?? ''} +${written === n ? 'n' : written}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      const why =
        answer.failure ??
        problem ??
        (answer.status < 400 || answer.status >= 500 ? `answered ${answer.status}` : undefined) ??
        (written !== n ? `audited ${written} entries for ${n} records` : undefined);
      if (why)
        failures.push(`${answer.status} ${answer.code ?? ''}: ${why}: ${describeRequest(q.caller, request)}`);
    }
    if (process.env.FUZZ_VERBOSE) console.log('refused queries', outcomes);
    expect(failures, `seed ${SEED}`).to.deep.equal([]);
  });
});
