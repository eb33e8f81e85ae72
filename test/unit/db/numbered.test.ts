import { expect } from 'chai';
import knex from 'knex';
import { numbered } from '../../../server/db/prepared.js';

// knex itself is the oracle: numbered() must give what db.raw(sql, bindings).toSQL().toNative() gives.
const db = knex({ client: 'pg' });
const knexNative = (sql: string, bindings: unknown[]) =>
  db
    .raw(sql, bindings as never)
    .toSQL()
    .toNative() as { sql: string; bindings: unknown[] };

describe('numbered(): knex parameters numbered once per statement text', () => {
  const cases: [string, unknown[]][] = [
    ['SELECT 1', []],
    ['SELECT ?::int + ?', [1, 2]],
    [
      `WITH guard AS (UPDATE consent SET use_count = use_count + ? WHERE id = ? RETURNING id)
       INSERT INTO t (a, b) SELECT * FROM unnest(?::text[], ?::timestamptz[])`,
      [1, 'c-1', ['a', 'b'], [new Date(0), new Date(1)]],
    ],
    ['SELECT set_config(?, ?, true), ?::jsonb', ['synchronous_commit', 'on', '{"a":1}']],
  ];
  for (const [sql, bindings] of cases) {
    it(`matches knex for ${sql.slice(0, 40).replace(/\s+/g, ' ')}`, () => {
      const mine = numbered(sql, bindings);
      const theirs = knexNative(sql, bindings);
      expect(mine.sql).to.equal(theirs.sql);
      expect(mine.bindings).to.deep.equal(theirs.bindings);
      // Second call: from the memo, same answer.
      expect(numbered(sql, bindings).sql).to.equal(theirs.sql);
    });
  }

  it('refuses a binding count that does not match the statement, as knex does', () => {
    expect(() => numbered('SELECT ?, ?', [1])).to.throw(/expected 2 bindings/);
    expect(() => knexNative('SELECT ?, ?', [1])).to.throw();
  });

  it('refuses undefined bindings and knex-only syntax', () => {
    expect(() => numbered('SELECT ?', [undefined])).to.throw(/undefined binding/);
    expect(() => numbered('SELECT ?? FROM t', ['a'])).to.throw(/knex-only/);
  });
});
