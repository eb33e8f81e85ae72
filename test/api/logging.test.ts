import { expect } from 'chai';
import request from 'supertest';
import { createLogger } from '../../server/http/logger.js';
import { buildTestApp, LogCapture } from '../support/app.js';

describe('logging', () => {
  it('never writes bearer tokens, cookies, DPoP proofs or query strings from requests', async () => {
    const t = await buildTestApp();
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA';
    await request(t.app)
      .get('/healthz?nationalId=9001011234568')
      .set('Authorization', `Bearer ${token}`)
      .set('Cookie', 'sid=session-secret-value')
      .set('DPoP', 'dpop-proof-secret');
    const text = t.logs.text;
    expect(text).to.contain('/healthz');
    for (const secret of [token, 'session-secret-value', 'dpop-proof-secret', '9001011234568']) {
      expect(text).not.to.contain(secret);
    }
  });

  it('leaves the request line of a verification query to its audit entry, but still logs its refusal', async () => {
    const t = await buildTestApp();
    const res = await request(t.app).post('/v1/queries').send({});
    expect(res.status).to.equal(401);
    const lines = t.logs
      .records()
      .filter((r) => r.reqId === res.body.requestId || (r.req as { id?: string })?.id === res.body.requestId);
    expect(lines.map((r) => r.msg)).to.deep.equal(['request refused']);
    await request(t.app).get('/healthz');
    expect(t.logs.records().some((r) => r.msg === 'GET /healthz 200')).to.equal(true);
  });

  it('censors national ID numbers and tokens in logged objects', () => {
    const logs = new LogCapture();
    const logger = createLogger('info', logs);
    logger.info(
      {
        subject: { id: '9001011234568' },
        query: { nationalId: '9001011234568', consentToken: 'tok-secret' },
      },
      'x',
    );
    expect(logs.text).not.to.contain('9001011234568');
    expect(logs.text).not.to.contain('tok-secret');
    expect(logs.text).to.contain('[redacted]');
  });
});
