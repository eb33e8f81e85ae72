/**
 * docs/log-formats.md is enough to verify the log from outside: the verifier in log-formats-verifier.ts was
 * written from that document alone (node:crypto; nothing from server/audit), and here it checks the
 * document's own worked example, the RFC 6962 vectors, and what the real application serves after real
 * queries.
 */
import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { buildTestApp, asPrincipal, principalFromTestHeader, type TestApp } from '../support/app.js';
import { freshDatabase } from '../support/database.js';
import { startTestRegistry } from '../support/registry.js';
import { consistencyVectors, inclusionVectors, STANDARD_LEAVES } from '../unit/audit/fixtures.js';
import {
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  citizen,
  decideOnScreen,
  mortgageRequest,
  seedConsentWorld,
} from './consents/consent-fixtures.js';
import {
  b64,
  chainProblems,
  committedValue,
  consistencySteps,
  entryDigest,
  hex,
  jcs,
  leafHash,
  leafValue,
  mth,
  nodeHash,
  openCheckpoint,
  parseVkey,
  preimage,
  sha256,
  utf8,
  verifyInclusion,
  type AccessLogPage,
  type ServedEntry,
  type Vkey,
} from './log-formats-verifier.js';

// ---- the document's worked example ------------------------------------------------------------------

const DOC = readFileSync(new URL('../../docs/log-formats.md', import.meta.url), 'utf8');

