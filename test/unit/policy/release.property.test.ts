// For random policies, consents, requests and records: every released field is allowed by policy,
// consent and request, carries its form, and nothing else leaves.
import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { bracketLabels } from '../../../server/policy/forms.js';
import { compilePolicies } from '../../../server/policy/policy.compile.js';
import { applyRelease, planRelease } from '../../../server/policy/policy.engine.js';
import type { FieldForm, PolicyRule, Requester } from '../../../server/policy/policy.types.js';
import { KEY, NOW } from './fixtures.js';

const RT = 'test.record';
const schema = {
  properties: {
    s1: { type: 'string' },
    s2: { type: 'string' },
    d1: { type: 'string', format: 'date' },
    d2: { type: 'string', format: 'date' },
    n1: { type: 'integer' },
    n2: { type: 'integer' },
    a1: { type: 'array' },
  },
} as const;
type Kind = 'string' | 'date' | 'integer' | 'array';
const kinds: Record<keyof typeof schema.properties, Kind> = {
  s1: 'string',
  s2: 'string',
  d1: 'date',
  d2: 'date',
  n1: 'integer',
  n2: 'integer',
  a1: 'array',
};
const recordFields = Object.keys(kinds) as (keyof typeof kinds)[];
const predicateFields = {
  p_age: { form: 'predicate', name: 'age_gte', args: { years: 19 }, from: { birthDate: 'd1' } },
  p_household: {
    form: 'predicate',
    name: 'household_size_gte',
    args: { n: 2 },
    from: { members: 'a1' },
  },
  p_income: { form: 'predicate', name: 'income_below', args: { amount: 5000 }, from: { totalIncome: 'n1' } },
  p_seoul: {
    form: 'predicate',
    name: 'resident_of',
    args: { region: '서울특별시' },
    from: { address: 's1' },
  },
} as const;
const allNames = [...recordFields, ...Object.keys(predicateFields)];

const common = fc.constantFrom<unknown>('full', 'deny', 'hash', { form: 'deny' });
const mask = fc.record({
  form: fc.constant('mask'),
  keepStart: fc.integer({ min: 0, max: 8 }),
  keepEnd: fc.integer({ min: 0, max: 8 }),
});
const truncate = fc.record({ form: fc.constant('truncate'), length: fc.integer({ min: 1, max: 8 }) });
const formFor: Record<Kind, fc.Arbitrary<unknown>> = {
  string: fc.oneof(
    common,
    mask,
    truncate,
    fc.record({
      form: fc.constant('generalise'),
      to: fc.constant('district'),
      depth: fc.integer({ min: 1, max: 3 }),
    }),
  ),
  date: fc.oneof(
    common,
    mask,
    truncate,
    fc.constant({ form: 'generalise', to: 'year' }),
    fc.constant({ form: 'generalise', to: 'age_band', width: 5, max: 60 }),
  ),
  integer: fc.oneof(
    common,
    mask,
    truncate,
    fc
      .uniqueArray(fc.integer({ min: -100, max: 100_000 }), { minLength: 1, maxLength: 4 })
      .map((b) => ({ form: 'generalise', to: 'bracket', bounds: b.sort((x, y) => x - y) })),
  ),
  array: common,
};

const ruleFields = fc
  .record(
    {
      ...Object.fromEntries(recordFields.map((f) => [f, formFor[kinds[f]]])),
      ...Object.fromEntries(Object.entries(predicateFields).map(([k, v]) => [k, fc.constant(v)])),
    },
    { requiredKeys: [] },
  )
  .filter((f) => Object.keys(f).length > 0);

const requesterSel = fc.oneof(
  fc.constantFrom('agency', 'public-institution', 'bank').map((c) => ({ class: c })),
  fc.constantFrom('org-a', 'org-b').map((o) => ({ org: o })),
);
const purposes = ['a.x', 'a.y', 'b.z'];
const rule = fc.record({
  requester: requesterSel,
  purpose: fc.constantFrom('a.x', 'a.*', '*', 'b.z'),
  fields: ruleFields,
});
const rules = fc.uniqueArray(rule, {
  minLength: 1,
  maxLength: 6,
  selector: (r) => `${JSON.stringify(r.requester)} ${r.purpose}`,
});

const selection = fc.oneof(fc.constant('all' as const), fc.subarray([...allNames, 'ghost']));

const token = fc.constantFrom('서울특별시', '종로구', '부산광역시', 'x', 'Main St');
const valueFor: Record<Kind, fc.Arbitrary<unknown>> = {
  string: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.array(token, { maxLength: 4 }).map((t) => t.join(' ')),
  ),
  date: fc
    .date({ min: new Date('1900-01-01'), max: new Date('2024-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  integer: fc.integer({ min: -1000, max: 1_000_000 }),
  array: fc.array(fc.record({ name: fc.string({ maxLength: 4 }) }), { maxLength: 4 }),
};
const record = fc
  .tuple(
    fc.record(
      Object.fromEntries(recordFields.map((f) => [f, fc.option(valueFor[kinds[f]], { nil: undefined })])),
    ),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.jsonValue(), { maxKeys: 3 }),
  )
  .map(([known, extras]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(extras)) if (!allNames.includes(k)) out[k] = v;
    for (const [k, v] of Object.entries(known)) if (v !== undefined) out[k] = v;
    return out;
  });

const requester = fc.record({
  orgId: fc.constantFrom('org-a', 'org-b', 'org-c'),
  class: fc.constantFrom('agency', 'public-institution', 'bank'),
}) as fc.Arbitrary<Requester>;

