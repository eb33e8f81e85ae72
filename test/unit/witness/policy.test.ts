import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { vkeyFor } from '../../../server/audit/checkpoint.js';
import { SIG_COSIGNATURE_V1 } from '../../../server/audit/note.js';
import { formatPolicy, parsePolicy, quorumMet } from '../../../server/audit/witness-policy.js';

const key = () => generateKeyPairSync('ed25519').privateKey;
const log = vkeyFor('log.example/a', key());
const w = (name: string) => vkeyFor(name, key(), SIG_COSIGNATURE_V1);

describe('witness policy (c2sp.org/tlog-policy)', () => {
  it('evaluates nested k-of-n groups as the spec example does', () => {
    const policy = parsePolicy(
      [
        '# two organisations',
        `log ${log} https://log.example/`,
        `witness X1 ${w('x1.example')}`,
        `witness X2 ${w('x2.example')}`,
        `  witness X3\t${w('x3.example')}  `,
        'group X-witnesses 2 X1 X2 X3',
        `witness Y1 ${w('y1.example')} https://y1.example/`,
        `witness Y2 ${w('y2.example')}`,
        'group Y-witnesses any Y1 Y2',
        'group X-and-Y all X-witnesses Y-witnesses',
        'quorum X-and-Y',
        '',
      ].join('\n'),
    );
    expect(policy.logs.map((l) => [l.origin, l.url])).to.deep.equal([
      ['log.example/a', 'https://log.example/'],
    ]);
    expect(policy.witnesses.map((x) => x.keyName)).to.deep.equal([
      'x1.example',
      'x2.example',
      'x3.example',
      'y1.example',
      'y2.example',
    ]);
    expect(policy.witnesses[3]!.url).to.equal('https://y1.example/');
    expect(quorumMet(policy, new Set(['X1', 'X3', 'Y2']))).to.equal(true);
    expect(quorumMet(policy, new Set(['X1', 'Y1', 'Y2']))).to.equal(false);
    expect(quorumMet(policy, new Set(['X1', 'X2', 'X3']))).to.equal(false);
    expect(quorumMet(policy, new Set([]))).to.equal(false);
  });

  it('writes the k-of-n policy npm start prints, and quorum none needs nobody', () => {
    const a = w('witness-a.localhost');
    const b = w('witness-b.localhost');
    const text = formatPolicy(
      log,
      [
        { name: 'witness-a.localhost', vkey: a },
        { name: 'witness-b.localhost', vkey: b },
      ],
      2,
    );
    expect(text).to.equal(
      `log ${log}\nwitness witness-a.localhost ${a}\nwitness witness-b.localhost ${b}\n` +
        'group witnesses 2 witness-a.localhost witness-b.localhost\nquorum witnesses\n',
    );
    const policy = parsePolicy(text);
    expect(quorumMet(policy, new Set(['witness-a.localhost']))).to.equal(false);
    expect(quorumMet(policy, new Set(['witness-a.localhost', 'witness-b.localhost']))).to.equal(true);
    expect(quorumMet(parsePolicy(`log ${log}\nquorum none\n`), new Set())).to.equal(true);
  });

  it('refuses malformed policies', () => {
    const x = w('x.example');
    const bad = [
      `log ${log}\n`, // no quorum
      `log ${log}\nquorum none\nquorum none\n`,
      `witness A ${x}\nquorum B\n`, // undefined name
      `quorum A\nwitness A ${x}\n`, // defined after use
      `witness A ${x}\nwitness B ${x}\nquorum A\n`, // duplicate key
      `witness A ${x}\ngroup G 2 A\nquorum G\n`, // k > n
      `witness A ${x}\ngroup G 0 A\nquorum G\n`,
      `witness A ${x}\ngroup G any A A\nquorum G\n`,
      `witness A ${log}\nquorum A\n`, // a log key (0x01) as a witness key
      `log ${x}\nquorum none\n`, // a cosigner key as a log key
      `witness none ${x}\nquorum none\n`,
      `trust everyone\nquorum none\n`,
    ];
    for (const text of bad) expect(() => parsePolicy(text), text).to.throw(/policy/);
  });
});
