/**
 * The consents repo port (server/consents/consents.repo.ts) in memory, for fast use-case tests of
 * consent rules. test/integration/consents/consents-repo.contract.test.ts runs one contract against
 * this fake and the knex repo on PostgreSQL, so a rule tested here holds there.
 *
 * What it does not model, and is tested on PostgreSQL only: concurrency (row locks, a revocation
 * racing the conditional UPDATE), foreign keys, and the SQL statement guards (useGuard,
 * exhaustGuard), which the query gateway runs beside its audit INSERT; they throw here.
 * A transaction is a snapshot restored when its work throws. Records cross the port as copies,
 * as rows do: a use case that forgets to write a change back loses it here too.
 */
import type { Transaction } from '../../../server/db/unit-of-work.js';
import type {
  ConsentsRepo,
  Delivery,
  NewEvent,
  SubjectPageCursor,
} from '../../../server/consents/consents.repo.js';
import type { ConsentEvent, ConsentRecord, ConsentStatus } from '../../../server/consents/consents.types.js';

interface StoredDelivery extends Delivery {
  status: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: Date;
}

interface State {
  consents: Map<string, ConsentRecord>;
  events: ConsentEvent[];
  deliveries: StoredDelivery[];
  redirectUris: Map<string, string[]>;
  nextEventId: number;
  nextDeliveryId: number;
}

/** Active first, then paused, pending, and the rest (the knex repo's RANK). */
const rank = (status: ConsentStatus): number =>
  status === 'ACTIVE' ? 0 : status === 'PAUSED' ? 1 : status === 'REQUESTED' ? 2 : 3;

/** Stands for a transaction: the fake has nothing to hand a statement, only the work to undo. */
const FAKE_TRANSACTION = Object.freeze({ fakeTransaction: true }) as unknown as Transaction;

// As stored: separate_agreement is written as NULL when absent and read back as null.
const stored = (record: ConsentRecord): ConsentRecord =>
  structuredClone({ ...record, separateAgreement: record.separateAgreement ?? null });

/** The port itself: tests read what a use case wrote through get(), events() and deliveries(). */
export type FakeConsentsRepo = ConsentsRepo;

