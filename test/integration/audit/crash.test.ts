import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { verifyDatabase } from '../../../server/audit/db-verifier.js';
import { createSequencer } from '../../../server/audit/sequencer.js';
import { freshDatabase } from '../../support/database.js';

function child(
  script: string,
  url: string,
): { proc: ChildProcess; lines: string[]; waitFor(re: RegExp): Promise<string> } {
  const path = fileURLToPath(new URL(`./children/${script}`, import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', path, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  let buffer = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters])
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  return {
    proc,
    lines,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const found = lines.find((l) => re.test(l));
        if (found) return resolve(found);
        waiters.push({ re, resolve });
        proc.once('exit', () => reject(new Error(`${script} exited before ${re}`)));
      }),
  };
}

const exited = (proc: ChildProcess) =>
  new Promise<void>((resolve) =>
    proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve()),
  );

describe('audit log: sequencer killed mid-batch while two gateways append', function () {
  this.timeout(30_000);

  it('loses nothing, duplicates nothing, leaves no gap, and verifies after restart', async () => {
    const { db, url } = await freshDatabase();
    const gateways = [child('appender.ts', url), child('appender.ts', url)];
    await Promise.all(gateways.map((g) => g.waitFor(/^C /)));
    const sequencer = child('sequencer.ts', url);
    const mid = await sequencer.waitFor(/^MID_BATCH /);
    const sizeAtKill = Number(mid.split(' ')[1]);
    sequencer.proc.kill('SIGKILL');
    await exited(sequencer.proc);

    // The half-written batch is gone: no head, leaf or node of it survived.
    const head = (await db('tree_head').max({ size: 'size' }).first()) as { size: number };
    expect(head.size).to.be.lessThan(sizeAtKill);
    expect(await db('log_leaf').count({ n: '*' }).first()).to.deep.equal({ n: head.size });

    // Gateways keep appending for a while with no sequencer, then stop.
    await new Promise((r) => setTimeout(r, 400));
    for (const g of gateways) g.proc.kill('SIGTERM');
    await Promise.all(gateways.map((g) => exited(g.proc)));
    const committed = gateways.flatMap((g) =>
      g.lines.filter((l) => l.startsWith('C ')).map((l) => Number(l.slice(2))),
    );
    expect(committed.length).to.be.greaterThan(sizeAtKill);

    // Restart: a new sequencer drains the queue.
    const restarted = createSequencer({
      db,
      logger: pino({ level: 'silent' }),
      intervalMs: 20,
      batchSize: 500,
    });
    await restarted.runOnce();

    const entries = Number(((await db('audit_entry').count({ n: '*' }).first()) as { n: number }).n);
    const indices = (await db('log_leaf').orderBy('idx').pluck('idx')) as number[];
    expect(indices).to.deep.equal([...Array(entries).keys()]);
    const sequenced = (await db('log_leaf').pluck('entry_id')) as number[];
    const once = new Map<number, number>();
    for (const id of sequenced) once.set(id, (once.get(id) ?? 0) + 1);
    for (const id of committed) expect(once.get(id), `entry ${id}`).to.equal(1);
    expect(await db('audit_queue').count({ n: '*' }).first()).to.deep.equal({ n: 0 });

    const seqGaps = await db.raw<{ rows: unknown[] }>(
      `SELECT subject_key FROM subject_index GROUP BY subject_key HAVING max(subject_seq) <> count(*)`,
    );
    expect(seqGaps.rows).to.deep.equal([]);
    const report = await verifyDatabase(db);
    expect(report.ok, report.problems.join('; ')).to.equal(true);
    expect(report.size).to.equal(entries);
  });
});