function example(name: string): string {
  const match = new RegExp(`<!-- example: ${name} -->\\n+\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!match) throw new Error(`docs/log-formats.md has no example "${name}"`);
  return match[1]!;
}
/** `label = hex` lines of an example block. */
function values(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of example(name).trim().split('\n')) {
    const [, label, value] = /^(.+?)\s+=\s+([0-9a-f]+)$/.exec(line) ?? [];
    if (!label || !value) throw new Error(`unreadable line in example ${name}: ${line}`);
    out[label] = value;
  }
  return out;
}
const hashes = (list: string[]) => list.map(b64);

describe('docs/log-formats.md: an outside verifier built from the document alone', function () {
  this.timeout(60_000);

  it('reproduces every value of the worked example, byte for byte', () => {
    const vkey = parseVkey(example('vkey').trim());
    const k = values('key');
    expect(k['name']).to.equal(hex(utf8(vkey.name)));
    expect(k['public key']).to.equal(hex(vkey.publicKey));
    expect(k['keyid input']).to.equal(`${k['name']}0a01${k['public key']}`);
    expect(k['keyid sha256']).to.equal(hex(sha256(Buffer.from(k['keyid input']!, 'hex'))));
    expect(k['key id']).to.equal(vkey.keyId).and.to.equal('c03e04cf');

    const served = JSON.parse(example('access-log-entry')) as ServedEntry;
    expect(example('committed-value').trim()).to.equal(jcs(committedValue(served)));
    expect(example('preimage').replace(/\s/g, '')).to.equal(hex(preimage(served)));
    const v = values('inclusion');
    const leaf = leafValue(served);
    expect(v['leaf value'])
      .to.equal(hex(leaf))
      .and.to.equal(hex(b64(served.leaf)));
    expect(v['leaf hash']).to.equal(hex(leafHash(leaf)));
    const proof = hashes(served.inclusionProof!);
    expect([v['proof 0'], v['proof 1'], v['proof 2']]).to.deep.equal(proof.map(hex));
    const node1 = nodeHash(proof[0]!, leafHash(leaf));
    const node2 = nodeHash(proof[1]!, node1);
    expect([v['node 1'], v['node 2'], v['root']]).to.deep.equal(
      [node1, node2, nodeHash(node2, proof[2]!)].map(hex),
    );
    expect(v['entry digest']).to.equal(hex(sha256(utf8(jcs(served.entry)))));
    const receipt = JSON.parse(example('receipt')) as { digest: string };
    expect(entryDigest(served.entry)).to.equal(receipt.digest);

    const cp = openCheckpoint(example('checkpoint'), vkey);
    expect(cp.size).to.equal(5);
    expect(hex(cp.root)).to.equal(v['root']);
    expect(verifyInclusion(leafHash(leaf), served.index, cp.size, proof, cp.root)).to.equal(true);
    const s = values('signature');
    expect(s['signed text']).to.equal(hex(utf8(cp.text)));
    expect(s['root']).to.equal(hex(cp.root));
    const blob = b64(example('checkpoint').trim().split(' ').at(-1)!);
    expect([s['key id'], s['signature']]).to.deep.equal([hex(blob.subarray(0, 4)), hex(blob.subarray(4))]);

    const old = openCheckpoint(example('checkpoint-3'), vkey);
    const c = values('consistency');
    const cproof = [c['proof 0'], c['proof 1'], c['proof 2'], c['proof 3']].map((h) =>
      Buffer.from(h!, 'hex'),
    );
    const result = consistencySteps(old.size, cp.size, old.root, cp.root, cproof);
    expect(result.ok).to.equal(true);
    expect([c['sr 1'], c['fr 2'], c['sr 2'], c['sr 3']]).to.deep.equal(
      [result.steps[0]!.sr, result.steps[1]!.fr, result.steps[1]!.sr, result.steps[2]!.sr].map(hex),
    );
    expect(hex(result.steps[1]!.fr)).to.equal(hex(old.root));
  });

  it('refuses the worked example once any byte of it is changed', () => {
    const vkey = parseVkey(example('vkey').trim());
    const served = JSON.parse(example('access-log-entry')) as ServedEntry;
    const good = hex(leafValue(served));
    const changed = (mutate: (e: ServedEntry) => void) => {
      const copy = structuredClone(served);
      mutate(copy);
      return hex(leafValue(copy));
    };
    expect(changed((e) => (e.entry.purpose = 'loan.other'))).to.not.equal(good);
    expect(changed((e) => (e.subject.prevIndex = 2))).to.not.equal(good);
    expect(changed((e) => (e.subject.seq = 4))).to.not.equal(good);
    expect(changed((e) => (e.salt = Buffer.alloc(32).toString('base64')))).to.not.equal(good);
    const note = example('checkpoint');
    expect(() => openCheckpoint(note.replace('\n5\n', '\n6\n'), vkey)).to.throw('does not verify');
    const name = vkey.name;
    const key = Buffer.concat([Buffer.of(1), vkey.publicKey]).toString('base64');
    expect(() => parseVkey(`${name}+00000000+${key}`)).to.throw('key ID');
    // Another key under the same name, chosen so that its base64 holds a '+' (about every other key does).
    let stranger = '';
    while (!stranger.split('+').slice(2).join('+').includes('+')) {
      const x = Buffer.from(
        generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!,
        'base64url',
      );
      const id = hex(sha256(utf8(name), Buffer.of(0x0a, 0x01), x).subarray(0, 4));
      stranger = `${name}+${id}+${Buffer.concat([Buffer.of(1), x]).toString('base64')}`;
    }
    expect(() => openCheckpoint(note, parseVkey(stranger))).to.throw('no signature by the log key');
  });

  it('agrees with the RFC 6962 vectors (test/fixtures/merkle)', () => {
    const r = values('rfc6962');
    expect(r['empty tree']).to.equal(hex(mth([])));
    const happy = inclusionVectors().find((x) => x.file === 'inclusion/1/happy-path.json')!;
    expect(r['leaf hash ""'])
      .to.equal(hex(leafHash(Buffer.alloc(0))))
      .and.to.equal(hex(happy.leafHash));
    expect(r['root 8 leaves'])
      .to.equal(hex(mth(STANDARD_LEAVES.map(leafHash))))
      .and.to.equal(hex(happy.root));
    const inclusion = inclusionVectors().map((x) => ({
      file: x.file,
      ok: verifyInclusion(
        Buffer.from(x.leafHash),
        x.leafIdx,
        x.treeSize,
        x.proof.map((p) => Buffer.from(p)),
        Buffer.from(x.root),
      ),
      want: !x.wantErr,
    }));
    const consistency = consistencyVectors().map((x) => ({
      file: x.file,
      ok: consistencySteps(
        x.size1,
        x.size2,
        Buffer.from(x.root1),
        Buffer.from(x.root2),
        x.proof.map((p) => Buffer.from(p)),
      ).ok,
      want: !x.wantErr,
    }));
    expect([inclusion.length, consistency.length]).to.deep.equal([98, 98]);
    expect(inclusion.filter((x) => x.ok !== x.want)).to.deep.equal([]);
    expect(consistency.filter((x) => x.ok !== x.want)).to.deep.equal([]);
    expect(inclusion.filter((x) => x.ok).length + consistency.filter((x) => x.ok).length).to.equal(12);
  });
});

// ---- the real application ---------------------------------------------------------------------------

const RECORDS = [
  { recordType: 'resident.registration-abstract', fields: { required: ['address'], optional: [] } },
  {
    recordType: 'tax.national-payment-certificate',
    fields: { required: ['hasArrears', 'validUntil'], optional: [] },
  },
];

const HOSTILE_PURPOSE = '대출 심사';

describe('docs/log-formats.md: the same verifier against the running application', function () {
  this.timeout(90_000);
  let t: TestApp;
  let savedCheckpoint: string;
  const receipts: { entryId: number; digest: string }[] = [];
  const minjun = () => citizen(t, MINJUN_ID, 'citizen-minjun');
  const get = (path: string) => request(t.app).get(path).expect(200);

  const query = (purpose: string, nationalId: string, records: typeof RECORDS, token: string) =>
    request(t.app)
      .post('/v1/queries')
      .set(...asPrincipal(HANBIT))
      .send({
        purpose,
        subject: { scheme: 'rrn', id: nationalId },
        mode: 'full',
        records: records.map(({ recordType }) => ({ recordType })),
        consent: { token },
      });

  /** A consent approved on the citizen's screen, then a bank query under it: one audit entry per record. */
  async function bankQuery(nationalId: string, sub: string, records: typeof RECORDS): Promise<void> {
    const who = citizen(t, nationalId, sub);
    const created = await request(t.app)
      .post('/v1/consent-requests')
      .set(...asPrincipal(HANBIT))
      .send(mortgageRequest({ subject: { scheme: 'rrn', id: nationalId }, records }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect((await decideOnScreen(t, created.body.id, who, 'approve', [])).status).to.be.oneOf([200, 303]);
    const token = await request(t.app)
      .post(`/v1/consents/${created.body.id}/token`)
      .set(...asPrincipal(HANBIT))
      .expect(200);
    const res = await query('loan.mortgage-screening', nationalId, records, token.body.token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    if (nationalId === MINJUN_ID) receipts.push(...res.body.records.map((r: { audit: never }) => r.audit));
  }

  async function sequenceAndSign(): Promise<void> {
    await t.composition.audit.sequencer.runOnce();
    await t.composition.audit.checkpointer.publish(true);
  }

  before(async () => {
    const database = await freshDatabase();
    const registry = await startTestRegistry(database);
    t = await buildTestApp({ database, registry, authenticate: principalFromTestHeader });
    await seedConsentWorld(t);
    await bankQuery(MINJUN_ID, 'citizen-minjun', RECORDS);
    await bankQuery(SEOYEON_ID, 'citizen-seoyeon', RECORDS.slice(0, 1));
    await sequenceAndSign();
    savedCheckpoint = (await get('/v1/log/checkpoint')).text;
    await bankQuery(MINJUN_ID, 'citizen-minjun', RECORDS);
    // A purpose the bank may not use, sent as free text: refused, and logged by hash and length.
    await query(HOSTILE_PURPOSE, MINJUN_ID, RECORDS.slice(0, 1), 'not a token').expect(403);
    await sequenceAndSign();
  });

  async function logKey(): Promise<Vkey> {
    return parseVkey((await get('/v1/log/key')).text.split('\n')[0]!);
  }

  it('publishes a key whose ID checks out and a checkpoint it signs over the root of the public leaves', async () => {
    const key = await logKey();
    const jwks = (await get('/.well-known/jwks.json')).body as { keys: { alg: string; x?: string }[] };
    expect(jwks.keys.filter((k) => k.alg === 'EdDSA').map((k) => k.x)).to.include(
      key.publicKey.toString('base64url'),
    );
    const cp = openCheckpoint((await get('/v1/log/checkpoint')).text, key);
    expect(cp.size).to.equal(6);
    const bundle = (await get('/v1/log/entries?start=0&count=1000')).body as {
      entries: { index: number; leaf: string; leafHash: string }[];
    };
    expect(bundle.entries.map((e) => e.index)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    for (const e of bundle.entries) expect(hex(leafHash(b64(e.leaf)))).to.equal(hex(b64(e.leafHash)));
    expect(hex(mth(bundle.entries.map((e) => b64(e.leafHash))))).to.equal(hex(cp.root));
  });

  it("rebuilds every leaf of the citizen's history from the access log and proves it under the checkpoint", async () => {
    const key = await logKey();
    const page = (
      await request(t.app)
        .get('/v1/me/access-log?since_size=3')
        .set(...asPrincipal(minjun()))
        .expect(200)
    ).body as AccessLogPage;
    expect(page.logKeys[0]).to.equal(
      `${key.name}+${key.keyId}+${Buffer.concat([Buffer.of(1), key.publicKey]).toString('base64')}`,
    );
    const cp = openCheckpoint(page.checkpoint, key);
    expect([cp.size, page.treeSize, page.nextCursor]).to.deep.equal([6, 6, null]);
    const publicLeaves = (await get('/v1/log/entries?start=0&count=6')).body.entries as { leaf: string }[];

    expect(page.entries.map((e) => [e.index, e.subject.seq, e.subject.prevIndex])).to.deep.equal([
      [5, 5, 4],
      [4, 4, 3],
      [3, 3, 1],
      [1, 2, 0],
      [0, 1, null],
    ]);
    expect(chainProblems(page.entries)).to.deep.equal([]);
    for (const e of page.entries) {
      const leaf = leafValue(e);
      expect(hex(leaf), `index ${e.index}`)
        .to.equal(hex(b64(e.leaf)))
        .and.to.equal(hex(b64(publicLeaves[e.index]!.leaf)));
      expect(verifyInclusion(leafHash(leaf), e.index, cp.size, hashes(e.inclusionProof!), cp.root)).to.equal(
        true,
      );
      const served = (await get(`/v1/log/proofs/inclusion?index=${e.index}&size=${cp.size}`)).body as {
        proof: string[];
      };
      expect(served.proof).to.deep.equal(e.inclusionProof);
    }
    // The bank's receipts name the released entries; the refusal records its free-text purpose by hash.
    const unreceipted = page.entries.filter((e) => !receipts.some((r) => r.digest === entryDigest(e.entry)));
    expect(unreceipted.map((e) => e.index)).to.deep.equal([5]);
    expect(unreceipted[0]!.entry).to.deep.include({ outcome: 'denied', purpose: '-undescribed' });
    expect(unreceipted[0]!.entry.undescribed).to.deep.equal({
      purpose: { sha256: hex(sha256(utf8(HOSTILE_PURPOSE))), bytes: 13 },
    });

    const old = openCheckpoint(savedCheckpoint, key);
    expect(page.consistency).to.include({ fromSize: 3, toSize: 6 });
    expect(consistencySteps(3, 6, old.root, cp.root, hashes(page.consistency!.proof)).ok).to.equal(true);
    const served = (await get('/v1/log/proofs/consistency?from=3&to=6')).body as { proof: string[] };
    expect(consistencySteps(3, 6, old.root, cp.root, hashes(served.proof)).ok).to.equal(true);
  });

  it("ties the bank's receipt to the citizen's entry: same digest, same leaf hash, included under the signed checkpoint", async () => {
    const key = await logKey();
    const receipt = receipts[2]!;
    const full = (
      await request(t.app)
        .get(`/v1/log/receipts/${receipt.entryId}`)
        .set(...asPrincipal(HANBIT))
        .expect(200)
    ).body as {
      status: string;
      index: number;
      leafHash: string;
      treeSize: number;
      proof: string[];
      checkpoint: string;
    };
    expect(full.status).to.equal('included');
    const cp = openCheckpoint(full.checkpoint, key);
    expect(cp.size).to.equal(full.treeSize);
    expect(verifyInclusion(b64(full.leafHash), full.index, cp.size, hashes(full.proof), cp.root)).to.equal(
      true,
    );
    const page = (
      await request(t.app)
        .get('/v1/me/access-log')
        .set(...asPrincipal(minjun()))
        .expect(200)
    ).body as AccessLogPage;
    const mine = page.entries.find((e) => entryDigest(e.entry) === receipt.digest)!;
    expect(mine.index).to.equal(full.index);
    expect(hex(leafHash(leafValue(mine)))).to.equal(hex(b64(full.leafHash)));
  });

  it("shows the other citizen a one-entry history whose link skips nobody's leaf", async () => {
    const key = await logKey();
    const page = (
      await request(t.app)
        .get('/v1/me/access-log')
        .set(...asPrincipal(citizen(t, SEOYEON_ID, 'citizen-seoyeon')))
        .expect(200)
    ).body as AccessLogPage;
    const cp = openCheckpoint(page.checkpoint, key);
    expect(page.entries.map((e) => [e.index, e.subject.seq, e.subject.prevIndex])).to.deep.equal([
      [2, 1, null],
    ]);
    expect(chainProblems(page.entries)).to.deep.equal([]);
    const [e] = page.entries;
    expect(
      verifyInclusion(leafHash(leafValue(e!)), 2, cp.size, hashes(e!.inclusionProof!), cp.root),
    ).to.equal(true);
    // Dropping an entry from the middle of a history is what the chain check exists to catch.
    const minjunPage = (
      await request(t.app)
        .get('/v1/me/access-log')
        .set(...asPrincipal(minjun()))
        .expect(200)
    ).body as AccessLogPage;
    expect(chainProblems(minjunPage.entries.filter((x) => x.index !== 1))).to.deep.equal([
      'gap before seq 3',
    ]);
  });
});
