import { SchemeFailure, digitsOf, rejectLookalikes, weightedSum } from './checks.js';
import type { IdentifierScheme } from './scheme.types.js';

/*
 * Business registration number (사업자등록번호, NTS): NNN-NN-NNNNN. Digits 4-5 are the
 * business-type code, the last digit checks the first nine with weights 1,3,7,1,3,7,1,3,5 plus
 * the tens digit of (ninth digit × 5).
 */
const BRN_WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5];
const BRN_FORM = /^(?:(\d{3})-(\d{2})-(\d{5})|(\d{10}))$/;

export function brnCheckDigit(first9: string): number {
  const digits = digitsOf(first9);
  const sum = weightedSum(digits, BRN_WEIGHTS) + Math.floor(((digits[8] ?? 0) * 5) / 10);
  return (10 - (sum % 10)) % 10;
}

const brnFail = new SchemeFailure('brn', 'Business registration number');

export const brnScheme: IdentifierScheme = {
  id: 'brn',
  names: { en: 'Business registration number', ja: '事業者登録番号' },
  example: '2208162517',
  canonicalise(input: string): string {
    const text = rejectLookalikes(input, brnFail);
    const match = BRN_FORM.exec(text);
    if (!match) throw brnFail.error('must be 10 digits, either plain or as NNN-NN-NNNNN');
    const canonical = match[4] ?? `${match[1]}${match[2]}${match[3]}`;
    if (canonical.startsWith('000')) throw brnFail.error('the tax-office code cannot be 000');
    if (brnCheckDigit(canonical.slice(0, 9)) !== Number(canonical.charAt(9))) {
      throw brnFail.error('the check digit does not match');
    }
    return canonical;
  },
  mask(canonical: string): string {
    return `${canonical.slice(0, 3)}-${canonical.slice(3, 5)}-${canonical.slice(5)}`;
  },
};

/*
 * Corporate registration number (법인등록번호, court registries): NNNNNN-NNNNNNN: registry
 * office (4), corporation kind (2), serial (6), check digit. Weights alternate 1,2 and the check
 * is the tens complement of the weighted sum (products, not digit sums).
 */
const CRN_WEIGHTS = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2];
const CRN_FORM = /^(\d{6})-?(\d{7})$/;

export function crnCheckDigit(first12: string): number {
  return (10 - (weightedSum(digitsOf(first12), CRN_WEIGHTS) % 10)) % 10;
}

const crnFail = new SchemeFailure('crn', 'Corporate registration number');

export const crnScheme: IdentifierScheme = {
  id: 'crn',
  names: { en: 'Corporate registration number', ja: '法人登録番号' },
  example: '1301110006246',
  canonicalise(input: string): string {
    const text = rejectLookalikes(input, crnFail);
    const match = CRN_FORM.exec(text);
    if (!match) throw crnFail.error('must be 13 digits, optionally with one hyphen after the sixth');
    const canonical = `${match[1]}${match[2]}`;
    if (canonical.startsWith('0000')) throw crnFail.error('the registry office code cannot be 0000');
    if (crnCheckDigit(canonical.slice(0, 12)) !== Number(canonical.charAt(12))) {
      throw crnFail.error('the check digit does not match');
    }
    return canonical;
  },
  mask(canonical: string): string {
    return `${canonical.slice(0, 6)}-${canonical.slice(6)}`;
  },
};
