import { expect } from 'chai';
import { preparedQuery } from '../../../server/db/prepared.js';
import { freshDatabase } from '../../support/database.js';

describe('prepared statements on pooled connections', () => {
  it('prepares each statement text once per connection under its own name, and reuses it', async () => {
    const { db } = await freshDatabase({ migrate: false, poolMax: 1 });
    const double = { sql: 'SELECT $1::int * 2 AS n', bindings: [21] };
    const triple = { sql: 'SELECT $1::int * 3 AS n', bindings: [5] };
    expect(await preparedQuery(db, double)).to.deep.equal([{ n: 42 }]);
    expect(await preparedQuery(db, { ...double, bindings: [4] })).to.deep.equal([{ n: 8 }]);
    expect(await preparedQuery(db, triple)).to.deep.equal([{ n: 15 }]);
    // The one pooled connection holds both, each prepared once (a second PREPARE would have failed).
    const prepared = (
      await db.raw<{ rows: { name: string; statement: string }[] }>(
        'SELECT name, statement FROM pg_prepared_statements ORDER BY statement',
      )
    ).rows;
    expect(prepared.map((p) => p.statement)).to.deep.equal([double.sql, triple.sql]);
    expect(new Set(prepared.map((p) => p.name)).size).to.equal(2);
    expect(prepared.every((p) => /^juc_[A-Za-z0-9_-]{24}$/.test(p.name))).to.equal(true);
  });

  it('passes errors through and returns the connection to the pool', async () => {
    const { db } = await freshDatabase({ migrate: false, poolMax: 1 });
    let error: unknown;
    try {
      await preparedQuery(db, { sql: 'SELECT 1 / $1::int AS n', bindings: [0] });
    } catch (err) {
      error = err;
    }
    expect((error as { code?: string }).code).to.equal('22012'); // division_by_zero
    expect(await preparedQuery(db, { sql: 'SELECT 1 / $1::int AS n', bindings: [1] })).to.deep.equal([
      { n: 1 },
    ]);
  });
});
