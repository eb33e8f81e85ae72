import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import { parse } from 'yaml';
import { NON_API_PATHS } from '../../server/shared/paths.js';
import { OPENAPI_DIR } from '../../server/docs/docs.routes.js';
import { buildTestApp } from '../support/app.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every mounted API route as "METHOD /path/{param}" (API routers are mounted without a prefix). */
export function mountedRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          if (NON_API_PATHS.test(path)) continue;
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all')
              found.push(`${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(found)].sort();
}

export function specOperations(): string[] {
  const spec = parse(readFileSync(join(OPENAPI_DIR, 'gateway.yaml'), 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(spec.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => METHODS.includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    .sort();
}

describe('OpenAPI contract', () => {
  it('has exactly one mounted route for every spec operation and no undocumented API route', async () => {
    const { app } = await buildTestApp();
    const mounted = mountedRoutes(app);
    const documented = specOperations();
    expect(mounted.length).to.be.greaterThan(0);
    expect(mounted, 'mounted routes without an operation').to.deep.equal(documented);
  });

  it('gives every operation an id, a summary and a problem+json error response', () => {
    const spec = parse(readFileSync(join(OPENAPI_DIR, 'gateway.yaml'), 'utf8')) as {
      paths: Record<
        string,
        Record<string, { operationId?: string; summary?: string; responses: Record<string, unknown> }>
      >;
    };
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        expect(op.operationId, `${method} ${path}`).to.be.a('string');
        expect(op.summary, `${method} ${path}`).to.be.a('string');
        expect(op.responses, `${method} ${path}`).to.have.property('default');
      }
    }
  });
});
