/**
 * fast-check arbitraries walked from a JSON schema: values the schema accepts, values it must
 * refuse (wrong type, out of range, too long), and hostile strings (control characters, lone
 * surrogates, right-to-left overrides, huge) that a schema of plain `type: string` lets through.
 */
import fc from 'fast-check';
import type { JsonSchema } from './operations.js';

const MAX_DEPTH = 6;

const charFrom = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));

/** Strings that are valid for a loose `type: string` yet often break code behind it. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: charFrom(0, 31), minLength: 1, maxLength: 8 }),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: charFrom(0xd800, 0xdfff), minLength: 1, maxLength: 4 }),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '\u202e\u0000',
    '\u2028\u2029',
    '\ufeff',
    '\uffff',
    '🤖👩‍👩‍👧',
    '행정안전부 ',
    '関係証明書',
    '../../etc/passwd',
    '%00',
    '%zz',
    "' OR '1'='1",
    '"; DROP TABLE audit_entry; --',
    '${jndi:ldap://x}',
    '%s%n%x',
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'null',
    'NaN',
    '-0',
    '1e999',
    '99999999999999999999',
    '-9223372036854775809',
    '0x10',
    ' 1',
  ),
  fc
    .tuple(fc.constantFrom(101, 201, 1001, 5000, 20_000), fc.constantFrom('a', 'é', '가', '\u0001', '🤖'))
    .map(([n, c]) => c.repeat(n)),
);

/** Numbers that exceed some bound or type: unsafe integers, fractions, huge and negative values. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    1.5,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    1e20,
    -1e20,
    1e308,
    -1e308,
    Number.MIN_VALUE,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Any JSON value, shallow, of whatever type. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, '', [], {}),
  hostileNumber,
  hostileString,
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string()), { maxKeys: 3 }),
);

function typesOf(schema: JsonSchema): string[] {
  if (schema.type) return Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, Math.max(min, 40));
  let arb: fc.Arbitrary<string>;
  switch (schema.format) {
    case 'date-time':
      arb = fc
        .date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString());
      break;
    case 'date':
      arb = fc
        .date({
          min: new Date('1920-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10));
      break;
    case 'uuid':
      arb = fc.uuid();
      break;
    case 'uri':
      arb = fc.webUrl();
      break;
    case 'email':
      arb = fc.emailAddress();
      break;
    default:
      arb = schema.pattern
        ? fc.stringMatching(new RegExp(schema.pattern))
        : fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
  }
  return arb.filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Infinity));
}

function validNumber(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1e6);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1e6);
  const bounded = fc.integer({
    min: Math.max(min, Number.MIN_SAFE_INTEGER),
    max: Math.min(max, Number.MAX_SAFE_INTEGER),
  });
  if (integer) return fc.oneof(bounded, fc.constantFrom(min, max).filter(Number.isSafeInteger));
  return fc.oneof(bounded, fc.double({ min, max, noNaN: true }));
}

/** Realistic values by member or parameter name, so some requests get past the first check. */
export type Hints = Readonly<Record<string, readonly string[]>>;

