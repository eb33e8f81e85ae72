/**
 * `npm run gen:api`: writes openapi/gateway.d.ts, the TypeScript types of the gateway API,
 * from openapi/gateway.yaml with openapi-typescript, formatted by the repository's prettier
 * settings so that the committed file is exactly what this prints. The contract stays the one
 * source: test/unit/structure/api-types.test.ts runs generateApiTypes() in memory and fails when
 * the committed file differs, so a change to the YAML without a regeneration cannot land.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

const SPEC = new URL('../../openapi/gateway.yaml', import.meta.url);
export const API_TYPES_FILE = fileURLToPath(new URL('../../openapi/gateway.d.ts', import.meta.url));

const HEADER = `/**
 * Generated from openapi/gateway.yaml by \`npm run gen:api\` (openapi-typescript): do not edit.
 * Change the contract, then regenerate; test/unit/structure/api-types.test.ts fails when stale.
 */

`;

/** The text openapi/gateway.d.ts should hold for the contract as it is now on disk (or for another copy of it). */
export async function generateApiTypes(spec: URL = SPEC): Promise<string> {
  // A bare `type: object` (a record's fields, a JSON Schema) holds anything, not nothing.
  const ast = await openapiTS(spec, { emptyObjectsUnknown: true, silent: true });
  const options = await resolveConfig(API_TYPES_FILE);
  return format(HEADER + astToString(ast), { ...options, filepath: API_TYPES_FILE });
}

async function main(): Promise<void> {
  await writeFile(API_TYPES_FILE, await generateApiTypes());
  console.log(`${API_TYPES_FILE} written from ${fileURLToPath(SPEC)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
