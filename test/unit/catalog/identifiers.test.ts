import { expect } from 'chai';
import { IdentifierInvalidError, ValidationError } from '../../../server/errors.js';
import {
  canonicaliseIdentifier,
  identifierSchemeIds,
  identifierSchemes,
  type IdentifierSchemeId,
} from '../../../server/catalog/identifiers/index.js';

interface Case {
  valid: [input: string, canonical: string][];
  invalid: [input: string, why: string][];
}

// Lookalike inputs every scheme must refuse, built from its own valid example.
function lookalikes(example: string): [string, string][] {
  const fullWidth = example.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  const mid = Math.floor(example.length / 2);
  return [
    [fullWidth, 'full-width characters'],
    [`${example.slice(0, mid)} ${example.slice(mid)}`, 'space inside'],
    [` ${example}`, 'leading space'],
    [`${example}\n`, 'trailing newline'],
    [`${example.slice(0, mid)}\u0000${example.slice(mid)}`, 'NUL'],
    [`${example.slice(0, mid)}\t${example.slice(mid)}`, 'tab'],
    [`${example.slice(0, mid)}\u200b${example.slice(mid)}`, 'zero-width space'],
    [`${example.slice(0, mid)}\u3000${example.slice(mid)}`, 'ideographic space'],
    [`\ufeff${example}`, 'byte-order mark'],
    [example.slice(0, -1), 'one character short'],
    [`${example}0`, 'one character long'],
    ['', 'empty'],
    ['1'.repeat(200), 'very long'],
  ];
}

const cases: Record<IdentifierSchemeId, Case> = {
  rrn: {
    valid: [
      ['8501011234566', '8501011234566'],
      ['850101-1234566', '8501011234566'],
      ['0002293123454', '0002293123454'], // 2000-02-29 exists (2000 is a leap year)
      ['9912319123451', '9912319123451'], // 1899-12-31, century digit 9
      ['2103053987654', '2103053987654'], // born 2021: random serial, no check digit
      ['2008314123451', '2008314123451'], // born 2020-08-31: last date still checked
    ],
    invalid: [
      ['8501011234567', 'wrong check digit'],
      ['8502301234567', 'February 30'],
      ['0002291123459', '1900-02-29 does not exist (century digit 1)'],
      ['8513011234566', 'month 13'],
      ['3012313123456', 'birth date in the future'],
      ['8501015123452', 'gender digit of a foreigner'],
      ['85010-11234566', 'hyphen in the wrong place'],
      ['850101--1234566', 'two hyphens'],
      ['850101–1234566', 'en dash instead of hyphen'],
      ['٨٥٠١٠١١٢٣٤٥٦٦', 'Arabic-Indic digits'],
      ['85O1011234566', 'letter O for zero'],
    ],
  },
  frn: {
    valid: [
      ['9003155123452', '9003155123452'],
      ['900315-5123452', '9003155123452'],
      ['0507078123457', '0507078123457'],
    ],
    invalid: [
      ['9003155123450', 'wrong check digit'],
      ['9002305123452', 'February 30'],
      ['8501011234566', 'gender digit of a citizen'],
      ['9003159123452', 'gender digit 9'],
    ],
  },
  brn: {
    valid: [
      ['1248100998', '1248100998'],
      ['124-81-00998', '1248100998'],
      ['2208162517', '2208162517'],
    ],
    invalid: [
      ['1248100999', 'wrong check digit'],
      ['124-8100998', 'only one hyphen'],
      ['12-481-00998', 'hyphens in the wrong places'],
      ['0008100990', 'tax-office code 000'],
    ],
  },
  crn: {
    valid: [
      ['1101110006240', '1101110006240'],
      ['110111-0006240', '1101110006240'],
      ['1301110006246', '1301110006246'],
    ],
    invalid: [
      ['1101110006241', 'wrong check digit'],
      ['1101-110006240', 'hyphen in the wrong place'],
    ],
  },
  pnu: {
    valid: [
      ['1168010100107370000', '1168010100107370000'],
      ['4111710400200010005', '4111710400200010005'],
    ],
    invalid: [
      ['9968010100107370000', 'no such province'],
      ['1168010100307370000', 'land kind 3'],
      ['1168010100100000000', 'main lot 0'],
      ['1100010100107370000', 'district 000'],
      ['1168000000107370000', 'town 000'],
      ['1168010100-1-0737-0000', 'display form with hyphens'],
    ],
  },
  'vehicle-plate': {
    valid: [
      ['12가3456', '12가3456'],
      ['123가4568', '123가4568'],
      ['서울12가3456', '서울12가3456'],
      ['34하1234', '34하1234'],
      ['56배7890', '56배7890'],
    ],
    invalid: [
      ['12가 3456', 'space before the serial'],
      ['12육3456', 'military usage letter'],
      ['12가0000', 'serial 0000'],
      ['서울123가4567', 'region with a three-digit type number'],
      ['평양12가3456', 'not a region'],
      ['12\u1100\u116134567'.slice(0, 8), 'decomposed jamo'],
      ['1가3456', 'one-digit type number'],
      ['12가345', 'three-digit serial'],
    ],
  },
  vin: {
    valid: [
      ['1HGCM82633A004352', '1HGCM82633A004352'],
      ['KMHDH41E5BU123456', 'KMHDH41E5BU123456'],
      ['1M8GDM9AXKP042788', '1M8GDM9AXKP042788'],
    ],
    invalid: [
      ['1HGCM82634A004352', 'wrong check digit'],
      ['1hgcm82633a004352', 'lower case'],
      ['1HGCM82633A0O4352', 'letter O'],
      ['IHGCM82633A004352', 'letter I'],
      ['1HGCM82633A00435-', 'punctuation'],
    ],
  },
  'ship-number': {
    valid: [
      ['BSR-081234', 'BSR-081234'],
      ['ICR-990001', 'ICR-990001'],
    ],
    invalid: [
      ['BSR081234', 'missing hyphen'],
      ['XYZ-081234', 'not a registry port'],
      ['bsr-081234', 'lower case'],
      ['BSR-080000', 'serial 0000'],
    ],
  },
  imo: {
    valid: [
      ['9074729', '9074729'],
      ['9311402', '9311402'],
    ],
    invalid: [
      ['9074728', 'wrong check digit'],
      ['IMO 9074729', 'prefix with a space'],
      ['0074729', 'leading zero'],
    ],
  },
  'ip-application-number': {
    valid: [
      ['1020200123456', '1020200123456'],
      ['10-2020-0123456', '1020200123456'],
      ['4019990000001', '4019990000001'],
    ],
    invalid: [
      ['5020200123456', 'right code 50'],
      ['1018000123456', 'year 1800'],
      ['1029990123456', 'year 2999'],
      ['1020200000000', 'serial 0'],
      ['10-20200123456', 'only one hyphen'],
      ['102020-0123456', 'hyphen in the wrong place'],
    ],
  },
};

