import { expect } from 'chai';
import knex from 'knex';
import { statementShapes } from '../../../server/db/statement-shapes.js';

// The oracle is knex itself, building the same statement with the real values on every call.
const db = knex({ client: 'pg' });

function build(values: { subject: string; org?: string; since?: Date; limit: number }) {
  const q = db('audit_entry').where('subject_key', values.subject);
  if (values.org !== undefined) q.andWhere('requester_org', values.org);
  if (values.since !== undefined) q.andWhere('created_at', '>=', values.since);
  return q.orderBy('entry_id', 'desc').limit(values.limit).toSQL().toNative();
}

describe('statement shapes: a knex statement built once per shape', () => {
  const shaped = statementShapes<null>((slot, _ctx, shape) =>
    build({
      subject: slot.value('subject'),
      ...(shape[0] === '1' ? { org: slot.value('org') } : {}),
      ...(shape[1] === '1' ? { since: slot.value('since') as unknown as Date } : {}),
      limit: slot.number('limit'),
    }),
  );

  it('gives the SQL and bindings knex gives for the same values, whatever the shape', () => {
    const cases = [
      { subject: 's1', limit: 5 },
      { subject: 's2', org: 'org-a', limit: 7 },
      { subject: 's3', since: new Date('2026-01-01T00:00:00Z'), limit: 3 },
      { subject: 's4', org: 'org-b', since: new Date('2026-02-01T00:00:00Z'), limit: 50 },
      { subject: 's5', org: 'org-c', limit: 9 },
    ];
    for (const values of cases) {
      const shape = `${values.org === undefined ? 0 : 1}${values.since === undefined ? 0 : 1}`;
      expect(shaped(null, shape, values), JSON.stringify(values)).to.deep.equal(build(values));
    }
  });

  it('refuses a statement with a parameter it has no slot for, and a call missing a value', () => {
    const constant = statementShapes<null>(() => db('t').where('a', 'constant').toSQL().toNative());
    expect(() => constant(null, 'x', {})).to.throw(/without a slot \(constant\)/);
    expect(() => shaped(null, '11', { subject: 's', since: new Date(), limit: 1 })).to.throw(
      /no value for org/,
    );
  });
});
