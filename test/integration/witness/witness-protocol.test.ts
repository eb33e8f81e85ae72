import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toBase64, utf8 } from '../../../server/audit/bytes.js';
import { ed25519Signer, signCheckpoint, vkeyFor } from '../../../server/audit/checkpoint.js';
import { consistencyProof, leafHash, rootFromLeafHashes } from '../../../server/audit/merkle.js';
import { parseNote } from '../../../server/audit/note.js';
import { checkCheckpoint } from '../../../server/audit/verifier.js';
import { startWitness, type RunningWitness } from '../../../server/witness/server.js';

const ORIGIN = 'log.example/protocol-test';
const WITNESS = 'witness.example/protocol-test';
const NOW = 1_765_000_000;

const logKey = generateKeyPairSync('ed25519').privateKey;
const logVkey = vkeyFor(ORIGIN, logKey);
const leaves = Array.from({ length: 20 }, (_, i) => leafHash(utf8(`entry ${i}`)));

async function checkpointNote(size: number, root = rootFromLeafHashes(leaves.slice(0, size)), key = logKey) {
  return signCheckpoint({ origin: ORIGIN, size, rootHash: root }, [ed25519Signer(ORIGIN, key)]);
}

function body(old: number, proof: Uint8Array[], note: string): string {
  return `old ${old}\n${proof.map((p) => `${toBase64(p)}\n`).join('')}\n${note}`;
}