function expectRejected(schemeId: IdentifierSchemeId, input: string, why: string): IdentifierInvalidError {
  try {
    identifierSchemes[schemeId].canonicalise(input);
  } catch (err) {
    expect(err, why).to.be.instanceOf(IdentifierInvalidError);
    const error = err as IdentifierInvalidError;
    expect(error.scheme, why).to.equal(schemeId);
    expect(error.code).to.equal('identifier_invalid');
    expect(error.status).to.equal(400);
    expect(error.detail, why).to.contain(identifierSchemes[schemeId].names.en);
    return error;
  }
  expect.fail(`${schemeId}: accepted ${JSON.stringify(input)} (${why})`);
}

describe('identifier schemes', () => {
  it('cover every scheme id, with names in English and Japanese', () => {
    expect(Object.keys(identifierSchemes).sort()).to.deep.equal([...identifierSchemeIds].sort());
    for (const scheme of Object.values(identifierSchemes)) {
      expect(scheme.names.en).to.have.length.greaterThan(3);
      expect(scheme.names.ja).to.match(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  for (const schemeId of identifierSchemeIds) {
    const scheme = identifierSchemes[schemeId];
    const { valid, invalid } = cases[schemeId];

    describe(schemeId, () => {
      it('accepts its own example, which is canonical', () => {
        expect(scheme.canonicalise(scheme.example)).to.equal(scheme.example);
      });

      it('accepts the allowed presentational forms and returns the canonical form', () => {
        for (const [input, canonical] of valid) {
          expect(scheme.canonicalise(input), input).to.equal(canonical);
          expect(scheme.canonicalise(canonical), `${input} again`).to.equal(canonical);
        }
      });

      it('refuses scheme-specific invalid inputs', () => {
        for (const [input, why] of invalid) expectRejected(schemeId, input, why);
      });

      it('refuses full-width digits, whitespace, control and invisible characters and wrong lengths', () => {
        for (const [input, why] of lookalikes(scheme.example)) expectRejected(schemeId, input, why);
      });

      it('never echoes the input in the error detail', () => {
        const err = expectRejected(schemeId, `${scheme.example}9`, 'too long');
        expect(err.detail).not.to.contain(scheme.example);
      });

      it('masks for display without changing the canonical value', () => {
        const shown = scheme.mask(scheme.example);
        expect(shown.replace(/[^0-9A-Z가-힣*]/g, '').length).to.be.at.least(
          scheme.example.replace(/-/g, '').length - 1,
        );
      });
    });
  }

  it('masks the back seven digits of registration numbers', () => {
    expect(identifierSchemes.rrn.mask('8501011234566')).to.equal('850101-1******');
    expect(identifierSchemes.frn.mask('9003155123452')).to.equal('900315-5******');
  });

  describe('canonicaliseIdentifier', () => {
    it('canonicalises through the registry', () => {
      expect(canonicaliseIdentifier('brn', '124-81-00998')).to.equal('1248100998');
    });

    it('attaches the JSON pointer to the problem', () => {
      try {
        canonicaliseIdentifier('rrn', '850101-1234567', '/subject/identifier');
        expect.fail('accepted a wrong check digit');
      } catch (err) {
        expect(err).to.be.instanceOf(IdentifierInvalidError);
        const error = err as IdentifierInvalidError;
        expect(error.scheme).to.equal('rrn');
        expect(error.issues).to.deep.equal([{ pointer: '/subject/identifier', message: error.detail }]);
        expect(error.extensions).to.deep.equal({ scheme: 'rrn' });
      }
    });

    it('refuses an unknown scheme as a validation error', () => {
      expect(() => canonicaliseIdentifier('ssn', '123-45-6789')).to.throw(ValidationError);
    });

    it('refuses non-string input from untyped callers', () => {
      expect(() => canonicaliseIdentifier('rrn', 8501011234566 as unknown as string)).to.throw(
        IdentifierInvalidError,
      );
    });
  });
});
