/**
 * The API types are the contract's, not a copy: openapi/gateway.d.ts must be exactly what
 * `npm run gen:api` makes from openapi/gateway.yaml now. A contract change committed without the
 * regeneration fails here, naming the command that fixes it.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { API_TYPES_FILE, generateApiTypes } from '../../../server/cli/gen-api.js';

/** The first line where two texts part, for a message a person can act on. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, generated ${JSON.stringify(b[at])}`;
}

describe('generated API types', function () {
  this.timeout(60_000);

  it('openapi/gateway.d.ts is what npm run gen:api makes from openapi/gateway.yaml', async () => {
    const committed = await readFile(API_TYPES_FILE, 'utf8');
    const generated = await generateApiTypes();
    if (committed !== generated)
      expect.fail(
        `openapi/gateway.d.ts is stale, run \`npm run gen:api\` (${firstDifference(committed, generated)})`,
      );
  });

  it('carries the contract, e.g. the query request with its required purpose', async () => {
    // A generator that wrote nothing (or an empty header) would pass the equality above.
    const generated = await generateApiTypes();
    expect(generated).to.match(/^\/\*\*\n \* Generated from openapi\/gateway\.yaml by `npm run gen:api`/);
    expect(generated).to.include('export interface components');
    expect(generated).to.match(/QueryRequest: \{[^}]*purpose: string;/);
  });
});
