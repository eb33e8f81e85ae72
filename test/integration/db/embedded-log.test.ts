import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../../server/db/embedded.js';

describe('embedded PostgreSQL: its server log', function () {
  this.timeout(60_000);

  it('hands every whole log line to serverLog, after start-up too', async () => {
    const lines: string[] = [];
    const db = await startEmbeddedPostgres({
      dataDir: join(mkdtempSync(join(tmpdir(), 'juc-embedded-log-')), 'pg'),
      persistent: false,
      settings: { log_min_duration_statement: '0' },
      serverLog: (line) => lines.push(line),
    });
    try {
      expect(lines.some((l) => l.includes('database system is ready to accept connections'))).to.equal(true);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query(`SELECT 'marker-' || 42 AS m`);
      await client.end();
      const deadline = Date.now() + 5000;
      while (!lines.some((l) => l.includes(`'marker-' || 42`)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const logged = lines.find((l) => l.includes(`'marker-' || 42`));
      expect(logged, 'the statement, logged after start-up').to.match(/duration: [0-9.]+ ms +statement:/);
      // Whole lines: none starts in the middle of a PostgreSQL log line.
      expect(lines.every((l) => /^\S/.test(l))).to.equal(true);
    } finally {
      await db.stop();
    }
  });
});
