import { SchemeFailure, rejectLookalikes } from './checks.js';
import type { IdentifierScheme } from './scheme.types.js';

/*
 * Vehicle registration plate (자동차 등록번호): [region] + 2 or 3 digit type number + one Hangul
 * usage letter + 4 digit serial. Region prefixes belong to the pre-2006 plates and only with a
 * two digit type number. Usage letters: private cars 가…주 (32 letters), commercial transport
 * 아바사자, rental 하허호, delivery 배. Military (육공해국합) and diplomatic plates are not in the
 * civil register and are refused.
 */
export const PRIVATE_USAGE_LETTERS = '가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주';
export const USAGE_LETTERS = `${PRIVATE_USAGE_LETTERS}아바사자하허호배`;
export const PLATE_REGIONS = [
  '서울',
  '부산',
  '대구',
  '인천',
  '광주',
  '대전',
  '울산',
  '세종',
  '경기',
  '강원',
  '충북',
  '충남',
  '전북',
  '전남',
  '경북',
  '경남',
  '제주',
] as const;

const PLATE_FORM = new RegExp(
  `^(?:(${PLATE_REGIONS.join('|')})(\\d{2})|(\\d{2,3}))([${USAGE_LETTERS}])(\\d{4})$`,
  'u',
);

const plateFail = new SchemeFailure('vehicle-plate', 'Vehicle registration number');

export const vehiclePlateScheme: IdentifierScheme = {
  id: 'vehicle-plate',
  names: { en: 'Vehicle registration number', ja: '自動車登録番号' },
  example: '123가4568',
  canonicalise(input: string): string {
    const text = rejectLookalikes(input, plateFail);
    // Decomposed jamo render like the syllable but compare differently; ask for the composed form.
    if (text.normalize('NFC') !== text)
      throw plateFail.error('contains decomposed Hangul; use composed syllables');
    const match = PLATE_FORM.exec(text);
    if (!match) {
      throw plateFail.error('must look like 12가3456, 123가4567 or 서울12가3456 with a civil usage letter');
    }
    if (match[5] === '0000') throw plateFail.error('the serial cannot be 0000');
    return text;
  },
  mask(canonical: string): string {
    return canonical;
  },
};

/*
 * Vehicle identification number (ISO 3779): 17 characters, no I, O or Q. Position 9 is the
 * North-American check digit (value × weight mod 11, 10 written X). Korean makers use it for all
 * markets; grey imports without it are out of scope for this registry. Lower case is refused
 * rather than upper-cased so that what was checked is what was typed.
 */
const VIN_FORM = /^[A-HJ-NPR-Z0-9]{17}$/;
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const VIN_VALUES: Record<string, number> = {};
'0123456789'.split('').forEach((c, i) => (VIN_VALUES[c] = i));
'ABCDEFGH'.split('').forEach((c, i) => (VIN_VALUES[c] = i + 1));
'JKLMN'.split('').forEach((c, i) => (VIN_VALUES[c] = i + 1));
VIN_VALUES.P = 7;
VIN_VALUES.R = 9;
'STUVWXYZ'.split('').forEach((c, i) => (VIN_VALUES[c] = i + 2));

export function vinCheckCharacter(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (VIN_VALUES[vin.charAt(i)] ?? 0) * (VIN_WEIGHTS[i] ?? 0);
  const remainder = sum % 11;
  return remainder === 10 ? 'X' : String(remainder);
}

const vinFail = new SchemeFailure('vin', 'Vehicle identification number (VIN)');

export const vinScheme: IdentifierScheme = {
  id: 'vin',
  names: { en: 'Vehicle identification number (VIN)', ja: '車台番号（VIN）' },
  example: '1M8GDM9AXKP042788',
  canonicalise(input: string): string {
    const text = rejectLookalikes(input, vinFail);
    if (text.length !== 17) throw vinFail.error('must be exactly 17 characters');
    if (/[a-z]/.test(text)) throw vinFail.error('must be written in capital letters');
    if (/[IOQ]/.test(text)) throw vinFail.error('cannot contain the letters I, O or Q');
    if (!VIN_FORM.test(text)) throw vinFail.error('may contain only digits and capital letters');
    if (vinCheckCharacter(text) !== text.charAt(8))
      throw vinFail.error('the check digit (position 9) does not match');
    return text;
  },
  mask(canonical: string): string {
    return canonical;
  },
};
