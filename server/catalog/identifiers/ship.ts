import { SchemeFailure, digitsOf, rejectLookalikes, weightedSum } from './checks.js';
import type { IdentifierScheme } from './scheme.types.js';

/*
 * Ship number (선박번호) as printed on the Korean ship register and nationality certificate:
 * a registry-port code of three capital letters, a hyphen, the two-digit registration year and a
 * four-digit serial (e.g. BSR-081234). Modelled on published certificates, not on a primary
 * specification; the port list is the one the reference registry issues.
 */
export const SHIP_PORT_CODES = [
  'BSR',
  'ICR',
  'MPR',
  'YSR',
  'PHR',
  'GSR',
  'DHR',
  'MSR',
  'ULR',
  'PTR',
  'JJR',
  'DSR',
];
const SHIP_FORM = /^([A-Z]{3})-(\d{6})$/;

const shipFail = new SchemeFailure('ship-number', 'Ship number');

export const shipNumberScheme: IdentifierScheme = {
  id: 'ship-number',
  names: { en: 'Ship number', ja: '船舶番号' },
  example: 'BSR-081234',
  canonicalise(input: string): string {
    const text = rejectLookalikes(input, shipFail);
    const match = SHIP_FORM.exec(text);
    if (!match)
      throw shipFail.error('must be a three-letter port code, a hyphen and six digits (e.g. PHR-120034)');
    if (!SHIP_PORT_CODES.includes(match[1] ?? ''))
      throw shipFail.error('the port code is not a registry port');
    if ((match[2] ?? '').slice(2) === '0000') throw shipFail.error('the serial cannot be 0000');
    return text;
  },
  mask(canonical: string): string {
    return canonical;
  },
};

/*
 * IMO ship identification number: seven digits, the last checks the first six with weights
 * 7..2 (mod 10). Written "IMO 9074729" on certificates; we take the digits only, because the
 * prefix with its space is a label, not part of the number.
 */
const IMO_FORM = /^\d{7}$/;
const IMO_WEIGHTS = [7, 6, 5, 4, 3, 2];

export function imoCheckDigit(first6: string): number {
  return weightedSum(digitsOf(first6), IMO_WEIGHTS) % 10;
}

const imoFail = new SchemeFailure('imo', 'IMO ship identification number');

export const imoScheme: IdentifierScheme = {
  id: 'imo',
  names: { en: 'IMO ship identification number', ja: 'IMO船舶識別番号' },
  example: '9074729',
  canonicalise(input: string): string {
    const text = rejectLookalikes(input, imoFail);
    if (!IMO_FORM.test(text)) throw imoFail.error('must be exactly 7 digits without the IMO prefix');
    if (text.startsWith('0')) throw imoFail.error('cannot start with 0');
    if (imoCheckDigit(text.slice(0, 6)) !== Number(text.charAt(6)))
      throw imoFail.error('the check digit does not match');
    return text;
  },
  mask(canonical: string): string {
    return `IMO ${canonical}`;
  },
};
