import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { cachedNodeFetcher } from '../../../server/audit/node-cache.js';
import type { NodeId } from '../../../server/audit/merkle.js';

const hashOf = (id: NodeId) =>
  new Uint8Array(createHash('sha256').update(`${id.level}/${id.index}`).digest());

/** A store that records what it was asked for and answers only the nodes it holds. */
function store(holds: (id: NodeId) => boolean = () => true) {
  const asked: string[] = [];
  const fetch = async (ids: NodeId[]) => {
    asked.push(...ids.map((id) => `${id.level}/${id.index}`));
    return new Map(ids.filter(holds).map((id) => [`${id.level}/${id.index}`, hashOf(id)] as const));
  };
  return { asked, fetch };
}

describe('audit: tree node cache', () => {
  it('asks the store once for each node and returns the right hashes', async () => {
    const s = store();
    const nodes = cachedNodeFetcher(s.fetch, { fromLevel: 6 });
    const ids: NodeId[] = [
      { level: 0, index: 5 },
      { level: 5, index: 70_000 },
      { level: 6, index: 3 },
      { level: 20, index: 0 },
    ];
    for (let round = 0; round < 3; round++) {
      const got = await nodes(ids);
      for (const id of ids) expect(got.get(`${id.level}/${id.index}`)).to.deep.equal(hashOf(id));
    }
    expect(s.asked.filter((k) => k === '6/3')).to.have.length(1);
    expect(s.asked.filter((k) => k === '20/0')).to.have.length(1);
    expect(s.asked.filter((k) => k === '0/5')).to.have.length(1);
    expect(s.asked.filter((k) => k === '5/70000')).to.have.length(1);
  });

  it('keeps only the last lowerEntries nodes below fromLevel, dropping the oldest first', async () => {
    const s = store();
    const nodes = cachedNodeFetcher(s.fetch, { fromLevel: 6, lowerEntries: 2 });
    const a = { level: 0, index: 1 };
    const b = { level: 3, index: 2 };
    const c = { level: 5, index: 3 };
    await nodes([a]);
    await nodes([b]);
    await nodes([a, b]); // both kept
    await nodes([c]); // a, the oldest, goes
    await nodes([b, c]);
    expect((await nodes([a])).get('0/1')).to.deep.equal(hashOf(a));
    expect(s.asked).to.deep.equal(['0/1', '3/2', '5/3', '0/1']);
  });

  it('does not remember a node the store lacks, and grows a level to reach far indices', async () => {
    let present = false;
    const s = store((id) => id.index !== 9 || present);
    const nodes = cachedNodeFetcher(s.fetch, { fromLevel: 6 });
    expect((await nodes([{ level: 7, index: 9 }])).has('7/9')).to.equal(false);
    present = true;
    expect((await nodes([{ level: 7, index: 9 }])).get('7/9')).to.deep.equal(hashOf({ level: 7, index: 9 }));
    await nodes([{ level: 7, index: 9 }]);
    expect(s.asked.filter((k) => k === '7/9')).to.have.length(2);
    const far = { level: 7, index: 100_000 };
    await nodes([far, { level: 7, index: 9 }]);
    expect((await nodes([far])).get('7/100000')).to.deep.equal(hashOf(far));
    expect(s.asked.filter((k) => k === '7/100000')).to.have.length(1);
    expect(s.asked.filter((k) => k === '7/9')).to.have.length(2);
  });

  it('stays within its byte budget and keeps answering from the store beyond it', async () => {
    const s = store();
    const nodes = cachedNodeFetcher(s.fetch, { fromLevel: 6, maxBytes: 1024 * 33 });
    await nodes([{ level: 6, index: 1 }]);
    await nodes([{ level: 6, index: 5000 }]); // would need a 8,192-slot level: over budget
    await nodes([
      { level: 6, index: 1 },
      { level: 6, index: 5000 },
    ]);
    expect(s.asked.filter((k) => k === '6/1')).to.have.length(1);
    expect(s.asked.filter((k) => k === '6/5000')).to.have.length(2);
  });
});
