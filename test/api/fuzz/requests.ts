/**
 * One operation → an arbitrary of malformed (and now and then well-formed) HTTP requests: path,
 * query and header parameters and the body, each from its schema in the contract, plus bodies that
 * are not JSON at all, the wrong content type, unknown query parameters and malformed escapes.
 */
import fc from 'fast-check';
import type { Caller, OutgoingRequest } from './callers.js';
import type { Operation, Parameter } from './operations.js';
import { anyJson, hostileString, schemaArbitraries, type Hints } from './schema-arbitraries.js';

export interface FuzzCase {
  caller: Caller;
  request: OutgoingRequest;
  /** Where the request was made wrong (empty: well-formed). */
  faults: string[];
}

/** Values that exist in the demo data, for path parameters of reads (never of admin changes). */
const READ_SAMPLES: Record<string, string[]> = {
  orgId: ['org-mois', 'org-bank-hanbit'],
  clientId: ['bank-nuri-app', 'bank-hanbit-app'],
  code: ['loan.mortgage-screening', 'resident.id-verification'],
  recordTypeId: ['resident.registration-abstract', 'land.ledger'],
  scheme: ['rrn', 'brn', 'crn', 'frn'],
};

const BAD_JSON = [
  '{',
  '{"purpose":}',
  "{'a':1}",
  '{"a":1}}',
  '{"a":1,}',
  'NaN',
  'null',
  '"string"',
  '123',
  '[]',
  '\ufeff{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '[1,2,3',
  '\u0000',
  '{"a":1e99999}',
  '{"a":-}',
];

/** Deep nesting, within the body limit. */
const DEEP_JSON = [`${'['.repeat(5000)}${']'.repeat(5000)}`, `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`];

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/merge-patch+json',
  'application/octet-stream',
  '*/*',
  'application/json, text/plain',
  'application/',
];

/** Header values fetch can send: visible Latin-1, sometimes huge. */
const headerString = fc.oneof(
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 60,
  }),
  fc.constantFrom('', ' ', 'x'.repeat(300), 'x'.repeat(9000), 'x'.repeat(20_000)),
);

/** Authorization headers and session cookies that authenticate nobody. */
const BAD_CREDENTIALS = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['authorization', 'Bearer'],
    ['authorization', 'Bearer '],
    ['authorization', 'DPoP '],
    ['authorization', 'Basic Zm9vOmJhcg=='],
    ['authorization', 'Bearer a.b.c'],
    ['authorization', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
    ['authorization', 'DPoP eyJhbGciOiJFUzI1NiJ9.e30.AAAA'],
    ['authorization', `Bearer ${'a'.repeat(9000)}`],
    ['cookie', 'juc_session=%'],
    ['cookie', 'juc_session=%E0%A4%A'],
    ['cookie', 'juc_session="unterminated'],
    ['cookie', `juc_session=${'a'.repeat(4000)}`],
    ['cookie', 'juc_session=a; juc_session=b'],
  ),
  headerString.map((value): [string, string] => ['authorization', value]),
  headerString.map((value): [string, string] => ['cookie', `juc_session=${value}`]),
);

