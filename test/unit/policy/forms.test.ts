import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { releaseAjv } from '../../../server/policy/ajv.js';
import {
  applyForm,
  bracketLabels,
  FormInputError,
  formMismatch,
  maskPresets,
  releasedSchema,
  type ValueForm,
} from '../../../server/policy/forms.js';
import { KEY, NOW } from './fixtures.js';

const ctx = { now: NOW, requesterId: 'bank-a', pairwiseKey: KEY };
const ajv = releaseAjv();

/** Applies the form and checks the output against the form's own released schema. */
function apply(
  form: ValueForm,
  value: unknown,
  field: Record<string, unknown> = { type: 'string' },
): unknown {
  const out = applyForm(form, value, ctx);
  const validate = ajv.compile(releasedSchema(form, field));
  expect(validate(out), JSON.stringify(validate.errors)).to.equal(true);
  return out;
}

const mask = (m: Partial<Extract<ValueForm, { form: 'mask' }>>): ValueForm => ({
  form: 'mask',
  keepStart: 0,
  keepEnd: 0,
  char: '*',
  preserve: '',
  ...m,
});

describe('policy forms', () => {
  it('full passes the value through and keeps the field schema', () => {
    expect(apply({ form: 'full' }, ['a', 1], { type: 'array' })).to.deep.equal(['a', 1]);
    expect(releasedSchema({ form: 'full' }, { type: 'string', format: 'date' })).to.deep.equal({
      type: 'string',
      format: 'date',
    });
  });

  describe('mask', () => {
    it('hides the back 7 digits of a resident number, with or without the hyphen', () => {
      const rrn = mask(maskPresets['rrn-back7']);
      expect(apply(rrn, '900101-1234567')).to.equal('900101-*******');
      expect(apply(rrn, '9001011234567')).to.equal('900101*******');
    });
    it('keeps the ends of names and phone numbers', () => {
      expect(apply(mask(maskPresets.name), '홍길동')).to.equal('홍*동');
      expect(apply(mask(maskPresets.phone), '010-1234-5678')).to.equal('010-****-5678');
    });
    it('always hides at least one character', () => {
      expect(apply(mask(maskPresets.name), '홍길')).to.equal('홍*');
      expect(apply(mask({ keepStart: 5 }), 'a')).to.equal('*');
    });
    it('masks numbers as text with a custom character', () => {
      expect(apply(mask({ keepEnd: 2, char: '#' }), 123456, { type: 'integer' })).to.equal('####56');
    });
    it('refuses objects', () => {
      expect(() => applyForm(mask({}), { a: 1 }, ctx)).to.throw(FormInputError);
    });
  });

  it('truncate keeps the first n characters, never splitting a code point', () => {
    const t: ValueForm = { form: 'truncate', length: 3 };
    expect(apply(t, '서울특별시 종로구')).to.equal('서울특');
    expect(apply(t, 'ab')).to.equal('ab');
    expect(apply({ form: 'truncate', length: 1 }, '😀x')).to.equal('😀');
    expect(releasedSchema(t)).to.include({ maxLength: 3 });
  });

  describe('generalise', () => {
    it('date to year gives an integer', () => {
      expect(
        apply({ form: 'generalise', to: 'year' }, '1990-01-01', { type: 'string', format: 'date' }),
      ).to.equal(1990);
      expect(() => applyForm({ form: 'generalise', to: 'year' }, 'soon', ctx)).to.throw(FormInputError);
    });
    it('date to age band uses the clock, with an open top band', () => {
      const band: ValueForm = { form: 'generalise', to: 'age_band', width: 10, max: 80 };
      expect(apply(band, '1990-06-16')).to.equal('30-39'); // 34 on 2025-06-15
      expect(apply(band, '1985-06-15')).to.equal('40-49'); // 40th birthday today
      expect(apply(band, '2020-01-01')).to.equal('0-9');
      expect(apply(band, '1930-01-01')).to.equal('80+');
      expect(apply({ form: 'generalise', to: 'age_band', width: 10, max: 75 }, '1952-01-01')).to.equal(
        '70-74',
      );
      expect(() => applyForm(band, '2030-01-01', ctx)).to.throw(FormInputError);
    });
    it('address to district keeps the leading units', () => {
      const d: ValueForm = { form: 'generalise', to: 'district', depth: 2 };
      expect(apply(d, ' 서울특별시  종로구 세종대로 209')).to.equal('서울특별시 종로구');
      expect(apply({ form: 'generalise', to: 'district', depth: 1 }, '경기도 성남시 분당구')).to.equal(
        '경기도',
      );
    });
    it('amount to bracket labels half-open intervals', () => {
      const b: ValueForm = { form: 'generalise', to: 'bracket', bounds: [0, 1000, 5000] };
      expect(bracketLabels([0, 1000, 5000])).to.deep.equal(['(,0)', '[0,1000)', '[1000,5000)', '[5000,)']);
      expect(apply(b, -1, { type: 'integer' })).to.equal('(,0)');
      expect(apply(b, 0, { type: 'integer' })).to.equal('[0,1000)');
      expect(apply(b, 999.5, { type: 'number' })).to.equal('[0,1000)');
      expect(apply(b, 1000, { type: 'integer' })).to.equal('[1000,5000)');
      expect(apply(b, 10 ** 9, { type: 'integer' })).to.equal('[5000,)');
      expect(() => applyForm(b, '100', ctx)).to.throw(FormInputError);
    });
  });

  describe('hash', () => {
    it('is HMAC-SHA256 over the requester and the canonical value', () => {
      const expected = createHmac('sha256', KEY)
        .update('juc-pairwise-v1\0bank-a\0')
        .update('"900101-1234567"')
        .digest('base64url');
      expect(apply({ form: 'hash' }, '900101-1234567')).to.equal(expected);
    });
    it('differs between requesters and keys, and is stable for one requester', () => {
      const a = applyForm({ form: 'hash' }, 'v', ctx);
      expect(applyForm({ form: 'hash' }, 'v', ctx)).to.equal(a);
      expect(applyForm({ form: 'hash' }, 'v', { ...ctx, requesterId: 'bank-b' })).not.to.equal(a);
      expect(applyForm({ form: 'hash' }, 'v', { ...ctx, pairwiseKey: 'other' })).not.to.equal(a);
    });
    it('needs a key', () => {
      expect(() => applyForm({ form: 'hash' }, 'v', { now: NOW, requesterId: 'x' })).to.throw(/pairwise key/);
    });
  });

  it('released schemas: predicates are boolean, transforms are strings', () => {
    expect(releasedSchema({ form: 'predicate', name: 'p', args: {}, from: {} })).to.deep.equal({
      type: 'boolean',
    });
    expect(
      releasedSchema(
        { form: 'mask', keepStart: 0, keepEnd: 0, char: '*', preserve: '' },
        { type: 'integer' },
      ),
    ).to.have.property('type', 'string');
  });

  it('formMismatch rejects forms on the wrong field type', () => {
    const date = { type: 'string', format: 'date' };
    expect(formMismatch({ form: 'generalise', to: 'year' }, date)).to.equal(undefined);
    expect(formMismatch({ form: 'generalise', to: 'year' }, { type: 'string' })).to.match(/date/);
    expect(formMismatch({ form: 'generalise', to: 'bracket', bounds: [1] }, { type: 'string' })).to.match(
      /number/,
    );
    expect(formMismatch({ form: 'generalise', to: 'district', depth: 2 }, { type: 'integer' })).to.match(
      /string/,
    );
    expect(formMismatch({ form: 'truncate', length: 2 }, { type: 'array' })).to.match(/string or number/);
    expect(formMismatch({ form: 'hash' }, { type: 'object' })).to.equal(undefined);
  });
});
