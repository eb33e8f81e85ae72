/**
 * Arrows point down: no import cycle in server/ (type-only imports count: they tie the modules
 * together just as well) and no production module importing server/dev/. Only the composition
 * root of the process (boot.ts), the command-line tools (cli/) and dev/ itself may import dev/;
 * production code gets dev parts handed in through composition. dependency-cruiser reads the
 * import graph the way TypeScript resolves it (tsconfig.json), before type imports are erased.
 */
import { expect } from 'chai';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const FIXTURE = 'test/unit/structure/fixture/server';

async function importViolations(root: string): Promise<string[]> {
  const escaped = root.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const forbidden: IForbiddenRuleType[] = [
    { name: 'no-cycle', severity: 'error', from: { path: `^${escaped}/` }, to: { circular: true } },
    {
      name: 'no-dev-import',
      severity: 'error',
      from: { path: `^${escaped}/`, pathNot: `^${escaped}/(dev/|cli/|boot\\.ts$)` },
      to: { path: `^${escaped}/dev/` },
    },
  ];
  const result = await cruise(
    [root],
    {
      validate: true,
      ruleSet: { forbidden },
      tsPreCompilationDeps: true,
      tsConfig: { fileName: 'tsconfig.json' },
      doNotFollow: { path: 'node_modules' },
      exclude: { path: 'node_modules' },
    },
    {},
    { tsConfig: extractTSConfig('tsconfig.json') },
  );
  if (typeof result.output === 'string')
    throw new Error('dependency-cruiser returned a report, not a result');
  return result.output.summary.violations.map((v) =>
    v.rule.name === 'no-cycle'
      ? `cycle: ${v.from} → ${(v.cycle ?? []).map((step) => step.name).join(' → ')}`
      : `dev import: ${v.from} → ${v.to}`,
  );
}

describe('server import graph', function () {
  this.timeout(120_000);

  it('finds a cycle and a production import of dev/ in a fixture that has both', async () => {
    const found = await importViolations(FIXTURE);
    expect(found).to.have.members([
      `dev import: ${FIXTURE}/auth/login.ts → ${FIXTURE}/dev/demo.ts`,
      `cycle: ${FIXTURE}/auth/login.ts → ${FIXTURE}/auth/session.ts → ${FIXTURE}/auth/login.ts`,
    ]);
  });

  it('has no import cycle and no production import of server/dev/', async () => {
    expect(await importViolations('server')).to.deep.equal([]);
  });
});
