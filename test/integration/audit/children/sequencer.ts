// Crash-test sequencer: leads, sequences small batches, and on its third batch stops just before COMMIT
// (after every write of the batch), announcing "MID_BATCH <size>" so the parent can SIGKILL it there.
import pino from 'pino';
import { createSequencer } from '../../../../server/audit/sequencer.js';
import { createDb } from '../../../../server/db/db.js';

const db = createDb({ url: process.argv[2]!, poolMax: 3, statementTimeoutMs: 15000 });
let batches = 0;
const sequencer = createSequencer({
  db,
  logger: pino({ level: 'silent' }),
  intervalMs: 50,
  batchSize: 40,
  hooks: {
    beforeCommit: async (batch) => {
      batches++;
      process.stdout.write(`BATCH ${batch.head.size}\n`);
      if (batches === 3) {
        process.stdout.write(`MID_BATCH ${batch.head.size}\n`);
        await new Promise(() => undefined);
      }
    },
  },
});
sequencer.start();
