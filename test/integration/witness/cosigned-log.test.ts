import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519Signer, signCheckpoint, vkeyFor } from '../../../server/audit/checkpoint.js';
import { parseCheckpoint, parseNote } from '../../../server/audit/note.js';
import { verifyPublicLog } from '../../../server/audit/public-verifier.js';
import { httpWitnessFromConfig } from '../../../server/audit/witness-client.js';
import { parsePolicy } from '../../../server/audit/witness-policy.js';
import { FileKeyStore } from '../../../server/keys/file-key-store.js';
import { startWitness, type RunningWitness } from '../../../server/witness/server.js';
import { buildTestApp, testConfig, type TestApp } from '../../support/app.js';
import { entryFor, subjectOf } from '../audit/helpers.js';

const CLI = fileURLToPath(new URL('../../../server/cli/audit-verify.ts', import.meta.url));

describe('witness: the checkpointer with two witness listeners, checked by audit:verify', function () {
  this.timeout(60_000);
  let t: TestApp;
  let server: Server;
  let base: string;
  let keys: FileKeyStore;
  let origin: string;
  let logVkey: string;
  const dirs = { a: '', b: '' };
  const witnesses: Record<'a' | 'b', RunningWitness> = {} as never;
  let policyText: string;

  const startW = async (label: 'a' | 'b', port = 0) => {
    witnesses[label] = await startWitness({
      name: `witness-${label}.test`,
      dataDir: dirs[label],
      logKeys: [logVkey],
      port,
    });
  };

  async function grow(n: number): Promise<number> {
    const { service, sequencer, checkpointer } = t.composition.audit;
    for (let i = 0; i < n; i++) await service.append(entryFor(subjectOf(String(i % 5))));
    await sequencer.runOnce();
    return (await checkpointer.publish(true))!;
  }

  const rows = async () =>
    (await t.database.db('checkpoint').orderBy('id')) as {
      size: string;
      note: string;
      cosigned_by: string[];
    }[];

  before(async () => {
    const config = testConfig();
    origin = config.audit.logOrigin;
    keys = await FileKeyStore.open({ dir: config.keyStoreDir, allowGenerate: true });
    logVkey = vkeyFor(origin, keys.current('checkpoint').publicKey);
    dirs.a = mkdtempSync(join(tmpdir(), 'juc-wa-'));
    dirs.b = mkdtempSync(join(tmpdir(), 'juc-wb-'));
    await startW('a');
    await startW('b');
    const list = (['a', 'b'] as const).map((l) => ({
      name: witnesses[l].name,
      url: witnesses[l].url,
      publicKey: witnesses[l].vkey,
    }));
    t = await buildTestApp({ env: { WITNESSES: JSON.stringify(list) } });
    server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    policyText = [
      `log ${logVkey}`,
      `witness A ${witnesses.a.vkey} ${witnesses.a.url}`,
      `witness B ${witnesses.b.vkey} ${witnesses.b.url}`,
      'group both 2 A B',
      'quorum both',
      '',
    ].join('\n');
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await witnesses.a?.stop();
    await witnesses.b?.stop();
  });

  it('gets every checkpoint cosigned by both witnesses, and a 2-of-2 audit:verify passes', async () => {
    const sizes: number[] = [];
    for (const n of [1, 6, 3, 0, 17, 2, 40, 9]) sizes.push(await grow(n));
    expect(sizes).to.deep.equal([1, 7, 10, 10, 27, 29, 69, 78]);
    const published = await rows();
    expect(published.map((r) => r.cosigned_by)).to.deep.equal(
      sizes.map(() => ['witness-a.test', 'witness-b.test']),
    );
    for (const r of published) {
      expect(parseNote(r.note).signatures.map((s) => s.name)).to.deep.equal([
        origin,
        'witness-a.test',
        'witness-b.test',
      ]);
    }
    const report = await verifyPublicLog(base, { policy: parsePolicy(policyText) });
    expect(report.problems).to.deep.equal([]);
    expect(report).to.deep.include({ ok: true, size: 78, cosignedBy: ['A', 'B'] });
  });

  it('flags missing cosignatures when a witness is down, and both cosign again after it returns', async () => {
    await witnesses.b.stop();
    await grow(4);
    const last = (await rows()).at(-1)!;
    expect(last.cosigned_by).to.deep.equal(['witness-a.test']);
    const report = await verifyPublicLog(base, { policy: parsePolicy(policyText) });
    expect(report.ok).to.equal(false);
    expect(report.problems[0]).to.match(/^checkpoint: quorum_not_met \(cosigned by A; /);
    expect(report.problems.some((p) => p.startsWith('witness B: unreachable'))).to.equal(true);
    // The leaves themselves were still checked against the log's signature.
    expect(report.size).to.equal(82);

    // Back on its port, from its own folder: same key, same memory.
    await startW('b', Number(new URL(witnesses.b.url).port));
    await grow(1);
    expect((await rows()).at(-1)!.cosigned_by).to.deep.equal(['witness-a.test', 'witness-b.test']);
    expect((await verifyPublicLog(base, { policy: parsePolicy(policyText) })).ok).to.equal(true);
  });

  it('a split view signed with the real log key is refused by both witnesses and flagged by the verifier', async () => {
    const honest = (await rows()).at(-1)!.note;
    const { size } = parseCheckpoint(parseNote(honest).text);
    expect(size).to.equal(83);
    const forgedRoot = new Uint8Array(32).fill(7);
    const forged = await signCheckpoint({ origin, size, rootHash: forgedRoot }, [
      ed25519Signer(origin, keys.current('checkpoint')),
    ]);
    for (const w of [witnesses.a, witnesses.b]) {
      const client = httpWitnessFromConfig({ url: w.url, publicKey: w.vkey });
      const answer = await client.cosign(forged, async () => []);
      expect(answer).to.deep.include({ status: 422 });
    }

    // The dishonest log shows one verifier the forged view.
    const serving =
      (note: string) =>
      async (url: string): Promise<Response> =>
        url.endsWith('/v1/log/checkpoint') ? new Response(note) : fetch(url);
    const policy = parsePolicy(policyText);
    const bare = await verifyPublicLog(base, { policy, fetch: serving(forged) });
    expect(bare.ok).to.equal(false);
    expect(bare.problems[0]).to.match(/^checkpoint: quorum_not_met \(cosigned by no witness; /);
    expect(bare.problems.filter((p) => p.startsWith('split view:'))).to.have.length(2);

    // Copying the honest cosignatures onto it does not help: they do not verify over another root.
    const honestLines = honest
      .slice(parseNote(honest).text.length + 1)
      .split('\n')
      .slice(1)
      .join('\n');
    const dressed = await verifyPublicLog(base, { policy, fetch: serving(`${forged}${honestLines}`) });
    expect(dressed.problems[0]).to.match(/^checkpoint: checkpoint_signature_invalid/);

    // A verifier without witness URLs still catches it against the checkpoint it saved before.
    const offline = parsePolicy(policyText.replace(/ http:\/\/\S+/g, ''));
    const saved = await verifyPublicLog(base, {
      policy: offline,
      previousCheckpoint: honest,
      fetch: serving(forged),
    });
    expect(saved.problems).to.include('consistency with the saved checkpoint: checkpoint_fork');
  });

  it('runs as the CLI with a 2-of-2 policy file, and exits 1 when the quorum asks for a witness that did not cosign', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'juc-verify-w-'));
    const good = join(dir, 'policy.txt');
    writeFileSync(good, policyText);
    const stranger = await startWitness({
      name: 'witness-c.test',
      dataDir: join(dir, 'c'),
      logKeys: [logVkey],
    });
    await stranger.stop();
    const strict = join(dir, 'strict.txt');
    writeFileSync(
      strict,
      policyText.replace('group both 2 A B', `witness C ${stranger.vkey}\ngroup both 3 A B C`),
    );
    const run = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 20_000 });
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        proc.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const ok = await run('--url', base, '--policy', good);
    expect(ok.status, ok.stderr + ok.stdout).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.deep.include({ ok: true, cosignedBy: ['A', 'B'] });
    const short = await run('--url', base, '--policy', strict);
    expect(short.status).to.equal(1);
    expect((JSON.parse(short.stdout) as { problems: string[] }).problems[0]).to.match(/quorum_not_met/);
  });
});
