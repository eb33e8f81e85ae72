// The shared fixed-window budgets in PostgreSQL, and the query gateway's limits built on them.
import { expect } from 'chai';
import { pino } from 'pino';
import { AppError } from '../../../server/errors.js';
import { createRateLimiter, secondsLeftInWindow } from '../../../server/limits/rate-limiter.js';
import { createRateWindowsRepo } from '../../../server/limits/rate-windows.repo.js';
import { createQueryLimits } from '../../../server/queries/limits.js';
import { queriesCleanup } from '../../../server/queries/queries.cleanup.js';
import { createQueriesRepo } from '../../../server/queries/queries.repo.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';

async function refusal(work: Promise<unknown>): Promise<AppError | undefined> {
  try {
    await work;
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

describe('rate limits in PostgreSQL', function () {
  this.timeout(30_000);
  let database: TestDatabase;

  before(async () => {
    database = await freshDatabase();
  });

  it('knows how long each window has left', () => {
    expect(secondsLeftInWindow('minute', new Date('2030-01-01T00:00:00Z'))).to.equal(60);
    expect(secondsLeftInWindow('minute', new Date('2030-01-01T00:00:59.900Z'))).to.equal(1);
    expect(secondsLeftInWindow('hour', new Date('2030-01-01T07:59:30Z'))).to.equal(30);
    expect(secondsLeftInWindow('hour', new Date('2030-01-01T07:00:00Z'))).to.equal(3600);
  });

  it('counts every bucket of a request in one statement and starts again in the next window', async () => {
    const windows = createRateWindowsRepo(database.db);
    const buckets = [
      { key: 'test:a', window: 'minute' as const },
      { key: 'test:b', window: 'hour' as const },
    ];
    expect(await windows.take(buckets, new Date('2030-01-01T08:10:05Z'))).to.deep.equal([1, 1]);
    expect(await windows.take(buckets, new Date('2030-01-01T08:10:59Z'))).to.deep.equal([2, 2]);
    // The next minute is a new window for a; the hour is still the same for b.
    expect(await windows.take(buckets, new Date('2030-01-01T08:11:00Z'))).to.deep.equal([1, 3]);
    expect(await windows.take([buckets[1]!], new Date('2030-01-01T09:00:00Z'))).to.deep.equal([1]);
  });

  it('refuses over any budget with the Retry-After of the longest exceeded window', async () => {
    const limiter = createRateLimiter(createRateWindowsRepo(database.db));
    const at = new Date('2030-01-02T10:20:15Z');
    const budgets = [
      { key: 'test:client', window: 'minute' as const, limit: 2 },
      { key: 'test:subject', window: 'hour' as const, limit: 3 },
    ];
    await limiter.admit(budgets, at);
    await limiter.admit(budgets, at);
    const third = await refusal(limiter.admit(budgets, at));
    expect(third?.status).to.equal(429);
    expect(third?.code).to.equal('rate_limited');
    expect(third?.headers).to.deep.equal({ 'Retry-After': '45' });
    const fourth = await refusal(limiter.admit(budgets, at));
    expect(fourth?.headers).to.deep.equal({ 'Retry-After': '2385' });
  });

  it('keeps the query budget per requester and the harvesting cap per hour', async () => {
    const limits = createQueryLimits(
      createQueriesRepo(database.db),
      { requestsPerMinute: 3, flagSubjectsPerHour: 1, maxSubjectsPerHour: 2 },
      { logger: pino({ level: 'silent' }) },
    );
    const at = new Date('2030-01-03T06:30:50Z');
    await limits.admit({ requester: 'client:q', subjectKey: 's1', now: at });
    await limits.admit({ requester: 'client:q', subjectKey: 's2', now: at });
    const harvesting = await refusal(limits.admit({ requester: 'client:q', subjectKey: 's3', now: at }));
    expect(harvesting?.status).to.equal(429);
    expect(harvesting?.extensions).to.deep.equal({ reason: 'harvesting_cap' });
    expect(harvesting?.headers).to.deep.equal({ 'Retry-After': '1750' });
    const budget = await refusal(limits.admit({ requester: 'client:q', subjectKey: 's1', now: at }));
    expect(budget?.code).to.equal('rate_limited');
    expect(budget?.extensions).to.equal(undefined);
    expect(budget?.headers).to.deep.equal({ 'Retry-After': '10' });
    // Another requester has its own budget.
    await limits.admit({ requester: 'client:other', subjectKey: 's1', now: at });
  });

  it('sweeps ended windows, old harvesting rows and expired idempotency records, keeping the current ones', async () => {
    const db = database.db;
    const now = new Date('2030-01-04T12:30:00Z');
    const windows = createRateWindowsRepo(db);
    await windows.take([{ key: 'sweep:old', window: 'minute' }], new Date('2030-01-04T11:29:00Z'));
    await windows.take([{ key: 'sweep:this-hour', window: 'hour' }], new Date('2030-01-04T12:00:00Z'));
    const repo = createQueriesRepo(db);
    await repo.admit({
      requester: 'client:sweep',
      subjectKey: 'old-subject',
      now: new Date('2030-01-04T10:05:00Z'),
    });
    await repo.admit({
      requester: 'client:sweep',
      subjectKey: 'new-subject',
      now: new Date('2030-01-04T12:05:00Z'),
    });
    await repo.claimIdempotencyKey('client:sweep', 'expired', 'h1', new Date('2030-01-04T12:29:59Z'));
    await repo.claimIdempotencyKey('client:sweep', 'live', 'h2', new Date('2030-01-04T12:40:00Z'));

    const task = queriesCleanup(repo, pino({ level: 'silent' }), { now: () => now, intervalMs: 60_000 });
    task.start();
    await task.stop();

    const keys = (await db('rate_window').where('requester', 'like', 'sweep:%').pluck('requester')).sort();
    expect(keys).to.deep.equal(['sweep:this-hour']);
    expect(
      await db('subject_access_hour').where({ requester: 'client:sweep' }).pluck('subject_key'),
    ).to.deep.equal(['new-subject']);
    expect(await db('query_idempotency').where({ requester: 'client:sweep' }).pluck('key')).to.deep.equal([
      'live',
    ]);
  });
});