/** Independent oracle for rule choice: org > class, then exact > family > *. */
function expectedRule(all: readonly PolicyRule[], who: Requester, purpose: string): PolicyRule | undefined {
  const score = (r: PolicyRule): number => {
    const who_ =
      'org' in r.requester
        ? r.requester.org === who.orgId
          ? 2
          : -1
        : r.requester.class === who.class
          ? 1
          : -1;
    const p =
      r.purpose === purpose
        ? 2
        : r.purpose === '*'
          ? 0
          : purpose.startsWith(r.purpose.slice(0, -1)) && r.purpose.endsWith('.*')
            ? 1
            : -1;
    return who_ < 0 || p < 0 ? -1 : who_ * 10 + p;
  };
  return [...all].filter((r) => score(r) >= 0).sort((a, b) => score(b) - score(a))[0];
}

const allowed = (sel: 'all' | readonly string[], name: string) => sel === 'all' || sel.includes(name);

function checkValue(name: string, form: FieldForm, value: unknown, released: unknown, orgId: string): void {
  switch (form.form) {
    case 'full':
      expect(released).to.deep.equal(value);
      return;
    case 'hash': {
      const h = createHmac('sha256', KEY)
        .update(`juc-pairwise-v1\0${orgId}\0`)
        .update(JSON.stringify(value))
        .digest('base64url');
      if (typeof value === 'string' || typeof value === 'number') expect(released).to.equal(h);
      else expect(released).to.match(/^[A-Za-z0-9_-]{43}$/);
      return;
    }
    case 'mask': {
      const src = Array.from(String(value));
      const out = Array.from(released as string);
      expect(out).to.have.length(src.length);
      out.forEach((c, i) => expect(c === src[i] || c === form.char, name).to.equal(true));
      // At least one maskable character is hidden (the source may already contain the mask character).
      const maskable = src.map((c, i) => (form.preserve.includes(c) ? -1 : i)).filter((i) => i >= 0);
      if (maskable.length > 0)
        expect(
          maskable.some((i) => out[i] === form.char),
          name,
        ).to.equal(true);
      return;
    }
    case 'truncate':
      expect(released).to.equal(Array.from(String(value)).slice(0, form.length).join(''));
      return;
    case 'generalise':
      if (form.to === 'year') expect(released).to.equal(Number(String(value).slice(0, 4)));
      else if (form.to === 'age_band') expect(released).to.match(/^\d+(-\d+|\+)$/);
      else if (form.to === 'district')
        expect(released).to.equal(String(value).trim().split(/\s+/u).slice(0, form.depth).join(' '));
      else {
        const labels = bracketLabels(form.bounds);
        const idx = form.bounds.filter((b) => (value as number) >= b).length;
        expect(released).to.equal(labels[idx]);
      }
      return;
    case 'predicate':
      expect(released).to.be.a('boolean');
      return;
    case 'deny':
      expect.fail(`${name} released although denied`);
  }
}

describe('policy engine properties', () => {
  it('released ⊆ policy ∩ consent ∩ request, with the form applied, and nothing else', () => {
    fc.assert(
      fc.property(
        rules,
        requester,
        fc.constantFrom(...purposes),
        selection,
        selection,
        record,
        (rs, who, purpose, consented, requested, rec) => {
          const policySet = compilePolicies([
            {
              file: 'p.yaml',
              data: {
                id: 'p',
                version: '1.0.0',
                rules: rs.map((r, i) => ({ id: `r${i}`, recordType: RT, ...r })),
              },
            },
          ]);
          const plan = planRelease({
            policySet,
            requester: who,
            purpose,
            recordType: RT,
            recordSchema: schema,
            consentedFields: consented,
            requestedFields: requested,
          });
          const out = applyRelease(plan, rec, { now: NOW, pairwiseKey: KEY });
          const ruleUsed = expectedRule(policySet.byRecordType.get(RT) ?? [], who, purpose);
          expect(plan.rule?.id).to.equal(ruleUsed?.id);

          const permitted = (name: string): FieldForm | undefined => {
            const form = ruleUsed?.fields[name];
            return form && form.form !== 'deny' && allowed(consented, name) && allowed(requested, name)
              ? form
              : undefined;
          };
          for (const [name, value] of Object.entries(out.released)) {
            const form = permitted(name);
            expect(form, `${name} left without permission`).not.to.equal(undefined);
            expect(out.fields.find((f) => f.name === name)?.form).to.deep.equal(form);
            if (form && form.form !== 'predicate') checkValue(name, form, rec[name], value, who.orgId);
          }
          expect(out.fields.map((f) => f.name)).to.deep.equal(Object.keys(out.released));
          // Completeness: a permitted field with a value is released; the rest are withheld with a reason.
          const withheld = new Set(out.withheld.map((w) => w.name));
          for (const name of allNames) {
            const form = permitted(name);
            const inRecord =
              form?.form === 'predicate'
                ? Object.values(form.from).every((s) => rec[s] !== undefined)
                : rec[name] !== undefined;
            // Generated values always suit their field's forms, so nothing permitted may go missing.
            if (form && inRecord)
              expect(out.released, `${name} permitted but withheld`).to.have.property(name);
            if (form && !inRecord) expect(out.withheld).to.deep.include({ name, reason: 'not_in_record' });
            if (name in out.released) expect(withheld.has(name), name).to.equal(false);
            else if (name in schema.properties || ruleUsed?.fields[name])
              expect(withheld.has(name), name).to.equal(true);
          }
          if (!ruleUsed) expect(out.released).to.deep.equal({});
          expect(out.policy).to.deep.equal(ruleUsed ? { id: 'p', version: '1.0.0' } : null);
        },
      ),
      { numRuns: 400 },
    );
  });
});