/** Arbitraries for one contract; `hints` apply to plain strings (no format, pattern or enum). */
export function schemaArbitraries(hints: Hints = {}) {
  function hinted(
    schema: JsonSchema,
    name: string | undefined,
    arb: fc.Arbitrary<unknown>,
  ): fc.Arbitrary<unknown> {
    const values = name ? hints[name] : undefined;
    if (!values || schema.format || schema.pattern || schema.enum || !typesOf(schema).includes('string'))
      return arb;
    return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: arb });
  }

  /** A value the schema accepts (pattern and format included), built bottom-up. */
  function validValue(schema: JsonSchema, depth = 0, name?: string): fc.Arbitrary<unknown> {
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) return fc.oneof(...variants.map((v) => validValue(v, depth + 1, name)));
    if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf) as JsonSchema, depth + 1, name);
    const types = typesOf(schema);
    if (types.length === 0) return anyJson;
    return hinted(schema, name, fc.oneof(...types.map((type) => validOfType(schema, type, depth))));
  }

  function validOfType(schema: JsonSchema, type: string, depth: number): fc.Arbitrary<unknown> {
    switch (type) {
      case 'string':
        return validString(schema);
      case 'integer':
        return validNumber(schema, true);
      case 'number':
        return validNumber(schema, false);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const minLength = schema.minItems ?? 0;
        const maxLength = Math.min(schema.maxItems ?? 4, Math.max(minLength, 4));
        if (depth > MAX_DEPTH) return fc.constant([]);
        return fc.array(validValue(schema.items ?? {}, depth + 1), { minLength, maxLength });
      }
      case 'object': {
        const properties = schema.properties ?? {};
        const required = (schema.required ?? []).filter((name) => name in properties);
        if (depth > MAX_DEPTH) return fc.constant({});
        return fc.record(
          Object.fromEntries(
            Object.entries(properties).map(([name, s]) => [name, validValue(s, depth + 1, name)]),
          ),
          { requiredKeys: required },
        );
      }
      default:
        return anyJson;
    }
  }

  /**
   * Mostly the schema's own shape with a few things wrong: a leaf replaced by a hostile value, a
   * required member missing, an unknown member added.
   */
  function fuzzValue(schema: JsonSchema, depth = 0, name?: string): fc.Arbitrary<unknown> {
    const types = typesOf(schema);
    const structured = !schema.enum && schema.const === undefined && !schema.oneOf && !schema.anyOf;
    if (structured && types.includes('object') && schema.properties && depth <= MAX_DEPTH) {
      const members = fc.record(
        Object.fromEntries(
          Object.entries(schema.properties).map(([member, s]) => [
            member,
            fc.oneof(
              { weight: 4, arbitrary: validValue(s, depth + 1, member) },
              { weight: 2, arbitrary: fuzzValue(s, depth + 1, member) },
              { weight: 1, arbitrary: hostileValue(s) },
            ),
          ]),
        ),
        { requiredKeys: [] },
      );
      const extra = fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), hostileString), anyJson, {
        maxKeys: 2,
      });
      return fc
        .tuple(members, fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra }))
        .map(([own, more]) => ({ ...more, ...own }));
    }
    if (structured && types.includes('array') && depth <= MAX_DEPTH) {
      return fc.array(fuzzValue(schema.items ?? {}, depth + 1), { maxLength: (schema.maxItems ?? 3) + 1 });
    }
    return fc.oneof(
      { weight: 2, arbitrary: validValue(schema, depth, name) },
      { weight: 1, arbitrary: hostileValue(schema) },
    );
  }

  return { validValue, fuzzValue, hostileValue };
}

/** A value the schema must refuse, or a hostile one that only a loose schema lets through. */
export function hostileValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = typesOf(schema);
  const accepts = (t: string) => types.includes(t) || (t === 'integer' && types.includes('number'));
  const wrongType = anyJson.filter((v) => !accepts(jsonType(v)));
  const options: fc.Arbitrary<unknown>[] = [wrongType, hostileString];
  if (types.includes('integer') || types.includes('number')) {
    options.push(hostileNumber);
    if (schema.maximum !== undefined) options.push(fc.constant(schema.maximum + 1));
    if (schema.minimum !== undefined) options.push(fc.constant(schema.minimum - 1));
  }
  if (types.includes('string') && schema.maxLength !== undefined) {
    options.push(fc.constant('x'.repeat(schema.maxLength + 1)));
  }
  if (types.includes('array')) {
    const tooMany = (schema.maxItems ?? 10) + 1;
    options.push(fc.array(hostileString, { minLength: tooMany, maxLength: tooMany + 1 }));
    options.push(fc.array(anyJson, { maxLength: 4 }));
  }
  return fc.oneof(...options);
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