const MALFORMED_ESCAPES = ['%', '%zz', '%E0%A4%A', '%00', '%C0%80', '%FF%FE', '%ED%A0%80', '1%2C2', 'a=b'];

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a browser would send it). */
function encodeSegment(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

const headerSafe = (value: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function callersFor(operation: Operation): Caller[] {
  if (operation.access === 'public') return ['anonymous', 'citizen', 'client-dpop'];
  return operation.access.flatMap((role): Caller[] =>
    role === 'client' ? ['client-dpop', 'client-dpop', 'client-bearer', 'client-read-only'] : [role],
  );
}

interface Body {
  type?: string;
  text?: string;
}

/** Everything a request is made of, before it is encoded. */
interface Parts {
  path: Record<string, string>;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  body: Body | undefined;
  /** Raw `name=value` fragments appended to the query string as they are. */
  rawQuery: string[];
}

/**
 * Each request starts well-formed and gets 0 to 3 faults, each in one place (a parameter, the
 * body, an unknown or repeated or badly escaped query parameter), so that most requests are wrong
 * in one way only and reach the check that should refuse them.
 */
export function fuzzCases(
  operation: Operation,
  hints: Hints,
  /** Path parameter name → ids of objects that exist (the fuzz world), for any method. */
  objects: Readonly<Record<string, readonly string[]>> = {},
): fc.Arbitrary<FuzzCase> {
  const { validValue, fuzzValue, hostileValue } = schemaArbitraries(hints);
  const read = operation.method === 'GET';
  const byPlace = (place: Parameter['in']) => operation.parameters.filter((p) => p.in === place);
  const pathParams = byPlace('path');
  const queryParams = byPlace('query');
  const headerParams = byPlace('header');

  const validParam = (p: Parameter): fc.Arbitrary<string> => {
    const valid = validValue(p.schema, 0, p.name).map(asText);
    if (p.in === 'path' && objects[p.name]?.length) {
      return fc.oneof(
        { weight: 1, arbitrary: valid },
        { weight: 2, arbitrary: fc.constantFrom(...objects[p.name]!) },
      );
    }
    const samples = READ_SAMPLES[p.name];
    if (p.in === 'path' && samples && (read || operation.operationId === 'checkIdentifier')) {
      return fc.oneof(valid, fc.constantFrom(...samples));
    }
    return p.in === 'header' ? valid.filter(headerSafe) : valid;
  };
  const faultyParam = (p: Parameter): fc.Arbitrary<string | undefined> => {
    if (p.in === 'header') return headerString;
    const hostile = hostileValue(p.schema).map(asText);
    return p.required && p.in !== 'path' ? fc.oneof(hostile, fc.constant(undefined)) : hostile;
  };

  const json = operation.body?.content['application/json'];
  const asJson = (v: unknown): Body => ({ type: 'application/json', text: JSON.stringify(v) });
  const validBody: fc.Arbitrary<Body | undefined> = json
    ? validValue(json).map(asJson)
    : fc.constant(read ? undefined : {});
  const faultyBody: fc.Arbitrary<Body> = fc.oneof(
    { weight: 5, arbitrary: (json ? fuzzValue(json) : anyJson).map(asJson) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...BAD_JSON).map((text) => ({ type: 'application/json', text })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...DEEP_JSON).map((text) => ({ type: 'application/json', text })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...WRONG_CONTENT_TYPES), json ? validValue(json) : anyJson)
        .map(([type, v]) => ({ type, text: JSON.stringify(v) })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Body>({ type: 'application/json', text: '' }, {}, { text: '{}' }),
    },
  );

  const names = [...queryParams.map((p) => p.name), 'x'];
  const faults: Record<string, fc.Arbitrary<(parts: Parts) => void>> = {
    'unknown-query': fc
      .tuple(fc.oneof(fc.string({ maxLength: 10 }), hostileString), hostileString)
      .map(([name, value]) => (parts) => {
        parts.rawQuery.push(`${encodeSegment(name)}=${encodeSegment(value)}`);
      }),
    'malformed-query': fc
      .tuple(fc.constantFrom(...names), fc.constantFrom(...MALFORMED_ESCAPES))
      .map(([name, value]) => (parts) => {
        parts.rawQuery.push(`${encodeSegment(name)}=${value}`);
      }),
    'repeated-query': fc.constantFrom(...names).map((name) => (parts) => {
      parts.rawQuery.push(`${encodeSegment(name)}=1`, `${encodeSegment(name)}=2`);
    }),
  };
  for (const p of pathParams) {
    faults[`path:${p.name}`] = faultyParam(p).map((v) => (parts) => void (parts.path[p.name] = v ?? ''));
  }
  for (const p of queryParams) {
    faults[`query:${p.name}`] = faultyParam(p).map((v) => (parts) => void (parts.query[p.name] = v));
  }
  for (const p of headerParams) {
    faults[`header:${p.name}`] = faultyParam(p).map((v) => (parts) => void (parts.headers[p.name] = v));
  }
  // fetch sends no body with GET.
  if (!read) faults.body = faultyBody.map((b) => (parts) => void (parts.body = b));
  // Credentials that are not: sent by an anonymous caller, they must be refused, never ignored.
  faults.credentials = BAD_CREDENTIALS.map(([name, value]) => (parts) => {
    parts.headers[name] = value;
  });

  const kinds = Object.keys(faults);
  const chosen = fc.oneof(
    { weight: 1, arbitrary: fc.constant<string[]>([]) },
    { weight: 4, arbitrary: fc.constantFrom(...kinds).map((k) => [k]) },
    { weight: 2, arbitrary: fc.uniqueArray(fc.constantFrom(...kinds), { minLength: 2, maxLength: 3 }) },
  );

  const record = <T>(params: Parameter[], arb: (p: Parameter) => fc.Arbitrary<T>) =>
    fc.record(Object.fromEntries(params.map((p) => [p.name, arb(p)])) as Record<string, fc.Arbitrary<T>>);
  const wellFormed: fc.Arbitrary<Parts> = fc
    .record({
      path: record(pathParams, validParam),
      query: record(queryParams, (p) =>
        p.required ? validParam(p) : fc.option(validParam(p), { nil: undefined }),
      ),
      headers: record(headerParams, (p) => fc.option(validParam(p), { nil: undefined })),
      body: validBody,
    })
    .map((parts) => ({ ...parts, rawQuery: [] }));

  return fc
    .tuple(
      fc.constantFrom(...callersFor(operation)),
      wellFormed,
      chosen.chain((names) => fc.tuple(fc.constant(names), fc.tuple(...names.map((name) => faults[name]!)))),
    )
    .map(([chosenCaller, parts, [names, apply]]) => {
      const caller = names.includes('credentials') ? 'anonymous' : chosenCaller;
      for (const fault of apply) fault(parts);
      const path = pathParams.reduce(
        (at, p) => at.replace(`{${p.name}}`, encodeSegment(parts.path[p.name]!)),
        operation.path,
      );
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(parts.query))
        if (value !== undefined) search.append(name, value);
      const query = [search.toString(), ...parts.rawQuery].filter(Boolean).join('&');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(parts.headers))
        if (value !== undefined) headers[name] = value;
      if (parts.body?.type !== undefined) headers['content-type'] = parts.body.type;
      return {
        caller,
        faults: names,
        request: {
          method: operation.method,
          target: query ? `${path}?${query}` : path,
          headers,
          ...(parts.body?.text !== undefined ? { body: parts.body.text } : {}),
        },
      };
    });
}
