import { expect } from 'chai';
import fc from 'fast-check';
import { IdentifierInvalidError } from '../../../server/errors.js';
import {
  identifierSchemeIds,
  identifierSchemes,
  type IdentifierSchemeId,
} from '../../../server/catalog/identifiers/index.js';

/*
 * Independent oracles: straightforward re-implementations of each check, written from the
 * published rules rather than from the module under test.
 */
const d = (s: string, i: number): number => Number(s.charAt(i));
const sum = (s: string, weights: number[]): number => weights.reduce((acc, w, i) => acc + d(s, i) * w, 0);

function realDate(y: number, m: number, day: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, day));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === day;
}

function registrationNumberOk(s: string, foreign: boolean): boolean {
  if (!/^\d{13}$/.test(s)) return false;
  const g = d(s, 6);
  if (foreign ? g < 5 || g > 8 : g >= 5 && g <= 8) return false;
  const century = g === 9 || g === 0 ? 1800 : g === 1 || g === 2 || g === 5 || g === 6 ? 1900 : 2000;
  const y = century + Number(s.slice(0, 2));
  if (!realDate(y, Number(s.slice(2, 4)), Number(s.slice(4, 6)))) return false;
  if (`${y}${s.slice(2, 6)}` >= '20200901') return true;
  const base = (11 - (sum(s, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]) % 11)) % 10;
  return (foreign ? (base + 2) % 10 : base) === d(s, 12);
}

// Transliteration table of ISO 3779 / 49 CFR 565, written out as published.
const VIN_VALUE: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
const vinValue = (c: string): number => (/\d/.test(c) ? Number(c) : (VIN_VALUE[c] ?? NaN));

const oracles: Partial<Record<IdentifierSchemeId, (canonical: string) => boolean>> = {
  rrn: (s) => registrationNumberOk(s, false),
  frn: (s) => registrationNumberOk(s, true),
  brn: (s) => {
    if (!/^\d{10}$/.test(s)) return false;
    const total = sum(s, [1, 3, 7, 1, 3, 7, 1, 3, 5]) + Math.floor((d(s, 8) * 5) / 10);
    return (10 - (total % 10)) % 10 === d(s, 9);
  },
  crn: (s) =>
    /^\d{13}$/.test(s) && (10 - (sum(s, [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]) % 10)) % 10 === d(s, 12),
  imo: (s) => /^[1-9]\d{6}$/.test(s) && sum(s, [7, 6, 5, 4, 3, 2]) % 10 === d(s, 6),
  vin: (s) => {
    if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(s)) return false;
    const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    const r = [...s].reduce((acc, c, i) => acc + vinValue(c) * (weights[i] ?? 0), 0) % 11;
    return (r === 10 ? 'X' : String(r)) === s.charAt(8);
  },
};

// Characters that tempt a lenient parser: lookalikes, separators, other scripts.
const noise = fc.constantFrom(
  '-',
  ' ',
  '\u00a0',
  '\u3000',
  '\t',
  '\n',
  '\u0000',
  '\u200b',
  '\ufeff',
  '０',
  '１',
  '９',
  '٣',
  'O',
  'I',
  'l',
  '.',
  '/',
  'a',
  'x',
  '가',
  '\u1100',
  '–',
);

type Edit = { at: number; kind: 'insert' | 'delete' | 'replace' | 'digit'; char: string; digit: number };
const edit = fc.record({
  at: fc.nat(40),
  kind: fc.constantFrom('insert', 'delete', 'replace', 'digit') as fc.Arbitrary<Edit['kind']>,
  char: noise,
  digit: fc.integer({ min: 0, max: 9 }),
});

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    if (e.kind === 'insert') out = out.slice(0, at) + e.char + out.slice(at);
    else if (e.kind === 'delete') out = out.slice(0, at) + out.slice(at + 1);
    else if (e.kind === 'replace') out = out.slice(0, at) + e.char + out.slice(at + 1);
    else out = out.slice(0, at) + String(e.digit) + out.slice(at + 1);
  }
  return out;
}

const strip = (s: string): string => s.replace(/-/g, '');

function tryCanonicalise(schemeId: IdentifierSchemeId, input: string): string | IdentifierInvalidError {
  try {
    return identifierSchemes[schemeId].canonicalise(input);
  } catch (err) {
    if (err instanceof IdentifierInvalidError) return err;
    throw err;
  }
}

describe('identifier schemes (properties)', () => {
  for (const schemeId of identifierSchemeIds) {
    const scheme = identifierSchemes[schemeId];
    const oracle = oracles[schemeId];

    it(`${schemeId}: canonicalise is idempotent and only ever removes official hyphens`, () => {
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
          const input = applyEdits(scheme.example, edits);
          const result = tryCanonicalise(schemeId, input);
          if (result instanceof IdentifierInvalidError) {
            expect(result.scheme).to.equal(schemeId);
            return;
          }
          expect(scheme.canonicalise(result)).to.equal(result);
          // Nothing but separators may differ between what was typed and what we keep.
          expect(strip(result)).to.equal(strip(input));
          expect(input).to.match(/^[\x21-\x7e가-힣]+$/);
          if (oracle) expect(oracle(result), `oracle rejects ${result}`).to.equal(true);
        }),
        { numRuns: 400 },
      );
    });

    it(`${schemeId}: arbitrary strings are either refused or canonical and valid`, () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 25 }), (input) => {
          const result = tryCanonicalise(schemeId, input);
          if (result instanceof IdentifierInvalidError) return;
          expect(scheme.canonicalise(result)).to.equal(result);
          if (oracle) expect(oracle(result)).to.equal(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  for (const [schemeId, oracle] of Object.entries(oracles) as [
    IdentifierSchemeId,
    (s: string) => boolean,
  ][]) {
    it(`${schemeId}: agrees with the independent oracle on random digit strings`, () => {
      const length = strip(identifierSchemes[schemeId].example).length;
      const alphabet = schemeId === 'vin' ? '0123456789ABCDEFGHJKLMNPRSTUVWXYZ' : '0123456789';
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...alphabet), { minLength: length, maxLength: length }),
          (chars) => {
            const input = chars.join('');
            const result = tryCanonicalise(schemeId, input);
            const accepted = !(result instanceof IdentifierInvalidError);
            // Our schemes may be stricter than the bare check (codes, future dates), never laxer.
            if (accepted) expect(oracle(input), input).to.equal(true);
          },
        ),
        { numRuns: 2000 },
      );
    });
  }
});
