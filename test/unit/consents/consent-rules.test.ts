/**
 * Consent rules on the in-memory repo (no database): which citizen changes each state allows, how
 * uses are counted up to EXHAUSTED, which state refuses a use with which code, and the expiry
 * sweep. The expected outcomes are written out by hand from DESIGN §10 and consent.md, never
 * computed by the code under test. The fake keeps the knex repo's contract
 * (test/integration/consents/consents-repo.contract.test.ts), so these hold on PostgreSQL too.
 */
import { expect } from 'chai';
import type { CitizenPrincipal, ClerkPrincipal } from '../../../server/auth/principal.js';
import type { ConsentRecord, ConsentStatus } from '../../../server/consents/consents.types.js';
import { authorizeUse } from '../../../server/consents/use-cases/authorize-use.js';
import { expireDue, pause, resume, revoke } from '../../../server/consents/use-cases/lifecycle.js';
import { AppError } from '../../../server/errors.js';
import {
  BUILDER_NOW,
  BUILDER_ORG,
  BUILDER_PURPOSE,
  BUILDER_RECORD_TYPE,
  BUILDER_SUBJECT,
  givenConsent,
  noParents,
} from '../../support/builders/consent.builder.js';
import { fakeConsents, type FakeConsents } from '../../support/fakes/consents-context.fake.js';

const DAY_MS = 86_400_000;
const CITIZEN: CitizenPrincipal = { kind: 'citizen', sub: 'citizen-a', subjectKey: BUILDER_SUBJECT };
const CLERK: ClerkPrincipal = { kind: 'clerk', sub: 'clerk-sub', clerkId: 'clerk-1', orgId: BUILDER_ORG };

