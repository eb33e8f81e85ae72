import { expect } from 'chai';
import fc from 'fast-check';
import type { Knex } from 'knex';
import type { CitizenPrincipal, ClientPrincipal, ClerkPrincipal } from '../../../server/auth/principal.js';
import type { AuthorizeUseInput, ConsentsService } from '../../../server/consents/consents.service.js';
import { AppError } from '../../../server/errors.js';
import { buildTestApp, principalFromTestHeader, type TestApp } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import {
  CLERK,
  GAON,
  HANBIT,
  MINJUN_ID,
  SEOYEON_ID,
  citizen,
  mortgageRequest,
  seedConsentWorld,
} from '../../api/consents/consent-fixtures.js';

const RESIDENT = 'resident.registration-abstract';
const TAX = 'tax.income-amount-certificate';

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('consent verification (authorizeUse)', function () {
  this.timeout(40_000);
  let t: TestApp;
  let consents: ConsentsService;
  let db: Knex;
  let minjun: CitizenPrincipal;
  let client: ClientPrincipal;

  before(async () => {
    const database = await freshDatabase({ poolMax: 20 });
    t = await buildTestApp({ authenticate: principalFromTestHeader, database });
    db = database.db;
    await seedConsentWorld(t);
    consents = t.composition.services.consents;
    minjun = citizen(t, MINJUN_ID, 'citizen-minjun');
    client = { ...HANBIT, cnfJkt: 'dpop-key-thumbprint' };
  });

  /** An ACTIVE consent (3 uses) approved by Min-jun, and a fresh token for it. */
  async function activeConsent(body = mortgageRequest()) {
    const created = await consents.createRequest(HANBIT, body as never);
    const record = await consents.decide(minjun, created.id, {
      approve: true,
      keepOptional: { [TAX]: ['attributionYear'] },
    });
    const { token } = await consents.issueToken(client, created.id);
    return { id: created.id, record, token };
  }

  /** Runs authorizeUse in a transaction that is always rolled back, so no use is counted. */
  async function tryUse(input: AuthorizeUseInput): Promise<string> {
    let outcome = 'ok';
    await db
      .transaction(async (trx) => {
        outcome = await codeOf(consents.authorizeUse(input, { trx }));
        throw new Error('rollback');
      })
      .catch((err: Error) => {
        if (err.message !== 'rollback') throw err;
      });
    return outcome;
  }

  it('grants exactly the requested fields within the consent, and counts uses up to EXHAUSTED', async () => {
    const { id, token, record } = await activeConsent();
    const base: AuthorizeUseInput = {
      principal: client,
      subjectKey: minjun.subjectKey,
      purposeCode: 'loan.mortgage-screening',
      recordTypes: [RESIDENT, TAX],
      requestedFields: { [RESIDENT]: ['address'], [TAX]: 'all' },
      consentToken: token,
      now: new Date(),
    };
    const grant = await consents.authorizeUse(base);
    expect(grant).to.deep.equal({
      consentId: id,
      version: record.version,
      mode: 'citizen',
      grantedFields: { [RESIDENT]: ['address'], [TAX]: ['taxpayerName', 'totalIncome', 'attributionYear'] },
      // The consented period travels with the grant: the release withholds records dated outside it.
      dataRange: { from: '2025-01-01', to: '2025-12-31' },
      // No sensitive item or unique identifier asked for, so nothing was agreed to apart.
      separateAgreement: null,
    });
    await consents.authorizeUse(base);
    await consents.authorizeUse(base); // the third and last use moves the record to EXHAUSTED
    expect((await consents.get(id))!.status).to.equal('EXHAUSTED');
    expect(await codeOf(consents.authorizeUse(base))).to.equal('consent_exhausted');
    expect((await consents.events(id)).map((e) => e.type)).to.deep.equal([
      'requested',
      'approved',
      'exhausted',
    ]);
  });

  it('fails when any one of subject, requester, client, record type, field, purpose, time window or a signature byte changes', async () => {
    const { token } = await activeConsent();
    const now = new Date();
    const base: AuthorizeUseInput = {
      principal: client,
      subjectKey: minjun.subjectKey,
      purposeCode: 'loan.mortgage-screening',
      recordTypes: [RESIDENT, TAX],
      requestedFields: { [RESIDENT]: ['householdHeadName'], [TAX]: ['taxpayerName'] },
      consentToken: token,
      now,
    };
    expect(await tryUse(base)).to.equal('ok');
    const exp = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number })
      .exp;
    const catalogIds = t.composition.services.catalog.list().map((r) => r.id);
    const otherTypes = catalogIds.filter((id) => id !== RESIDENT && id !== TAX);
    const residentFields = Object.keys(t.composition.services.catalog.get(RESIDENT).schema.properties);
    const ungranted = residentFields.filter((f) => !['householdHeadName', 'address'].includes(f));

    const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/).filter((k) => k !== minjun.subjectKey);
    const mutation = fc.oneof(
      hex64.map((subjectKey) => ({
        what: 'subject',
        input: { ...base, subjectKey },
        codes: ['subject_mismatch'],
      })),
      fc.constantFrom('org-bank-gaon', 'org-bank-nuri', 'org-seoul-jongno').map((orgId) => ({
        what: 'requester',
        input: { ...base, principal: { ...client, orgId } },
        codes: ['consent_invalid'],
      })),
      fc.constantFrom(GAON.clientId, 'bank-hanbit-other', 'x').map((clientId) => ({
        what: 'client',
        input: { ...base, principal: { ...client, clientId } },
        codes: ['consent_invalid'],
      })),
      fc.constantFrom(undefined, 'another-dpop-key').map((cnfJkt) => ({
        what: 'client key',
        input: { ...base, principal: { ...HANBIT, ...(cnfJkt ? { cnfJkt } : {}) } },
        codes: ['consent_invalid'],
      })),
      fc.constantFrom(...otherTypes).map((rt) => ({
        what: 'record type',
        input: { ...base, recordTypes: [RESIDENT, rt], requestedFields: { [RESIDENT]: ['address'] } },
        codes: ['forbidden'],
      })),
      fc.constantFrom(...ungranted, 'noSuchField').map((field) => ({
        what: 'field',
        input: { ...base, requestedFields: { ...base.requestedFields, [RESIDENT]: ['address', field] } },
        codes: ['forbidden'],
      })),
      fc
        .constantFrom('loan.jeonse-deposit', 'account.opening', 'welfare.housing-benefit', 'loan.mortgage')
        .map((p) => ({
          what: 'purpose',
          input: { ...base, purposeCode: p },
          codes: ['forbidden'],
        })),
      fc
        .oneof(
          fc.integer({ min: exp + 61, max: exp + 400 * 86_400 }),
          fc.integer({ min: 0, max: exp - 600 - 61 }),
        )
        .map((seconds) => ({
          what: 'time window',
          input: { ...base, now: new Date(seconds * 1000) },
          codes: ['consent_invalid'],
        })),
      fc.tuple(fc.nat(63), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
        const [h, p, s] = token.split('.') as [string, string, string];
        const sig = Buffer.from(s, 'base64url');
        sig[at] = sig[at]! ^ xor;
        return {
          what: 'signature',
          input: { ...base, consentToken: `${h}.${p}.${sig.toString('base64url')}` },
          codes: ['consent_invalid'],
        };
      }),
    );

    await fc.assert(
      fc.asyncProperty(mutation, async ({ what, input, codes }) => {
        const code = await tryUse(input as AuthorizeUseInput);
        expect(codes, `${what} → ${code}`).to.include(code);
      }),
      { numRuns: 120 },
    );
    // Nothing above counted a use.
    expect(await tryUse(base)).to.equal('ok');
  });

  it('refuses a token for an older version after pause and resume, and a missing token or consent reference', async () => {
    const { id, token } = await activeConsent();
    const base: AuthorizeUseInput = {
      principal: client,
      subjectKey: minjun.subjectKey,
      purposeCode: 'loan.mortgage-screening',
      recordTypes: [RESIDENT],
      requestedFields: {},
      consentToken: token,
      now: new Date(),
    };
    await consents.pause(minjun, id);
    expect(await tryUse(base)).to.equal('forbidden');
    await consents.resume(minjun, id);
    expect(await tryUse(base)).to.equal('consent_invalid');
    const fresh = await consents.issueToken(client, id);
    expect(await tryUse({ ...base, consentToken: fresh.token })).to.equal('ok');
    const { consentToken: _t, ...noToken } = base;
    expect(await tryUse(noToken)).to.equal('consent_required');
    expect(await tryUse({ ...base, principal: CLERK })).to.equal('consent_required');
    expect(await tryUse({ ...base, principal: minjun })).to.equal('forbidden');
  });

  it('records attested and statutory counter consents the citizen sees, single use, for entitled purposes only', async () => {
    const clerk: ClerkPrincipal = CLERK;
    const attested = await consents.recordAttestedConsent({
      clerk,
      subjectKey: minjun.subjectKey,
      purposeCode: 'welfare.housing-benefit',
      recordTypes: [RESIDENT],
      documentReference: 'FORM-2025-000123',
      now: new Date(),
    });
    const use: AuthorizeUseInput = {
      principal: clerk,
      subjectKey: minjun.subjectKey,
      purposeCode: 'welfare.housing-benefit',
      recordTypes: [RESIDENT],
      requestedFields: { [RESIDENT]: 'all' },
      consentId: attested.id,
      now: new Date(),
    };
    use.now = new Date();
    expect(await consents.authorizeUse(use)).to.deep.include({
      mode: 'attested',
      grantedFields: { [RESIDENT]: 'all' },
    });
    expect(await codeOf(consents.authorizeUse(use))).to.equal('consent_exhausted');
    expect(
      await codeOf(consents.authorizeUse({ ...use, subjectKey: citizen(t, SEOYEON_ID, 's').subjectKey })),
    ).to.equal('subject_mismatch');
    expect(
      await codeOf(consents.authorizeUse({ ...use, principal: { ...clerk, orgId: 'org-busan-haeundae' } })),
    ).to.equal('consent_invalid');

    const statutory = await consents.recordStatutoryBasis({
      clerk,
      subjectKey: minjun.subjectKey,
      purposeCode: 'resident.move-in-report',
      recordTypes: [RESIDENT],
      now: new Date(),
    });
    expect(
      await consents.authorizeUse({
        ...use,
        purposeCode: 'resident.move-in-report',
        consentId: statutory.id,
        now: new Date(),
      }),
    ).to.deep.include({ mode: 'statutory' });
    expect(
      await codeOf(
        consents.recordStatutoryBasis({
          clerk,
          subjectKey: minjun.subjectKey,
          purposeCode: 'welfare.housing-benefit',
          recordTypes: [RESIDENT],
        }),
      ),
    ).to.equal('validation_failed');
    expect(
      await codeOf(
        consents.recordAttestedConsent({
          clerk,
          subjectKey: minjun.subjectKey,
          purposeCode: 'loan.mortgage-screening',
          recordTypes: [RESIDENT],
          documentReference: 'FORM-1',
        }),
      ),
    ).to.equal('purpose_not_allowed');

    const mine = await consents.listMine(minjun, { limit: 100 });
    const modes = mine.items
      .filter((c) => c.id === attested.id || c.id === statutory.id)
      .map((c) => [c.mode, c.status]);
    expect(modes).to.have.deep.members([
      ['attested', 'EXHAUSTED'],
      ['statutory', 'EXHAUSTED'],
    ]);
    const detail = await consents.getMine(minjun, attested.id);
    expect(detail).to.include({ documentReference: 'FORM-2025-000123', clerkId: clerk.clerkId });
    expect(detail.events!.map((e) => e.type)).to.deep.equal(['attested', 'exhausted']);
  });

  it('lets no use succeed after a revocation commits, with uses in flight', async () => {
    const orgs = t.composition.services.organisations;
    await orgs.createPurpose(
      {
        code: 'test.revocation-race',
        names: { en: 'Race test', ko: '경합 시험', ja: '競合試験' },
        legalBasis: 'Test',
        consentBasis: 'consent',
        recordTypes: [RESIDENT],
        bounds: { maxConsentDays: 30, maxUses: 100_000, maxDataRangeDays: 30 },
        procedure: false,
      },
      { id: 'test' },
    );
    await orgs.setEntitlements(
      HANBIT.orgId,
      [...(await orgs.entitlements(HANBIT.orgId)), 'test.revocation-race'],
      {
        id: 'test',
      },
    );
    const { id, token } = await activeConsent({
      subject: { scheme: 'rrn', id: MINJUN_ID },
      purpose: 'test.revocation-race',
      records: [{ recordType: RESIDENT, fields: { required: ['address'] } }],
      durationDays: 30,
      usage: { fetch: 'limited', maxUses: 100_000 },
      dataLife: { unit: 'day', value: 1 },
    });
    const input = (): AuthorizeUseInput => ({
      principal: client,
      subjectKey: minjun.subjectKey,
      purposeCode: 'test.revocation-race',
      recordTypes: [RESIDENT],
      requestedFields: { [RESIDENT]: ['address'] },
      consentToken: token,
      now: new Date(),
    });

    const race: { revokedAt?: number } = {};
    const successes: { startedAt: number }[] = [];
    const failures: string[] = [];
    // Each worker is a query: authorizeUse, then the "audit write" (a short pause), then commit.
    const worker = async () => {
      while (failures.length < 200) {
        const startedAt = performance.now();
        const outcome = await db
          .transaction(async (trx) => {
            await consents.authorizeUse(input(), { trx });
            await new Promise((r) => setTimeout(r, 2));
          })
          .then(
            () => 'ok',
            (err: unknown) => (err instanceof AppError ? err.code : Promise.reject(err)),
          );
        if (outcome === 'ok') successes.push({ startedAt });
        else {
          failures.push(outcome);
          if (race.revokedAt !== undefined && startedAt > race.revokedAt) break;
        }
      }
    };
    const workers = Array.from({ length: 12 }, worker);
    await new Promise((r) => setTimeout(r, 150));
    const revoked = await consents.revoke(minjun, id, 'race');
    race.revokedAt = performance.now();
    await Promise.all(workers);

    const event = (await consents.events(id)).find((e) => e.type === 'revoked')!;
    const countAtRevocation = event.detail.useCount as number;
    const row = (await db('consent').where({ id }).first()) as { use_count: number; status: string };
    expect(revoked.status).to.equal('REVOKED');
    expect(successes.length).to.be.greaterThan(0);
    // Every counted use committed before the revocation saw the row; none after.
    expect(row.use_count).to.equal(countAtRevocation);
    expect(successes.length).to.equal(countAtRevocation);
    expect(successes.filter((s) => s.startedAt > race.revokedAt!)).to.have.length(0);
    expect(failures.length).to.be.greaterThan(0);
    expect(new Set(failures)).to.deep.equal(new Set(['consent_revoked']));
  });
});
