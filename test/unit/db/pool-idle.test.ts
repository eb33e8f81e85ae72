import { expect } from 'chai';
import { createDb } from '../../../server/db/db.js';
import { loadConfig } from '../../../server/config.js';

describe('database pool: how long an idle connection stays', () => {
  it('keeps the configured idle time (DB_POOL_IDLE_MS, 5 minutes by default), 30 s without one', async () => {
    const idleOf = (db: ReturnType<typeof createDb>) =>
      (db.client.pool as { idleTimeoutMillis: number }).idleTimeoutMillis;
    const url = 'postgres://nobody@127.0.0.1:1/none';
    const configured = createDb({ url, poolMax: 2, statementTimeoutMs: 1000, poolIdleMs: 123_000 });
    const plain = createDb({ url, poolMax: 2, statementTimeoutMs: 1000 });
    try {
      expect(idleOf(configured)).to.equal(123_000);
      expect(idleOf(plain)).to.equal(30_000);
      expect(loadConfig({}).db.poolIdleMs).to.equal(300_000);
      expect(loadConfig({ DB_POOL_IDLE_MS: '60000' }).db.poolIdleMs).to.equal(60_000);
      expect(() => loadConfig({ DB_POOL_IDLE_MS: '10' })).to.throw(/DB_POOL_IDLE_MS/);
    } finally {
      await configured.destroy();
      await plain.destroy();
    }
  });
});
