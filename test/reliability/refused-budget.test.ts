/**
 * Regression for reliability check A10: queries refused before admission (a purpose the client is
 * not entitled to) spend the client's budget too, so a flood of them meets 429 with Retry-After.
 */
import { expect } from 'chai';
import { A10 } from '../../reliability/checks/access.js';
import { runChecks } from '../../reliability/types.js';
import { testTarget } from './target.js';

describe('refused queries spend the rate budget (reliability A10)', function () {
  this.timeout(120_000);

  it('answers 429 with Retry-After by the budget’s next request', async () => {
    const target = await testTarget();
    const [result] = await runChecks([A10], target, { timeoutMs: 100_000 });
    expect(result!.status, `${result!.figure}\n${result!.notes.join('\n')}`).to.equal('pass');
    expect(result!.figure).to.match(/^first 429 at (\d+) of limit 150\/min, Retry-After \d+/);
    const first = Number(/first 429 at (\d+)/.exec(result!.figure)![1]);
    expect(first).to.be.within(140, 151);
  });
});
