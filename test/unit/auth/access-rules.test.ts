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
  operationMatcher,
  type OperationAccess,
} from '../../../server/auth/access.js';
import { safeReturnTo } from '../../../server/auth/login.service.js';
import type { Principal } from '../../../server/auth/principal.js';
import { AppError } from '../../../server/errors.js';

const op = (method: string, path: string, access: OperationAccess['access']): OperationAccess => ({
  method,
  path,
  operationId: undefined,
  access,
});

describe('access rules (x-access)', () => {
  it('parses public, role lists, and reports missing or unknown rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'juc-access-'));
    const file = join(dir, 'spec.yaml');
    writeFileSync(
      file,
      [
        'openapi: 3.1.0',
        'paths:',
        '  /a:',
        '    get: { operationId: a, x-access: public }',
        '    post: { operationId: b, x-access: [admin, auditor, admin] }',
        '    parameters: []',
        '  /b:',
        '    get: { operationId: c }',
        '    put: { operationId: d, x-access: [root] }',
        '    delete: { operationId: e, x-access: [] }',
      ].join('\n'),
    );
    const ops = loadOperationAccess(file);
    expect(ops.map((o) => [o.method, o.path, o.access, o.problem])).to.deep.equal([
      ['GET', '/a', 'public', undefined],
      ['POST', '/a', ['admin', 'auditor'], undefined],
      ['GET', '/b', undefined, 'no x-access rule'],
      ['PUT', '/b', undefined, 'x-access names unknown roles: root'],
      ['DELETE', '/b', undefined, 'x-access must be "public" or a non-empty list of roles'],
    ]);
  });

  it('decides 401 for nobody, 403 for the wrong role, allow for the right one', () => {
    const citizen: Principal = { kind: 'citizen', sub: 's', subjectKey: 'k' };
    const auditor: Principal = { kind: 'staff', sub: 's', role: 'auditor' };
    expect(decide('public', undefined)).to.equal('allow');
    expect(decide(['citizen'], undefined)).to.equal(401);
    expect(decide(['citizen'], citizen)).to.equal('allow');
    expect(decide(['admin'], auditor)).to.equal(403);
    expect(decide(['admin', 'auditor'], auditor)).to.equal('allow');
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
      next();
    });
    app.use(
      createAccessControl([
        op('GET', '/open', 'public'),
        op('GET', '/admin', ['admin']),
        { ...op('GET', '/norule', undefined), problem: 'no x-access rule' },
        op('GET', '/auth/x', ['admin']),
      ]),
    );
    app.use((_req, res) => void res.json({ reached: true }));
    app.use((err: AppError, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status).json({ code: err.code });
    });
    expect((await request(app).get('/open')).status).to.equal(200);
    expect((await request(app).get('/admin')).body).to.deep.equal({ code: 'unauthenticated' });
    expect((await request(app).get('/admin').set('x-who', 'admin')).status).to.equal(200);
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