/** The error code a use case threw, or 'ok'. */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('consent rules (use cases on the in-memory repo)', () => {
  let world: FakeConsents;
  beforeEach(() => {
    world = fakeConsents();
  });

  /** A counter consent the clerk records, so a use needs no consent token. */
  const clerkConsent = (overrides: Partial<ConsentRecord> = {}) =>
    givenConsent(world.repo, noParents, {
      mode: 'attested',
      clientId: null,
      clerkId: 'clerk-1',
      ...overrides,
    });

  /** A use by the clerk; a dry run (the gateway's check before any registry is read) counts nothing. */
  const use = (record: ConsentRecord, now = BUILDER_NOW, options: { dryRun?: boolean } = {}) =>
    authorizeUse(
      world.ctx,
      {
        principal: CLERK,
        subjectKey: BUILDER_SUBJECT,
        purposeCode: BUILDER_PURPOSE,
        recordTypes: [BUILDER_RECORD_TYPE],
        requestedFields: { [BUILDER_RECORD_TYPE]: ['address'] },
        consentId: record.id,
        now,
      },
      options,
    );

  describe('citizen changes', () => {
    // What each change leaves the consent in, from each state; 'conflict' = refused, nothing written.
    const table: [ConsentStatus, { pause: string; resume: string; revoke: string }][] = [
      ['ACTIVE', { pause: 'PAUSED', resume: 'conflict', revoke: 'REVOKED' }],
      ['PAUSED', { pause: 'conflict', resume: 'ACTIVE', revoke: 'REVOKED' }],
      ['REQUESTED', { pause: 'conflict', resume: 'conflict', revoke: 'conflict' }],
      ['REJECTED', { pause: 'conflict', resume: 'conflict', revoke: 'conflict' }],
      ['REVOKED', { pause: 'conflict', resume: 'conflict', revoke: 'conflict' }],
      ['EXPIRED', { pause: 'conflict', resume: 'conflict', revoke: 'conflict' }],
      ['EXHAUSTED', { pause: 'conflict', resume: 'conflict', revoke: 'conflict' }],
    ];
    const changes = { pause, resume, revoke };

    for (const [from, expected] of table) {
      for (const action of ['pause', 'resume', 'revoke'] as const) {
        const to = expected[action];
        it(`${action} from ${from}: ${to === 'conflict' ? 'refused (409), nothing written' : to}`, async () => {
          const record = await givenConsent(world.repo, noParents, { status: from });
          const result = await outcome(changes[action](world.ctx, CITIZEN, record.id, 'a reason'));
          const after = (await world.repo.get(record.id))!;
          const events = await world.repo.events(record.id);
          if (to === 'conflict') {
            expect(result).to.equal('conflict');
            expect(after).to.deep.equal(record);
            expect(events).to.deep.equal([]);
          } else {
            expect(result).to.equal('ok');
            expect(after).to.deep.include({
              status: to,
              version: record.version + 1,
              statusReason: 'a reason',
            });
            expect(events.map((e) => [e.type, e.state, e.actor, e.version])).to.deep.equal([
              [`${action}d`, to, 'citizen', record.version + 1],
            ]);
          }
        });
      }
    }

    it("another citizen's consent is not found, and stays as it was", async () => {
      const record = await givenConsent(world.repo, noParents, { subjectKey: 'b'.repeat(64) });
      expect(await outcome(revoke(world.ctx, CITIZEN, record.id))).to.equal('not_found');
      expect(await world.repo.get(record.id)).to.deep.equal(record);
    });

    it('a revocation notes how many uses were made', async () => {
      const record = await givenConsent(world.repo, noParents, { useCount: 2 });
      await revoke(world.ctx, CITIZEN, record.id);
      expect((await world.repo.events(record.id))[0]!.detail).to.deep.equal({ useCount: 2 });
    });
  });

  describe('uses', () => {
    it('counts each use; the one that reaches the maximum makes the consent EXHAUSTED, the next is refused', async () => {
      const record = await clerkConsent({ maxUses: 3 });
      await use(record);
      await use(record);
      expect(await world.repo.get(record.id)).to.deep.include({ useCount: 2, status: 'ACTIVE', version: 2 });
      expect(await world.repo.events(record.id)).to.deep.equal([]);

      await use(record);
      const exhausted = (await world.repo.get(record.id))!;
      expect(exhausted).to.deep.include({ useCount: 3, status: 'EXHAUSTED', version: 3 });
      expect((await world.repo.events(record.id)).map((e) => [e.type, e.state, e.actor])).to.deep.equal([
        ['exhausted', 'EXHAUSTED', 'system'],
      ]);

      expect(await outcome(use(record, BUILDER_NOW, { dryRun: true }))).to.equal('consent_exhausted');
      expect(await outcome(use(record))).to.equal('consent_exhausted');
      expect((await world.repo.get(record.id))!.useCount).to.equal(3);
    });

    it('a single-use consent is exhausted by its one use', async () => {
      const record = await clerkConsent({ maxUses: 1 });
      expect(await outcome(use(record))).to.equal('ok');
      expect((await world.repo.get(record.id))!.status).to.equal('EXHAUSTED');
    });

    // DESIGN §10: which code a use meets in each state that is not ACTIVE.
    const refusals: [ConsentStatus, string][] = [
      ['REVOKED', 'consent_revoked'],
      ['EXHAUSTED', 'consent_exhausted'],
      ['PAUSED', 'forbidden'],
      ['EXPIRED', 'forbidden'],
      ['REJECTED', 'forbidden'],
      ['REQUESTED', 'forbidden'],
    ];
    for (const [status, code] of refusals) {
      it(`a ${status} consent refuses a use, and its dry run, with ${code} and counts nothing`, async () => {
        const record = await clerkConsent({ status });
        expect(await outcome(use(record, BUILDER_NOW, { dryRun: true }))).to.equal(code);
        expect(await outcome(use(record))).to.equal(code);
        expect(await world.repo.get(record.id)).to.deep.equal(record);
      });
    }

    it('refuses a use outside the validity window, at its end included', async () => {
      const record = await clerkConsent();
      expect(await outcome(use(record, record.validUntil!))).to.equal('forbidden');
      expect(await outcome(use(record, new Date(record.validFrom!.getTime() - 1)))).to.equal('forbidden');
      expect((await world.repo.get(record.id))!.useCount).to.equal(0);
    });
  });

  describe('expiry sweep', () => {
    it('moves consents past their end and requests past their deadline to EXPIRED, once', async () => {
      const ended = await givenConsent(world.repo, noParents, {
        validUntil: new Date(BUILDER_NOW.getTime() - 1),
      });
      const paused = await givenConsent(world.repo, noParents, {
        status: 'PAUSED',
        validUntil: new Date(BUILDER_NOW.getTime() - DAY_MS),
      });
      const lapsed = await givenConsent(world.repo, noParents, {
        status: 'REQUESTED',
        validFrom: null,
        validUntil: null,
        requestExpiresAt: BUILDER_NOW,
      });
      const running = await givenConsent(world.repo, noParents, {
        validUntil: new Date(BUILDER_NOW.getTime() + 1),
      });

      expect(await expireDue(world.ctx)).to.equal(3);
      for (const record of [ended, paused, lapsed]) {
        expect((await world.repo.get(record.id))!.status).to.equal('EXPIRED');
        expect((await world.repo.events(record.id)).map((e) => [e.type, e.actor])).to.deep.equal([
          ['expired', 'system'],
        ]);
      }
      expect(await world.repo.get(running.id)).to.deep.equal(running);
      expect(await expireDue(world.ctx)).to.equal(0);
    });
  });
});
