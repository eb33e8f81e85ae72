/**
 * A consents use-case context over the in-memory repo, for unit tests of consent rules: a clock the
 * test moves, the builder's organisation and purpose, and every port a rule under test should not
 * touch (catalog, keys, rate limiter) failing loudly if it does.
 */
import type { KeyStore } from '../../../server/keys/key-store.js';
import type { RateLimiter } from '../../../server/limits/rate-limiter.js';
import type { Organisation, Purpose } from '../../../server/organisations/organisations.types.js';
import { createConsentsContext, type ConsentsContext } from '../../../server/consents/use-cases/context.js';
import {
  BUILDER_NOW,
  BUILDER_ORG,
  BUILDER_PURPOSE,
  BUILDER_RECORD_TYPE,
} from '../builders/consent.builder.js';
import { createFakeConsentsRepo, type FakeConsentsRepo } from './consents-repo.fake.js';

/** A port the test does not expect to be used: any property read throws, naming it. */
function untouched<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      throw new Error(`the ${name} port was used (.${String(property)}) by a rule that should not need it`);
    },
  });
}

const ORGANISATION: Organisation = {
  id: BUILDER_ORG,
  class: 'bank',
  names: { en: 'Builder Bank', ko: '빌더은행', ja: 'ビルダー銀行' },
  status: 'active',
  createdAt: BUILDER_NOW.toISOString(),
  updatedAt: BUILDER_NOW.toISOString(),
};

const PURPOSE: Purpose = {
  code: BUILDER_PURPOSE,
  names: { en: 'Loan screening', ko: '대출 심사', ja: '融資審査' },
  legalBasis: 'PIPA art. 15(1)1',
  consentBasis: 'consent',
  recordTypes: [BUILDER_RECORD_TYPE],
  bounds: { maxConsentDays: 365, maxUses: 10, maxDataRangeDays: 365 },
  procedure: false,
  status: 'active',
};

export interface FakeConsents {
  ctx: ConsentsContext;
  repo: FakeConsentsRepo;
  /** Moves the use cases' clock. */
  setNow(now: Date): void;
}

export function fakeConsents(now = BUILDER_NOW): FakeConsents {
  let clock = now;
  const repo = createFakeConsentsRepo();
  const ctx = createConsentsContext({
    repo,
    organisations: {
      assertEntitled: async () => ({ organisation: ORGANISATION, purpose: PURPOSE }),
      getOrganisation: async () => ORGANISATION,
      getPurpose: async () => PURPOSE,
    },
    catalog: untouched('catalog'),
    keys: untouched<KeyStore>('key store'),
    pepper: new TextEncoder().encode('unit-test-pepper'),
    publicUrl: 'https://juc.test',
    allowLoopbackHttp: false,
    requestTtlSeconds: 86_400,
    tokenTtlSeconds: 300,
    rateLimiter: untouched<RateLimiter>('rate limiter'),
    requestLimits: { perMinute: 60, perSubjectPerHour: 20 },
    now: () => clock,
  });
  return { ctx, repo, setNow: (next) => (clock = next) };
}
