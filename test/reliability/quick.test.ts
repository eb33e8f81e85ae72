/**
 * The quick reliability checks (reliability.md §5: B, A, I, F2, F3) in `npm test`, through the same
 * check modules `npm run reliability` runs against the production-like cluster. Each check must
 * pass; a check the test app cannot run says why (SKIPPED) and is listed here by name.
 */
import { expect } from 'chai';
import { QUICK_CHECKS } from '../../reliability/quick.js';
import { runChecks, type Target } from '../../reliability/types.js';
import { testTarget } from './target.js';

/** Checks the test app cannot run, and why (each is run by npm run reliability). */
const SKIPPED_HERE: Record<string, string> = {
  B1: 'the fuzz suite is its own test file in npm test',
};

describe('reliability checks (quick: B, A, I, F2, F3) against the test app', function () {
  this.timeout(120_000);
  let target: Target;
  before(async () => {
    target = await testTarget();
  });

  for (const check of QUICK_CHECKS) {
    it(`${check.id}: ${check.title}`, async () => {
      const [result] = await runChecks([check], target, { timeoutMs: 90_000 });
      const text = `${result!.id} ${result!.status} ${result!.figure}\n  ${result!.notes.join('\n  ')}`;
      if (process.env.RELIABILITY_VERBOSE) process.stderr.write(`${text}\n`);
      if (SKIPPED_HERE[check.id]) expect(result!.status, text).to.equal('skipped');
      else expect(result!.status, text).to.equal('pass');
    });
  }
});
