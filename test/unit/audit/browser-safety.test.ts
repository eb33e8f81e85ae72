import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// verifier.ts is meant to be served to browsers as is; these are the files it pulls in.
const BROWSER_MODULES = [
  'verifier.ts',
  'note.ts',
  'bytes.ts',
  'preimage.ts',
  'proof-plan.ts',
  'proof-check.ts',
  'leaf-value.ts',
  'access-log-verifier.ts',
  'witness-policy.ts',
];

describe('audit: browser-safe modules', () => {
  for (const file of BROWSER_MODULES) {
    it(`${file} uses no node:* modules, Buffer or server-only audit modules`, () => {
      const source = readFileSync(
        fileURLToPath(new URL(`../../../server/audit/${file}`, import.meta.url)),
        'utf8',
      );
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports) {
        expect(spec, `${file} imports ${spec}`).to.satisfy(
          (s: string) =>
            s === 'canonicalize' || BROWSER_MODULES.includes(s.replace(/^\.\//, '').replace(/\.js$/, '.ts')),
        );
      }
      expect(source.replace(/\/\/.*$/gm, '')).to.not.match(/\bBuffer\b/);
    });
  }
});
