import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBase64, toBase64 } from '../../../server/audit/bytes.js';
import { leafHash } from '../../../server/audit/merkle.js';
import { verifyPublicLog } from '../../../server/audit/public-verifier.js';
import { parsePolicy, type WitnessPolicy } from '../../../server/audit/witness-policy.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { entryFor, subjectOf } from './helpers.js';

const CLI = fileURLToPath(new URL('../../../server/cli/audit-verify.ts', import.meta.url));

describe('audit log: verifier from public data (npm run audit:verify)', function () {
  this.timeout(30_000);
  let t: TestApp;
  let server: Server;
  let base: string;
  let logKey: string;
  let policy: WitnessPolicy;

  async function grow(n: number): Promise<void> {
    const { service, sequencer, checkpointer } = t.composition.audit;
    for (let i = 0; i < n; i++) await service.append(entryFor(subjectOf(String(i % 4))));
    await sequencer.runOnce();
    await checkpointer.publish(true);
  }

  before(async () => {
    t = await buildTestApp();
    server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await grow(37);
    // The test plays the verifier's owner: it pins the key once, out of band, in its policy.
    logKey = (await (await fetch(`${base}/v1/log/key`)).text()).split('\n')[0]!;
    policy = parsePolicy(`log ${logKey}\nquorum none\n`);
  });
  after(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('verifies checkpoint, leaves and root, then consistency with the checkpoint saved before', async () => {
    const first = await verifyPublicLog(base, { policy, pageSize: 10 });
    expect(first).to.include({ ok: true, size: 37, logKey });
    await grow(20);
    const second = await verifyPublicLog(base, {
      policy,
      previousCheckpoint: first.checkpoint!,
      pageSize: 16,
    });
    expect(second.problems).to.deep.equal([]);
    expect(second).to.include({ ok: true, size: 57 });
  });

  it('reports a leaf served with a wrong hash at its index, and a rewritten leaf as a root mismatch', async () => {
    const forge =
      (mutate: (e: { index: number; leaf: string; leafHash: string }) => void) => async (url: string) => {
        const res = await fetch(url);
        if (!url.includes('/v1/log/entries')) return res;
        const body = (await res.json()) as { entries: { index: number; leaf: string; leafHash: string }[] };
        body.entries.forEach(mutate);
        return new Response(JSON.stringify(body), { status: 200 });
      };
    const wrongHash = await verifyPublicLog(base, {
      policy,
      fetch: forge((e) => {
        if (e.index === 12) e.leafHash = 'A'.repeat(43) + '=';
      }),
    });
    expect(wrongHash).to.include({ ok: false, firstBadIndex: 12 });
    const rewritten = await verifyPublicLog(base, {
      policy,
      fetch: forge((e) => {
        if (e.index === 30) {
          e.leaf = 'B'.repeat(42) + 'A=';
          e.leafHash = toBase64(leafHash(fromBase64(e.leaf)));
        }
      }),
    });
    expect(rewritten.ok).to.equal(false);
    expect(rewritten.problems).to.deep.equal(['the served leaves do not hash to the checkpoint root']);
  });

  it('runs as a CLI that saves the checkpoint and exits non-zero on failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'juc-verify-'));
    const state = join(dir, 'checkpoint.txt');
    const policyFile = join(dir, 'policy.txt');
    writeFileSync(policyFile, `log ${logKey}\nquorum none\n`);
    const otherPolicy = join(dir, 'other.txt');
    writeFileSync(otherPolicy, `log ${logKey.replace(/^[^+]+/, 'other')}\nquorum none\n`);
    // Async: the server under test lives in this process, so a blocking spawn would deadlock.
    const run = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 20_000 });
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        proc.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const ok = await run('--url', base, '--policy', policyFile, '--state', state);
    expect(ok.status, ok.stderr).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.include({ ok: true });
    expect(readFileSync(state, 'utf8')).to.match(/^joint-use-center\.localhost\/audit\/v1\n\d+\n/);
    const again = await run('--url', base, '--policy', policyFile, '--state', state);
    expect(again.status).to.equal(0);
    expect(JSON.parse(again.stdout)).to.include({ consistentWithSaved: true });
    expect((await run('--url', base, '--policy', otherPolicy)).status).to.equal(1);
    // No policy, no verification: the log key is never taken from the log itself.
    expect((await run('--url', base)).status).to.equal(2);
    expect((await run()).status).to.equal(2);
  });
});
