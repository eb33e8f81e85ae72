// The C2SP tlog-tiles read API over real HTTP against a real database: the tree rebuilt from the tiles
// alone equals the signed checkpoint's root, entry bundles hash to the level-0 tiles, the level-1 tile
// holds the roots of the full level-0 tiles, and paths the spec does not name exactly are not found.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { fromBase64 } from '../../server/audit/bytes.js';
import { rootFromLeafHashes } from '../../server/audit/merkle.js';
import { checkCheckpoint } from '../../server/audit/verifier.js';
import { buildTestApp, principalFromTestHeader, type TestApp } from '../support/app.js';
import { entryFor, subjectOf } from '../integration/audit/helpers.js';

// Three full level-0 tiles and 45 leaves of a fourth: level 1 is a partial tile of width 3.
const SIZE = 3 * 256 + 45;
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const cut = (bytes: Uint8Array) =>
  [...Array(bytes.length / 32).keys()].map((i) => bytes.subarray(i * 32, (i + 1) * 32));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function binary(t: TestApp, path: string, status = 200) {
  const res = await request(t.app)
    .get(path)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .expect(status);
  return { bytes: new Uint8Array(res.body as Buffer), res };
}

describe('tiles API: C2SP tlog-tiles over the audit log', function () {
  this.timeout(60_000);
  let t: TestApp;
  let logKey: string;

  before(async () => {
    t = await buildTestApp({ authenticate: principalFromTestHeader });
    const { service, sequencer, checkpointer } = t.composition.audit;
    const subjects = ['a', 'b', 'c'].map(subjectOf);
    await service.appendMany([...Array(SIZE).keys()].map((i) => entryFor(subjects[i % 3]!)));
    while ((await sequencer.runOnce()) > 0);
    await checkpointer.publish(true);
    logKey = (await request(t.app).get('/v1/log/key').expect(200)).text.split('\n')[0]!;
  });

  it('serves the cosigned checkpoint at <prefix>/checkpoint, the same note, cached a second', async () => {
    const res = await request(t.app).get('/audit/v1/checkpoint').expect(200);
    expect(res.headers['content-type']).to.equal('text/plain; charset=utf-8');
    expect(res.headers['cache-control']).to.equal('public, max-age=1');
    expect(res.text).to.equal((await request(t.app).get('/v1/log/checkpoint').expect(200)).text);
    const checked = await checkCheckpoint(res.text, { logKey });
    expect(checked.ok && checked.checkpoint.size).to.equal(SIZE);
  });

  it('rebuilds the tree from the tiles alone and finds the checkpoint root', async () => {
    const note = (await request(t.app).get('/audit/v1/checkpoint').expect(200)).text;
    const root = note.split('\n')[2]!;
    const leaves: Uint8Array[] = [];
    for (const path of ['000', '001', '002', '003.p/45']) {
      const { bytes, res } = await binary(t, `/audit/v1/tile/0/${path}`);
      expect(res.headers['content-type']).to.equal('application/octet-stream');
      expect(res.headers['cache-control']).to.equal(
        path.includes('.p/') ? 'public, max-age=60' : 'public, max-age=31536000, immutable',
      );
      expect(bytes.length).to.equal(path.includes('.p/') ? 45 * 32 : 8192);
      leaves.push(...cut(bytes));
    }
    expect(leaves.length).to.equal(813);
    expect(Buffer.from(rootFromLeafHashes(leaves)).toString('base64')).to.equal(root);
    // Level 1: the MTH of each full level-0 tile; the 45-leaf tail is not hashed into it.
    const { bytes: level1 } = await binary(t, '/audit/v1/tile/1/000.p/3');
    expect(level1.length).to.equal(96);
    cut(level1).forEach((h, i) =>
      expect(hex(h), `level 1 hash ${i}`).to.equal(
        hex(rootFromLeafHashes(leaves.slice(i * 256, i * 256 + 256))),
      ),
    );
    // The public leaves of the JSON API are the same hashes.
    const json = (await request(t.app).get('/v1/log/entries?start=250&count=10').expect(200)).body as {
      entries: { index: number; leafHash: string }[];
    };
    for (const e of json.entries) expect(hex(fromBase64(e.leafHash))).to.equal(hex(leaves[e.index]!));
  });

  it('serves entry bundles of uint16-length-prefixed leaf values that hash to the level-0 tiles', async () => {
    const { bytes: tile } = await binary(t, '/audit/v1/tile/0/001');
    const { bytes: bundle, res } = await binary(t, '/audit/v1/tile/entries/001');
    expect(res.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(bundle.length).to.equal(256 * 34);
    const hashes = cut(tile);
    for (let i = 0; i < 256; i++) {
      expect(bundle[i * 34]).to.equal(0x00);
      expect(bundle[i * 34 + 1]).to.equal(0x20);
      const leaf = bundle.subarray(i * 34 + 2, i * 34 + 34);
      expect(hex(sha(Uint8Array.of(0), leaf))).to.equal(hex(hashes[i]!));
    }
    const { bytes: partial } = await binary(t, '/audit/v1/tile/entries/003.p/45');
    expect(partial.length).to.equal(45 * 34);
    // A narrower partial is the prefix of a wider one (the log only grows).
    const { bytes: narrow } = await binary(t, '/audit/v1/tile/entries/003.p/7');
    expect(hex(narrow)).to.equal(hex(partial.subarray(0, 7 * 34)));
  });

  it('answers 404 for tiles it does not hold yet, 400 for paths outside the contract', async () => {
    // prettier-ignore
    const cases: [string, number][] = [
      ['tile/0/003', 404], // only 45 wide
      ['tile/0/003.p/46', 404],
      ['tile/0/004.p/1', 404],
      ['tile/1/000', 404], // level 1 is partial
      ['tile/2/000.p/1', 404],
      ['tile/entries/004.p/1', 404],
      ['tile/0/x000/001', 404], // a second name for 001
      ['tile/64/000', 404], // no level above 63
      ['tile/0/0', 400], // not three digits
      ['tile/00/000', 400], // leading zero in the level
      ['tile/0/001/001', 400], // no x on the first segment
      ['tile/0/000.p/0', 400],
      ['tile/0/000.p/256', 400],
      ['tile/0/000.p/07', 400],
    ];
    for (const [path, status] of cases) {
      const res = await request(t.app).get(`/audit/v1/${path}`);
      expect(res.status, path).to.equal(status);
      expect(res.headers['content-type'], path).to.match(/^application\/problem\+json/);
    }
  });

  it('reads a tile with one statement in milliseconds', async () => {
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const start = performance.now();
      await binary(t, `/audit/v1/tile/${i % 2 ? 'entries' : '0'}/00${i % 3}`);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(
      `      tile read over HTTP: median ${times[15]!.toFixed(1)} ms, max ${times[29]!.toFixed(1)} ms`,
    );
    expect(times[15]).to.be.below(100);
  });
});
