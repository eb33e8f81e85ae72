import { IdentifierInvalidError } from '../../errors.js';
import type { IdentifierSchemeId } from './scheme.types.js';

// Longer than any identifier we know; bounds the work regexes do on hostile input.
const MAX_INPUT_LENGTH = 40;

const CONTROL = /\p{Cc}/u;
const FULL_WIDTH = /[\uff01-\uff5e]/u;
const WHITESPACE = /[\s\u3000]/u;
// Zero-width spaces, byte-order marks and bidi controls look like nothing on screen.
const INVISIBLE = /\p{Cf}/u;
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/u;

export class SchemeFailure {
  readonly scheme: IdentifierSchemeId;
  readonly label: string;
  constructor(scheme: IdentifierSchemeId, label: string) {
    this.scheme = scheme;
    this.label = label;
  }

  error(detail: string): IdentifierInvalidError {
    return new IdentifierInvalidError(this.scheme, `${this.label}: ${detail}`);
  }
}

/**
 * Rejects the inputs that look right to a person but are not the characters we compare:
 * full-width digits from East Asian input methods, spaces, control and invisible characters.
 */
export function rejectLookalikes(input: unknown, fail: SchemeFailure): string {
  if (typeof input !== 'string') throw fail.error('must be a string');
  if (input.length === 0) throw fail.error('is empty');
  if (input.length > MAX_INPUT_LENGTH) throw fail.error('is too long');
  if (CONTROL.test(input)) throw fail.error('contains a control character');
  if (FULL_WIDTH.test(input))
    throw fail.error('contains full-width characters; use ASCII digits and letters');
  if (WHITESPACE.test(input)) throw fail.error('contains whitespace');
  if (INVISIBLE.test(input)) throw fail.error('contains an invisible formatting character');
  if (NON_ASCII_DIGIT.test(input)) throw fail.error('contains non-ASCII digits');
  return input;
}

export function digitsOf(text: string): number[] {
  const out = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) - 48;
  return out;
}

export function weightedSum(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return sum;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}
