// Crash-test gateway: appends entries until SIGTERM, printing "C <entryId>" after each commit.
import { knexAuditRepo } from '../../../../server/audit/audit.repo.js';
import { createAuditService } from '../../../../server/audit/audit.service.js';
import { createDb } from '../../../../server/db/db.js';
import { entryFor, subjectOf } from '../helpers.js';

const db = createDb({ url: process.argv[2]!, poolMax: 4, statementTimeoutMs: 15000 });
const audit = createAuditService({ repo: knexAuditRepo(db), logKeys: () => [] });
let stopping = false;
process.on('SIGTERM', () => (stopping = true));
const subjects = ['A', 'B', 'C', 'D', 'E'].map(subjectOf);

async function worker(w: number): Promise<void> {
  for (let i = 0; !stopping; i++) {
    const batch = i % 5 === 0 ? 3 : 1;
    const receipts = await audit.appendMany(
      Array.from({ length: batch }, (_, k) => entryFor(subjects[(i + k + w) % subjects.length]!)),
    );
    process.stdout.write(receipts.map((r) => `C ${r.entryId}\n`).join(''));
  }
}

await Promise.all([0, 1, 2].map(worker));
await db.destroy();
process.stdout.write('DONE\n');