export function createFakeConsentsRepo(): FakeConsentsRepo {
  let state: State = {
    consents: new Map(),
    events: [],
    deliveries: [],
    redirectUris: new Map(),
    nextEventId: 1,
    nextDeliveryId: 1,
  };
  const read = (id: string): ConsentRecord | undefined => {
    const record = state.consents.get(id);
    return record ? structuredClone(record) : undefined;
  };
  const sqlOnly = (name: string): never => {
    throw new Error(`${name} is a SQL statement guard: test it against the knex repo on PostgreSQL.`);
  };

  return {
    async transaction<T>(work: (trx: Transaction) => Promise<T>): Promise<T> {
      const before = structuredClone(state);
      try {
        return await work(FAKE_TRANSACTION);
      } catch (err) {
        state = before;
        throw err;
      }
    },

    async insert(record: ConsentRecord): Promise<void> {
      if (state.consents.has(record.id)) throw new Error(`duplicate key: consent ${record.id}`);
      if (record.shortCode && [...state.consents.values()].some((c) => c.shortCode === record.shortCode))
        throw new Error(`duplicate key: short code ${record.shortCode}`);
      state.consents.set(record.id, stored(record));
    },

    async get(id: string): Promise<ConsentRecord | undefined> {
      return read(id);
    },

    async getForUpdate(id: string): Promise<ConsentRecord | undefined> {
      return read(id);
    },

    async findByShortCode(code: string): Promise<ConsentRecord | undefined> {
      const record = [...state.consents.values()].find((c) => c.shortCode === code);
      return record ? structuredClone(record) : undefined;
    },

    async replace(record: ConsentRecord): Promise<void> {
      // An UPDATE by id: a record that is not there stays not there.
      if (state.consents.has(record.id)) state.consents.set(record.id, stored(record));
    },

    async countUse(id: string, version: number, now: Date): Promise<ConsentRecord | undefined> {
      const record = state.consents.get(id);
      const usable =
        record !== undefined &&
        record.version === version &&
        record.status === 'ACTIVE' &&
        record.useCount < record.maxUses &&
        record.validFrom !== null &&
        record.validUntil !== null &&
        record.validFrom <= now &&
        record.validUntil > now;
      if (!usable) return undefined;
      record.useCount += 1;
      record.lastUsedAt = new Date(now);
      return structuredClone(record);
    },

    useGuard: () => sqlOnly('useGuard'),
    exhaustGuard: () => sqlOnly('exhaustGuard'),

    async insertEvent(event: NewEvent): Promise<number> {
      const id = state.nextEventId++;
      state.events.push(structuredClone({ ...event, id }));
      return id;
    },

    async events(consentId: string): Promise<ConsentEvent[]> {
      return state.events.filter((e) => e.consentId === consentId).map((e) => structuredClone(e));
    },

    async enqueueDelivery(d: {
      consentId: string;
      eventId: number;
      url: string;
      audience: string;
      payload: object;
      at: Date;
    }): Promise<void> {
      state.deliveries.push({
        id: state.nextDeliveryId++,
        consentId: d.consentId,
        eventId: d.eventId,
        url: d.url,
        audience: d.audience,
        payload: structuredClone(d.payload) as Record<string, unknown>,
        attempts: 0,
        status: 'pending',
        nextAttemptAt: new Date(d.at),
      });
    },

    async anyDueDelivery(now: Date): Promise<boolean> {
      return state.deliveries.some((d) => d.status === 'pending' && d.nextAttemptAt <= now);
    },

    async claimDueDeliveries(now: Date, limit: number): Promise<Delivery[]> {
      return state.deliveries
        .filter((d) => d.status === 'pending' && d.nextAttemptAt <= now)
        .slice(0, limit)
        .map(({ id, consentId, eventId, url, audience, payload, attempts }) =>
          structuredClone({ id, consentId, eventId, url, audience, payload, attempts }),
        );
    },

    async markDelivery(
      id: number,
      result:
        | { status: 'delivered'; httpStatus: number; at: Date }
        | { status: 'pending' | 'failed'; error: string; httpStatus: number | null; nextAttemptAt: Date },
    ): Promise<void> {
      const delivery = state.deliveries.find((d) => d.id === id);
      if (!delivery) return;
      delivery.status = result.status;
      delivery.attempts += 1;
      if (result.status !== 'delivered') delivery.nextAttemptAt = new Date(result.nextAttemptAt);
    },

    async deliveries(consentId: string): Promise<{ status: string; attempts: number; eventId: number }[]> {
      return state.deliveries
        .filter((d) => d.consentId === consentId)
        .map((d) => ({ status: d.status, attempts: d.attempts, eventId: d.eventId }));
    },

    async listForSubject(
      subjectKey: string,
      page: { limit: number; after?: SubjectPageCursor | undefined },
    ): Promise<(ConsentRecord & { rank: number })[]> {
      const key = (r: ConsentRecord) => [rank(r.status), -r.createdAt.getTime(), r.id] as const;
      const before = (a: readonly [number, number, string], b: readonly [number, number, string]) =>
        a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] > b[2];
      const after = page.after;
      const cursor = after
        ? ([after.rank, -new Date(after.createdAt).getTime(), after.id] as const)
        : undefined;
      return [...state.consents.values()]
        .filter((r) => r.subjectKey === subjectKey)
        .filter((r) => !cursor || before(cursor, key(r)))
        .sort((a, b) => (before(key(a), key(b)) ? -1 : 1))
        .slice(0, page.limit + 1)
        .map((r) => ({ ...structuredClone(r), rank: rank(r.status) }));
    },

    async dueForExpiry(now: Date, limit: number): Promise<string[]> {
      return [...state.consents.values()]
        .filter(
          (r) =>
            ((r.status === 'ACTIVE' || r.status === 'PAUSED') &&
              r.validUntil !== null &&
              r.validUntil <= now) ||
            (r.status === 'REQUESTED' && r.requestExpiresAt <= now),
        )
        .map((r) => r.id)
        .sort()
        .slice(0, limit);
    },

    async redirectUris(clientId: string): Promise<string[]> {
      return [...(state.redirectUris.get(clientId) ?? [])];
    },

    async addRedirectUri(clientId: string, uri: string): Promise<void> {
      const uris = state.redirectUris.get(clientId) ?? [];
      if (!uris.includes(uri)) state.redirectUris.set(clientId, [...uris, uri]);
    },
  };
}
