/**
 * `npm run build`, second step: tsc writes dist/server and dist/migrations; the files the code
 * finds beside itself (record types, schemas, seed data, static pages) and the top-level folders
 * it reads at run time (openapi/, policies/) are copied into dist/ at the same relative places, so
 * `node dist/server/main.js` runs without the TypeScript sources or tsx.
 */
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'server', 'main.js'))) {
  process.stderr.write('dist/server/main.js is missing: run tsc -p tsconfig.build.json first.\n');
  process.exit(1);
}

let copied = 0;
/** Every file under server/ that tsc does not compile (and is not a TypeScript source). */
function copyServerAssets(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      copyServerAssets(path);
      continue;
    }
    if (name.endsWith('.ts')) continue;
    cpSync(path, join(dist, relative(root, path)));
    copied++;
  }
}
copyServerAssets(join(root, 'server'));
for (const folder of ['openapi', 'policies']) {
  cpSync(join(root, folder), join(dist, folder), { recursive: true });
  copied += readdirSync(join(root, folder)).length;
}
process.stdout.write(`copied ${copied} asset files into dist/\n`);
