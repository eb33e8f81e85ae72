import { SchemeFailure, rejectLookalikes } from './checks.js';
import type { IdentifierScheme } from './scheme.types.js';

/*
 * Industrial-property application number (출원번호, KIPO): right code (10 patent, 20 utility
 * model, 30 design, 40 trademark), application year, seven-digit serial: 10-2020-0123456.
 * Canonical form is the 13 digits KIPRIS uses; the hyphenated form needs both hyphens.
 */
const FORM = /^(?:(\d{2})-(\d{4})-(\d{7})|(\d{13}))$/;
export const IP_RIGHT_CODES = ['10', '20', '30', '40'] as const;
// KIPO's numbering in this form starts with the 1948 patent office; years after now cannot exist.
const FIRST_YEAR = 1948;

const fail = new SchemeFailure('ip-application-number', 'Patent, design or trademark application number');

export const ipApplicationNumberScheme: IdentifierScheme = {
  id: 'ip-application-number',
  names: { en: 'Patent, design or trademark application number', ja: '特許・実用新案・意匠・商標の出願番号' },
  example: '1020200123456',
  canonicalise(input: string): string {
    const text = rejectLookalikes(input, fail);
    const match = FORM.exec(text);
    if (!match) throw fail.error('must be 13 digits, plain or as NN-YYYY-NNNNNNN');
    const canonical = match[4] ?? `${match[1]}${match[2]}${match[3]}`;
    if (!(IP_RIGHT_CODES as readonly string[]).includes(canonical.slice(0, 2))) {
      throw fail.error('the right code must be 10, 20, 30 or 40');
    }
    const year = Number(canonical.slice(2, 6));
    if (year < FIRST_YEAR || year > new Date().getFullYear())
      throw fail.error('the application year is impossible');
    if (canonical.slice(6) === '0000000') throw fail.error('the serial cannot be 0');
    return canonical;
  },
  mask(canonical: string): string {
    return `${canonical.slice(0, 2)}-${canonical.slice(2, 6)}-${canonical.slice(6)}`;
  },
};
