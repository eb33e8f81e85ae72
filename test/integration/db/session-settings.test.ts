import { expect } from 'chai';
import { freshDatabase } from '../../support/database.js';

describe('database sessions: settings every connection of the service starts with', () => {
  it('runs without JIT and with the statement timeout, whatever the server defaults are', async () => {
    const { db } = await freshDatabase({ migrate: false });
    // PostgreSQL's own default is jit = on (since 12): this is the connection option at work.
    const { rows } = await db.raw<{ rows: { jit: string; statement_timeout: string }[] }>(
      "SELECT current_setting('jit') AS jit, current_setting('statement_timeout') AS statement_timeout",
    );
    expect(rows[0]).to.deep.equal({ jit: 'off', statement_timeout: '15s' });
  });
});
