// audit:mirror against a real app over HTTP whose checkpoints two real witness listeners cosign: a full
// copy from the tiles verified under a pinned 2-of-2 policy, a second run that catches up and checks the
// folder's checkpoint is still a prefix, an interrupted copy that resumes, and tampered tiles, a forked
// previous checkpoint and a policy the checkpoint does not meet all refused.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { ed25519Signer, signCheckpoint, vkeyFor } from '../../../server/audit/checkpoint.js';
import { mirrorLog } from '../../../server/audit/tiles-mirror.js';
import { parsePolicy, type WitnessPolicy } from '../../../server/audit/witness-policy.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { startWitness, type RunningWitness } from '../../../server/witness/server.js';
import { buildTestApp, testConfig, type TestApp } from '../../support/app.js';
import { entryFor, subjectOf } from '../audit/helpers.js';

const CLI = fileURLToPath(new URL('../../../server/cli/audit-mirror.ts', import.meta.url));

function run(...args: string[]) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Every file under a folder, relative, sorted. */
function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe('audit:mirror: the whole log from its tiles, verified against a cosigned checkpoint', function () {
  this.timeout(120_000);
  let t: TestApp;
  let server: Server;
  let prefix: string;
  let keys: FileKeyStore;
  let origin: string;
  let logVkey: string;
  let policy: WitnessPolicy;
  let policyFile: string;
  const witnesses: RunningWitness[] = [];

  async function growTo(size: number): Promise<void> {
    const { service, sequencer, checkpointer } = t.composition.audit;
    const head = Number((await t.database.db('log_leaf').count({ n: '*' }).first())!.n);
    const subjects = ['m1', 'm2', 'm3', 'm4'].map(subjectOf);
    await service.appendMany([...Array(size - head).keys()].map((i) => entryFor(subjects[i % 4]!)));
    while ((await sequencer.runOnce()) > 0);
    expect(await checkpointer.publish(true)).to.equal(size);
  }

  before(async () => {
    const config = testConfig();
    origin = config.audit.logOrigin;
    keys = await FileKeyStore.open({ dir: config.keyStoreDir, allowGenerate: true });
    logVkey = vkeyFor(origin, keys.current('checkpoint').publicKey);
    for (const label of ['a', 'b']) {
      witnesses.push(
        await startWitness({
          name: `witness-${label}.mirror.test`,
          dataDir: mkdtempSync(join(tmpdir(), `juc-mw${label}-`)),
          logKeys: [logVkey],
          port: 0,
        }),
      );
    }
    const list = witnesses.map((w) => ({ name: w.name, url: w.url, publicKey: w.vkey }));
    t = await buildTestApp({ env: { WITNESSES: JSON.stringify(list) } });
    server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    prefix = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit/v1`;
    const text = [
      `log ${logVkey}`,
      `witness A ${witnesses[0]!.vkey}`,
      `witness B ${witnesses[1]!.vkey}`,
      'group both 2 A B',
      'quorum both',
      '',
    ].join('\n');
    policy = parsePolicy(text);
    policyFile = join(mkdtempSync(join(tmpdir(), 'juc-mirror-policy-')), 'policy.txt');
    writeFileSync(policyFile, text);
    await growTo(300);
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const w of witnesses) await w.stop();
  });

  it('copies 300 entries with the CLI, shows progress, then catches up to 600 and drops the replaced partials', async () => {
    const out = mkdtempSync(join(tmpdir(), 'juc-mirror-'));
    const first = await run('--from', prefix, '--policy', policyFile, '--out', out);
    expect(first.status, first.stderr + first.stdout).to.equal(0);
    expect(first.stderr).to.match(/^tiles 1\/5 \(20 %\)$/m);
    expect(first.stderr).to.match(/^tiles 5\/5 \(100 %\)$/m);
    expect(JSON.parse(first.stdout)).to.deep.include({
      ok: true,
      size: 300,
      previousSize: null,
      cosignedBy: ['A', 'B'],
      fetched: 5,
      reused: 0,
    });
    // 300 = one full tile of 256 and 44 leaves: a level-0 tile and a bundle, each full and partial, and
    // level 1 holding the root of the one full tile (a partial tile of width 1).
    expect(files(out)).to.deep.equal([
      'checkpoint',
      'tile/0/000',
      'tile/0/001.p/44',
      'tile/1/000.p/1',
      'tile/entries/000',
      'tile/entries/001.p/44',
    ]);
    expect(readFileSync(join(out, 'tile/0/000')).length).to.equal(8192);
    expect(readFileSync(join(out, 'tile/entries/001.p/44')).length).to.equal(44 * 34);

    await growTo(600);
    const second = await mirrorLog({ from: prefix, policy, out });
    expect(second).to.deep.include({ ok: true, size: 600, previousSize: 300, fetched: 5, reused: 2 });
    expect(files(out)).to.deep.equal([
      'checkpoint',
      'tile/0/000',
      'tile/0/001',
      'tile/0/002.p/88',
      'tile/1/000.p/2',
      'tile/entries/000',
      'tile/entries/001',
      'tile/entries/002.p/88',
    ]);
    expect(readFileSync(join(out, 'checkpoint'), 'utf8').split('\n')[1]).to.equal('600');
  });

  it('resumes an interrupted copy from the tiles it already has', async () => {
    const out = mkdtempSync(join(tmpdir(), 'juc-mirror-resume-'));
    let requests = 0;
    const flaky = (url: string) => {
      if (++requests > 4) return Promise.reject(new Error('connection reset'));
      return fetch(url);
    };
    let error: unknown;
    await mirrorLog({ from: prefix, policy, out, fetch: flaky }).catch((err: unknown) => (error = err));
    expect((error as Error).message).to.equal('connection reset');
    expect(existsSync(join(out, 'checkpoint'))).to.equal(false);
    expect(files(out)).to.deep.equal(['tile/0/000', 'tile/0/001', 'tile/entries/000']);
    const resumed = await mirrorLog({ from: prefix, policy, out });
    expect(resumed).to.deep.include({ ok: true, size: 600, fetched: 4, reused: 3 });
  });

  /** A fetch that hands `edit` the bytes of one path and passes everything else through. */
  const tampering =
    (path: string, edit: (bytes: Uint8Array) => void) =>
    async (url: string): Promise<Response> => {
      const res = await fetch(url);
      if (!url.endsWith(`/audit/v1/${path}`)) return res;
      const bytes = new Uint8Array(await res.arrayBuffer());
      edit(bytes);
      return new Response(bytes, { status: 200 });
    };

  it('refuses a tampered level-0 tile, a tampered level-1 tile and a rewritten leaf, and keeps none of them', async () => {
    const flip = (at: number) => (b: Uint8Array) => void (b[at] = b[at]! ^ 0x01);
    for (const [path, edit, problem] of [
      ['tile/0/001', flip(100), /entry 259 does not hash to tile\/0\/001$/],
      ['tile/1/000.p/2', flip(40), /^tile\/1\/000.p\/2: hash 1 is not the root of the tile below$/],
      ['tile/0/002.p/88', (b: Uint8Array) => b.fill(7, 0, 32), /entry 512 does not hash/],
    ] as const) {
      const out = mkdtempSync(join(tmpdir(), 'juc-mirror-tamper-'));
      const report = await mirrorLog({ from: prefix, policy, out, fetch: tampering(path, edit) });
      expect(report.ok, path).to.equal(false);
      expect(report.problems[0], path).to.match(problem);
      expect(files(out), path).to.deep.equal([]);
    }
  });

  it('refuses a leaf rewritten in both the bundle and the tile: the root is not the checkpoint root', async () => {
    // The forger keeps bundle and tile in step (leaf 5 replaced, its hash recomputed) but cannot re-sign.
    const forged = new Uint8Array(32).fill(0xab);
    const forgedHash = createHash('sha256').update(Uint8Array.of(0)).update(forged).digest();
    const fetchForged = async (url: string): Promise<Response> => {
      const res = await fetch(url);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (url.endsWith('/audit/v1/tile/entries/000')) bytes.set(forged, 5 * 34 + 2);
      if (url.endsWith('/audit/v1/tile/0/000')) bytes.set(forgedHash, 5 * 32);
      return new Response(bytes, { status: res.status });
    };
    const out = mkdtempSync(join(tmpdir(), 'juc-mirror-forged-'));
    const report = await mirrorLog({ from: prefix, policy, out, fetch: fetchForged });
    expect(report.ok).to.equal(false);
    expect(report.problems[0]).to.match(/^the leaves' root .* is not the checkpoint's /);
    expect(files(out)).to.deep.equal([]);
  });

  it("refuses a log that does not extend the folder's checkpoint, and a checkpoint short of the quorum", async () => {
    const out = mkdtempSync(join(tmpdir(), 'juc-mirror-fork-'));
    // A checkpoint the log key signed for size 300 with another root (a fork), trusted without witnesses.
    const fork = await signCheckpoint({ origin, size: 300, rootHash: new Uint8Array(32).fill(1) }, [
      ed25519Signer(origin, keys.current('checkpoint')),
    ]);
    writeFileSync(join(out, 'checkpoint'), fork);
    const lenient = parsePolicy(`log ${logVkey}\nquorum none\n`);
    const report = await mirrorLog({ from: prefix, policy: lenient, out });
    expect(report).to.deep.include({ ok: false, previousSize: 300 });
    expect(report.problems).to.deep.equal([
      'not consistent with the previous checkpoint: the root at size 300 differs',
    ]);
    // The 2-of-2 policy plus a third witness that never cosigned: the quorum is not met.
    const third = await startWitness({
      name: 'witness-c.mirror.test',
      dataDir: mkdtempSync(join(tmpdir(), 'juc-mwc-')),
      logKeys: [logVkey],
    });
    await third.stop();
    const stranger = parsePolicy(
      `log ${logVkey}\nwitness A ${witnesses[0]!.vkey}\nwitness B ${witnesses[1]!.vkey}\n` +
        `witness C ${third.vkey}\ngroup all 3 A B C\nquorum all\n`,
    );
    const short = await mirrorLog({
      from: prefix,
      policy: stranger,
      out: mkdtempSync(join(tmpdir(), 'juc-m-')),
    });
    expect(short.ok).to.equal(false);
    expect(short.problems[0]).to.match(/^checkpoint: quorum_not_met/);
  });
});
