import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import {
  createAccessControl,
  decide,
  loadOperationAccess,
  SCOPES,
  operationMatcher,
  type OperationAccess,
} from '../../../server/auth/access.js';
import { DEFAULT_API_SCOPE } from '../../../server/dev/identity-provider-config.js';
import { safeReturnTo } from '../../../server/auth/login.service.js';
import type { Principal } from '../../../server/auth/principal.js';
import { AppError } from '../../../server/errors.js';

const op = (
  method: string,
  path: string,
  access: OperationAccess['access'],
  scopes: OperationAccess['scopes'] = [],
): OperationAccess => ({ method, path, operationId: undefined, access, scopes });

function specFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'juc-access-')), 'spec.yaml');
  writeFileSync(file, ['openapi: 3.1.0', ...lines].join('\n'));
  return file;
}

describe('access rules (x-access and scopes)', () => {
  it('parses public, role lists, and reports missing or unknown rules', () => {
    const file = specFile([
      'paths:',
      '  /a:',
      '    get: { operationId: a, x-access: public }',
      '    post: { operationId: b, x-access: [admin, auditor, admin] }',
      '    parameters: []',
      '  /b:',
      '    get: { operationId: c }',
      '    put: { operationId: d, x-access: [root] }',
      '    delete: { operationId: e, x-access: [] }',
    ]);
    const ops = loadOperationAccess(file);
    expect(ops.map((o) => [o.method, o.path, o.access, o.problem])).to.deep.equal([
      ['GET', '/a', 'public', undefined],
      ['POST', '/a', ['admin', 'auditor'], undefined],
      ['GET', '/b', undefined, 'no x-access rule'],
      ['PUT', '/b', undefined, 'x-access names unknown roles: root'],
      ['DELETE', '/b', undefined, 'x-access must be "public" or a non-empty list of roles'],
    ]);
  });

  it('reads the scopes of token requirements and refuses rules that state them wrongly', () => {
    const file = specFile([
      'security: []',
      'paths:',
      '  /q:',
      '    post:',
      '      x-access: [client, clerk]',
      '      security: [{ dpop: [records:query] }, { bearer: [records:query] }, { session: [] }]',
      '    get:',
      '      x-access: [client]',
      '      security: [{ dpop: [consents:read] }, { dpop: [records:query, consents:read] },',
      '                 { bearer: [records:query, consents:read] }, { bearer: [consents:read] }]',
      '  /none:',
      '    get: { x-access: [client], security: [{ dpop: [] }, { bearer: [] }] }',
      '    post: { x-access: [client], security: [{ session: [] }] }',
      '    put: { x-access: [client] }',
      '  /odd:',
      '    get: { x-access: [client], security: [{ dpop: [records:write] }, { bearer: [records:write] }] }',
      '    post: { x-access: [client], security: [{ dpop: [records:query] }, { bearer: [consents:read] }] }',
      '    put: { x-access: [client], security: [{ dpop: [records:query] }] }',
      '    delete: { x-access: [client], security: [{ dpop: [records:query], session: [] }] }',
      '    patch: { x-access: [admin], security: [{ dpop: [records:query] }, { bearer: [records:query] }] }',
      '  /people:',
      '    get: { x-access: [citizen], security: [{ session: [] }] }',
    ]);
    expect(loadOperationAccess(file).map((o) => [o.method, o.path, o.scopes, o.problem])).to.deep.equal([
      ['POST', '/q', [['records:query']], undefined],
      ['GET', '/q', [['consents:read'], ['records:query', 'consents:read']], undefined],
      ['GET', '/none', [], 'security requirement dpop names no scope'],
      ['POST', '/none', [], 'a client operation must list the same scopes under dpop and bearer'],
      ['PUT', '/none', [], 'a client operation must list the same scopes under dpop and bearer'],
      ['GET', '/odd', [], 'security names unknown scopes: records:write'],
      ['POST', '/odd', [], 'a client operation must list the same scopes under dpop and bearer'],
      ['PUT', '/odd', [], 'a client operation must list the same scopes under dpop and bearer'],
      ['DELETE', '/odd', [], 'a token scheme must be a requirement alone'],
      ['PATCH', '/odd', [], 'token schemes listed but x-access has no client'],
      ['GET', '/people', [], undefined],
    ]);
  });

  it('decides 401 for nobody, 403 for the wrong role, insufficient_scope for a client without the scope', () => {
    const citizen: Principal = { kind: 'citizen', sub: 's', subjectKey: 'k' };
    const auditor: Principal = { kind: 'staff', sub: 's', role: 'auditor' };
    const clerk: Principal = { kind: 'clerk', sub: 's', clerkId: 'c', orgId: 'o' };
    const client = (...scope: string[]): Principal => ({ kind: 'client', clientId: 'c', orgId: 'o', scope });
    const none = { scopes: [] };
    expect(decide({ access: 'public', ...none }, undefined)).to.equal('allow');
    expect(decide({ access: 'public', ...none }, client())).to.equal('allow');
    expect(decide({ access: ['citizen'], ...none }, undefined)).to.equal(401);
    expect(decide({ access: ['citizen'], ...none }, citizen)).to.equal('allow');
    expect(decide({ access: ['admin'], ...none }, auditor)).to.equal(403);
    expect(decide({ access: ['admin', 'auditor'], ...none }, auditor)).to.equal('allow');
    const query = { access: ['client', 'clerk'] as const, scopes: [['records:query'] as const] };
    expect(decide(query, client('consents:read'))).to.equal('insufficient_scope');
    expect(decide(query, client())).to.equal('insufficient_scope');
    expect(decide(query, client('consents:read', 'records:query'))).to.equal('allow');
    expect(decide(query, clerk), 'sessions are not scope-limited').to.equal('allow');
    expect(decide(query, citizen)).to.equal(403);
    const both = { access: ['client'] as const, scopes: [['records:query', 'consents:read'] as const] };
    expect(decide(both, client('records:query'))).to.equal('insufficient_scope');
    expect(decide(both, client('consents:read', 'records:query'))).to.equal('allow');
    const either = { access: ['client'] as const, scopes: [['records:query'], ['consents:read']] as const };
    expect(decide(either, client('consents:read'))).to.equal('allow');
    expect(decide(either, client('consents:request'))).to.equal('insufficient_scope');
  });

  it('states the scopes of openapi/gateway.yaml, the same the dev identity provider offers', () => {
    expect([...SCOPES]).to.deep.equal(['records:query', 'consents:request', 'consents:read']);
    expect(DEFAULT_API_SCOPE.split(' ').sort()).to.deep.equal([...SCOPES].sort());
    const declared = loadOperationAccess();
    const clientOps = declared.filter((o) => Array.isArray(o.access) && o.access.includes('client'));
    expect(clientOps.length).to.be.greaterThan(4);
    const withoutScopes = clientOps.filter((o) => o.scopes.length === 0).map((o) => `${o.method} ${o.path}`);
    expect(
      withoutScopes,
      'operations a client may call must list its scopes under dpop and bearer',
    ).to.deep.equal([]);
  });

  it('matches literal paths before templated ones, HEAD as GET, and nothing else', () => {
    const match = operationMatcher([
      op('GET', '/v1/me/{id}', ['citizen']),
      op('GET', '/v1/me/access-log', ['citizen']),
      op('GET', '/v1/me/access-log.csv', ['citizen']),
      op('GET', '/v1/purposes/{code}', 'public'),
    ]);
    expect(match('GET', '/v1/me/access-log')?.path).to.equal('/v1/me/access-log');
    expect(match('GET', '/v1/me/access-log.csv')?.path).to.equal('/v1/me/access-log.csv');
    expect(match('GET', '/v1/me/other')?.path).to.equal('/v1/me/{id}');
    expect(match('HEAD', '/v1/purposes/a.b')?.path).to.equal('/v1/purposes/{code}');
    expect(match('GET', '/v1/purposes/a/b')).to.equal(undefined);
    expect(match('POST', '/v1/purposes/a.b')).to.equal(undefined);
    expect(match('GET', '/v1/meXaccess-log')?.path).to.equal(undefined);
  });

  it('refuses (fails closed) an operation without a rule, and ignores pages and unknown paths', async () => {
    const app = express();
    app.use((req, res, next) => {
      if (req.get('x-who') === 'admin') res.locals.principal = { kind: 'staff', sub: 'a', role: 'admin' };
      const scope = req.get('x-scope');
      if (scope !== undefined) {
        res.locals.principal = {
          kind: 'client',
          clientId: 'c',
          orgId: 'o',
          scope: scope.split(' ').filter(Boolean),
          ...(req.get('x-dpop') ? { cnfJkt: 'jkt' } : {}),
        };
      }
      next();
    });
    app.use(
      createAccessControl([
        op('GET', '/open', 'public'),
        op('GET', '/v1/admin', ['admin']),
        { ...op('GET', '/norule', undefined), problem: 'no x-access rule' },
        op('GET', '/auth/x', ['admin']),
        op('POST', '/q', ['client', 'clerk'], [['records:query']]),
        op('GET', '/me', ['client'], [['records:query'], ['consents:read']]),
      ]),
    );
    app.use((_req, res) => void res.json({ reached: true }));
    app.use((err: AppError, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res
        .status(err.status)
        .set(err.headers ?? {})
        .json({ code: err.code, ...err.extensions });
    });
    const bearer = await request(app).post('/q').set('x-scope', 'consents:read consents:request');
    expect(bearer.status).to.equal(403);
    expect(bearer.body).to.deep.equal({ code: 'insufficient_scope', requiredScopes: ['records:query'] });
    expect(bearer.headers['www-authenticate']).to.equal(
      'Bearer error="insufficient_scope", scope="records:query"',
    );
    const dpop = await request(app).post('/q').set('x-scope', '').set('x-dpop', '1');
    expect(dpop.headers['www-authenticate']).to.equal(
      'DPoP error="insufficient_scope", scope="records:query"',
    );
    expect((await request(app).post('/q').set('x-scope', 'records:query')).status).to.equal(200);
    const me = await request(app).get('/me').set('x-scope', 'consents:request');
    expect(me.body).to.deep.equal({
      code: 'insufficient_scope',
      requiredScopes: ['records:query', 'consents:read'],
    });
    expect((await request(app).get('/me').set('x-scope', 'consents:read')).status).to.equal(200);
    expect((await request(app).get('/open')).status).to.equal(200);
    expect((await request(app).get('/v1/admin')).body).to.deep.equal({ code: 'unauthenticated' });
    expect((await request(app).get('/v1/admin').set('x-who', 'admin')).status).to.equal(200);
    expect((await request(app).get('/norule').set('x-who', 'admin')).status).to.equal(500);
    expect((await request(app).get('/auth/x')).status, 'pages are not API operations').to.equal(200);
    expect((await request(app).get('/unknown')).status).to.equal(200);
  });
});

describe('return_to after sign-in', () => {
  it('keeps same-origin paths and refuses everything that could leave the site', () => {
    expect(safeReturnTo('/v1/me')).to.equal('/v1/me');
    expect(safeReturnTo('/portal?tab=log#top')).to.equal('/portal?tab=log#top');
    for (const evil of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      '/x\r\nLocation: https://evil.example',
      '/\t/evil.example',
      '',
      undefined,
      ['/a'],
      `/${'a'.repeat(600)}`,
    ]) {
      expect(safeReturnTo(evil), String(evil)).to.equal('/');
    }
  });
});
