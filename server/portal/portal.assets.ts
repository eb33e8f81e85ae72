/**
 * The portal's browser script: server/portal/client/portal.ts and the access-log verifier it imports
 * (server/audit/*, canonicalize) bundled by esbuild into one script (an IIFE, as layout.ts loads scripts with defer), built once per process on first
 * use and kept in memory (no build step, nothing written to disk). Served at /assets/portal/portal.js,
 * before the static files router (which answers 404 for anything it lacks). The witness trust policy
 * (WITNESS_POLICY_FILE: log key, witness keys, quorum) is read when the bundle is built and embedded in
 * it, so the in-browser check trusts what the deployment pinned, not what an API answers at check time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { parsePolicy } from '../audit/witness-policy.js';

export const PORTAL_SCRIPT = 'portal/portal.js';

export interface BuiltScript {
  code: string;
  etag: string;
}

function entryPoint(): string {
  // tsx runs the .ts sources; a tsc build has .js files beside each other instead.
  for (const name of ['client/portal.ts', 'client/portal.js']) {
    const path = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('The portal browser script (server/portal/client/portal.ts) is missing.');
}

/** Bundles the portal script for browsers (ES2020, minified, with the verifier inlined). */
export async function buildPortalScript(policyFile?: string): Promise<BuiltScript> {
  const policy = policyFile ? readFileSync(policyFile, 'utf8') : '';
  // A broken policy must stop the bundle here, not make every citizen's check fail.
  if (policy) parsePolicy(policy);
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entryPoint()],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
    define: { __JUC_PINNED_POLICY__: JSON.stringify(policy) },
  });
  const code = result.outputFiles[0]!.text;
  return { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` };
}

export function portalAssetsRouter(policyFile?: string): Router {
  const router = Router();
  let built: Promise<BuiltScript> | undefined;
  const script = () =>
    (built ??= buildPortalScript(policyFile).catch((err: unknown) => {
      built = undefined; // try again on the next request
      throw err;
    }));
  router.get(`/assets/${PORTAL_SCRIPT}`, async (req, res) => {
    const { code, etag } = await script();
    res.set({ 'Cache-Control': 'no-cache', ETag: etag });
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    res.type('text/javascript; charset=utf-8').send(code);
  });
  return router;
}
