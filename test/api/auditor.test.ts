import { expect } from 'chai';
import { createHash } from 'node:crypto';
import request from 'supertest';
import type { AuditEntryInput } from '../../server/audit/audit.types.js';
import {
  ADMIN,
  AUDITOR,
  asPrincipal,
  buildTestApp,
  principalFromTestHeader,
  type TestApp,
} from '../support/app.js';

const key = (n: number) => createHash('sha256').update(`subject-${n}`).digest('hex');

function entry(overrides: Partial<AuditEntryInput> & { n?: number } = {}): AuditEntryInput {
  const { n = 1, ...rest } = overrides;
  return {
    requestId: `req-${n}-${Math.random().toString(36).slice(2, 8)}`,
    subjectKey: key(n),
    outcome: 'released',
    requester: { org: 'org-seoul-jongno', clerkRef: 'clerk-a' },
    purposeCode: 'welfare.housing-benefit',
    legalBasis: 'Housing Benefit Act art. 5',
    consent: { id: 'c-1', mode: 'attested' },
    recordType: 'resident.registration-abstract',
    fields: [{ name: 'address', form: 'full' }],
    ...rest,
  };
}

describe('auditor API', () => {
  let t: TestApp;
  // 23:30 in Korea: every entry written by this app falls in the night window.
  const night = new Date('2026-11-20T14:30:00Z');

  before(async () => {
    t = await buildTestApp({
      authenticate: principalFromTestHeader,
      now: () => night,
      env: { HARVEST_FLAG_SUBJECTS_PER_HOUR: '5' },
    });
    const audit = t.composition.audit.service;
    // clerk-a: 21 accesses to 7 different subjects at night; clerk-b: 10 refusals; a bank client: 2 releases.
    await audit.appendMany(Array.from({ length: 21 }, (_, i) => entry({ n: i % 7 })));
    await audit.appendMany(
      Array.from({ length: 10 }, (_, i) =>
        entry({
          n: 100 + i,
          outcome: 'denied',
          reasonCode: 'consent_required',
          requester: { org: 'org-seoul-jongno', clerkRef: 'clerk-b' },
          consent: null,
        }),
      ),
    );
    await audit.appendMany([
      entry({
        n: 200,
        requester: { org: 'org-bank-hanbit', clientId: 'bank-hanbit-app' },
        purposeCode: 'loan.mortgage-screening',
      }),
      entry({
        n: 201,
        requester: { org: 'org-bank-hanbit', clientId: 'bank-hanbit-app' },
        purposeCode: 'loan.mortgage-screening',
      }),
    ]);
  });

  it('lists entries by organisation, clerk and outcome, newest first, paged', async () => {
    const bank = await request(t.app)
      .get('/v1/audit/entries?organisation=org-bank-hanbit')
      .set(...asPrincipal(AUDITOR));
    expect(bank.status).to.equal(200);
    expect(bank.body.items).to.have.length(2);
    expect(bank.body.items[0].entryId).to.be.greaterThan(bank.body.items[1].entryId);
    expect(bank.body.items[0].requester).to.deep.equal({
      org: 'org-bank-hanbit',
      clientId: 'bank-hanbit-app',
      clerkRef: null,
    });
    const denials = await request(t.app)
      .get('/v1/audit/entries?clerk=clerk-b&outcome=denied&limit=4')
      .set(...asPrincipal(ADMIN));
    expect(denials.body.items).to.have.length(4);
    expect(
      denials.body.items.every((e: { reasonCode: string }) => e.reasonCode === 'consent_required'),
    ).to.equal(true);
    const rest = await request(t.app)
      .get(`/v1/audit/entries?clerk=clerk-b&outcome=denied&limit=100&cursor=${denials.body.next}`)
      .set(...asPrincipal(ADMIN));
    expect(rest.body.items).to.have.length(6);
    expect(rest.body.next).to.equal(null);
  });

  it('flags harvesting, off-hours bulk and repeated denials', async () => {
    const res = await request(t.app)
      .get('/v1/audit/anomalies?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z')
      .set(...asPrincipal(AUDITOR));
    expect(res.status).to.equal(200);
    const flags = res.body.items.map(
      (f: { kind: string; requester: string; count: number }) => `${f.kind} ${f.requester} ${f.count}`,
    );
    expect(flags).to.include('harvesting clerk:clerk-a 7');
    expect(flags).to.include('off_hours_bulk clerk:clerk-a 21');
    expect(flags).to.include('repeated_denials clerk:clerk-b 10');
    expect(flags.some((f: string) => f.includes('bank-hanbit-app'))).to.equal(false);
    const tooWide = await request(t.app)
      .get('/v1/audit/anomalies?from=2026-01-01T00:00:00Z&to=2026-11-21T00:00:00Z')
      .set(...asPrincipal(AUDITOR));
    expect(tooWide.status).to.equal(400);
  });

  it('is for auditors and admins only', async () => {
    const anonymous = await request(t.app).get('/v1/audit/entries');
    expect(anonymous.status).to.equal(401);
    const clerk = await request(t.app)
      .get('/v1/audit/entries')
      .set(...asPrincipal({ kind: 'clerk', sub: 'c', clerkId: 'clerk-a', orgId: 'org-seoul-jongno' }));
    expect(clerk.status).to.equal(403);
  });
});