async function post(w: RunningWitness, text: string) {
  const res = await fetch(new URL('add-checkpoint', w.url), { method: 'POST', body: text });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('witness: C2SP tlog-witness add-checkpoint over HTTP', function () {
  this.timeout(30_000);
  let dir: string;
  let witness: RunningWitness;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'juc-witness-'));
    witness = await startWitness({ name: WITNESS, dataDir: dir, logKeys: [logVkey], now: () => NOW });
  });
  after(() => witness?.stop());

  it('cosigns a consistent chain (cosignature/v1 with its timestamp) and answers 409 with the size it knows', async () => {
    const first = await post(witness, body(0, [], await checkpointNote(3)));
    expect(first.status, first.text).to.equal(200);
    expect(first.text).to.match(/^— witness\.example\/protocol-test [A-Za-z0-9+/]+=*\n$/);
    const cosigned = (await checkpointNote(3)) + first.text;
    const checked = await checkCheckpoint(cosigned, { logKey: logVkey, witnessKeys: [witness.vkey] });
    expect(checked.ok).to.equal(true);
    if (checked.ok) {
      expect(checked.signatures.map((s) => [s.name, s.type, s.timestamp])).to.deep.equal([
        [ORIGIN, 0x01, undefined],
        [WITNESS, 0x04, 1_765_000_000],
      ]);
    }

    // A client that thinks the witness has nothing is told the size it has.
    const stale = await post(witness, body(0, [], await checkpointNote(7)));
    expect(stale).to.deep.equal({ status: 409, type: 'text/x.tlog.size', text: '3\n' });

    const second = await post(witness, body(3, consistencyProof(leaves, 3, 7), await checkpointNote(7)));
    expect(second.status, second.text).to.equal(200);
    // The same head again (an idle re-signing) needs no proof and is cosigned again.
    expect((await post(witness, body(7, [], await checkpointNote(7)))).status).to.equal(200);
    const third = await post(witness, body(7, consistencyProof(leaves, 7, 20), await checkpointNote(20)));
    expect(third.status, third.text).to.equal(200);

    const monitor = await fetch(new URL(`${sha256Hex(ORIGIN)}/checkpoint`, witness.url));
    expect(monitor.status).to.equal(200);
    const latest = await monitor.text();
    expect(latest.split('\n').slice(0, 2)).to.deep.equal([ORIGIN, '20']);
    expect(parseNote(latest).signatures.map((s) => s.name)).to.deep.equal([ORIGIN, WITNESS]);
  });

  it('refuses a split view (same size, another root) and a forged proof with 422, and keeps them as evidence', async () => {
    const otherRoot = rootFromLeafHashes([...leaves.slice(0, 19), leafHash(utf8('rewritten'))]);
    const split = await post(witness, body(20, [], await checkpointNote(20, otherRoot)));
    expect(split.status).to.equal(422);
    expect(split.text).to.contain('equal sizes but different roots');

    // A fork that grows: 20 leaves of another history, extended to 24, with the honest proof shape.
    const forked = [...leaves.slice(0, 19), leafHash(utf8('rewritten')), ...leaves.slice(0, 4)];
    const forkedProof = consistencyProof(forked, 20, 24);
    const fork = await post(
      witness,
      body(20, forkedProof, await checkpointNote(24, rootFromLeafHashes(forked))),
    );
    expect(fork.status).to.equal(422);

    const honest = [...leaves, ...leaves.slice(0, 4)];
    const proof = consistencyProof(honest, 20, 24);
    const flipped = proof.map((p, i) => (i === 0 ? Uint8Array.from(p, (b, j) => (j === 0 ? b ^ 1 : b)) : p));
    const forged = await post(
      witness,
      body(20, flipped, await checkpointNote(24, rootFromLeafHashes(honest))),
    );
    expect(forged.status).to.equal(422);

    const evidence = readFileSync(join(dir, 'conflicts.log'), 'utf8').trim().split('\n');
    expect(evidence).to.have.length(3);
    expect(JSON.parse(evidence[0]!)).to.include({ origin: ORIGIN });
    // The refused checkpoints changed nothing: the honest extension is still accepted from 20.
    expect(
      (await post(witness, body(20, proof, await checkpointNote(24, rootFromLeafHashes(honest))))).status,
    ).to.equal(200);
  });

  it('answers 404 for an unknown origin, 403 without a trusted log signature, 400 for old > size', async () => {
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const unknown = await signCheckpoint({ origin: 'other.example/log', size: 1, rootHash: leaves[0]! }, [
      ed25519Signer('other.example/log', stranger),
    ]);
    expect((await post(witness, body(0, [], unknown))).status).to.equal(404);
    // Right origin, wrong key: not the log's signature.
    expect(
      (await post(witness, body(24, [], await checkpointNote(24, undefined, stranger)))).status,
    ).to.equal(403);
    // Right key name and ID but a broken signature.
    const good = await checkpointNote(5);
    const broken = good.replace(
      /(— \S+ [A-Za-z0-9+/]{10})([A-Za-z0-9+/])/,
      // Always a different character (the old check looked at the wrong one: 1 run in 64 changed nothing).
      (_, keep: string, char: string) => `${keep}${char === 'A' ? 'B' : 'A'}`,
    );
    expect((await post(witness, body(24, [], broken))).status).to.equal(403);
    expect((await post(witness, body(30, [], await checkpointNote(24)))).status).to.equal(400);
    expect((await post(witness, 'nonsense')).status).to.equal(400);
  });

  it('keeps its key and its memory across a restart', async () => {
    const vkey = witness.vkey;
    await witness.stop();
    witness = await startWitness({ name: WITNESS, dataDir: dir, logKeys: [logVkey] });
    expect(witness.vkey).to.equal(vkey);
    expect(await post(witness, body(0, [], await checkpointNote(3)))).to.deep.equal({
      status: 409,
      type: 'text/x.tlog.size',
      text: '24\n',
    });
  });

  it('runs as its own process: npm run witness', async () => {
    const data = mkdtempSync(join(tmpdir(), 'juc-witness-cli-'));
    const main = fileURLToPath(new URL('../../../server/witness/main.ts', import.meta.url));
    const proc = spawn(process.execPath, [
      '--import',
      'tsx',
      main,
      '--name',
      'w.example/cli',
      '--log',
      logVkey,
      '--data',
      data,
    ]);
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('vkey ')) resolve(out);
        });
        proc.on('exit', (code) => reject(new Error(`witness exited ${code}`)));
      });
      const url = /listening on (\S+)/.exec(banner)![1]!;
      const vkey = /vkey (\S+)/.exec(banner)![1]!;
      expect(vkey).to.match(/^w\.example\/cli\+[0-9a-f]{8}\+/);
      expect(readFileSync(join(data, 'witness.vkey'), 'utf8')).to.equal(`${vkey}\n`);
      expect(existsSync(join(data, 'witness-key.pem'))).to.equal(true);
      const res = await fetch(new URL('add-checkpoint', url), {
        method: 'POST',
        body: body(0, [], await checkpointNote(2)),
      });
      expect(res.status).to.equal(200);
      const note = (await checkpointNote(2)) + (await res.text());
      expect((await checkCheckpoint(note, { logKey: logVkey, witnessKeys: [vkey] })).ok).to.equal(true);
      const state = JSON.parse(readFileSync(join(data, 'state.json'), 'utf8')) as {
        logs: Record<string, { size: number }>;
      };
      expect(state.logs[ORIGIN]!.size).to.equal(2);
    } finally {
      proc.kill('SIGTERM');
    }
  });
});

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
