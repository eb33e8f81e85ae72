import { expect } from 'chai';
import { createMemoryReplayStore } from '../../../server/auth/replay-store.js';

describe('memory replay store', () => {
  it('accepts a jti once until it expires', async () => {
    let now = 1_000_000;
    const store = createMemoryReplayStore(() => now);
    expect(await store.markUsed('a', new Date(now + 1000))).to.equal(true);
    expect(await store.markUsed('a', new Date(now + 1000))).to.equal(false);
    expect(await store.markUsed('b', new Date(now + 1000))).to.equal(true);
    now += 1001;
    expect(await store.markUsed('a', new Date(now + 1000))).to.equal(true);
  });

  it('lets exactly one of many concurrent callers win', async () => {
    const store = createMemoryReplayStore();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.markUsed('x', new Date(Date.now() + 5000))),
    );
    expect(results.filter(Boolean)).to.have.length(1);
  });
});
