import { SchemeFailure, rejectLookalikes } from './checks.js';
import type { IdentifierScheme } from './scheme.types.js';

/*
 * Parcel number (필지고유번호, PNU): 19 digits = legal-dong code (province 2, city/county/district
 * 3, town/neighbourhood 3, village 2), land kind (1 ordinary land, 2 mountain/forest land,
 * written 산 on paper), main lot (4) and sub lot (4). No hyphens: the number is only ever
 * exchanged as 19 digits.
 */
const FORM = /^\d{19}$/;

// Province codes in use, including the old and new codes of the two special self-governing
// provinces (Gangwon 42→51 in 2023, Jeonbuk 45→52 in 2024), because ledgers still hold both.
const PROVINCES = new Set([
  '11',
  '26',
  '27',
  '28',
  '29',
  '30',
  '31',
  '36',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '50',
  '51',
  '52',
]);

const fail = new SchemeFailure('pnu', 'Parcel number (PNU)');

export const pnuScheme: IdentifierScheme = {
  id: 'pnu',
  names: { en: 'Parcel number (PNU)', ja: '筆地固有番号（PNU）' },
  example: '1168010100107370000',
  canonicalise(input: string): string {
    const text = rejectLookalikes(input, fail);
    if (!FORM.test(text)) throw fail.error('must be exactly 19 digits');
    if (!PROVINCES.has(text.slice(0, 2))) throw fail.error('the first two digits are not a province code');
    if (text.slice(2, 5) === '000') throw fail.error('the city/county/district code cannot be 000');
    if (text.slice(5, 8) === '000') throw fail.error('the town/neighbourhood code cannot be 000');
    const kind = text.charAt(10);
    if (kind !== '1' && kind !== '2')
      throw fail.error('the eleventh digit must be 1 (land) or 2 (mountain land)');
    if (text.slice(11, 15) === '0000') throw fail.error('the main lot number cannot be 0');
    return text;
  },
  mask(canonical: string): string {
    // Parcels are public; the display form only separates the parts.
    return `${canonical.slice(0, 10)}-${canonical.charAt(10)}-${canonical.slice(11, 15)}-${canonical.slice(15)}`;
  },
};
