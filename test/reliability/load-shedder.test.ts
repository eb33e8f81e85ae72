/** Regression for reliability check L2: overload is shed with 503 at once, not queued. */
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { createLoadShedder, loadShedding } from '../../server/limits/load-shedder.js';

const settings = { targetLatencyMs: 100, minInFlight: 2, maxInFlight: 8 };

describe('load shedding (reliability L2)', () => {
  it('admits a burst up to the cap on a quiet process', () => {
    const s = createLoadShedder(settings);
    const admitted = Array.from({ length: 10 }, () => s.tryEnter()).filter(Boolean).length;
    expect(admitted).to.equal(8);
  });

  it('lowers the limit while saturated answers are slow, down to the floor, and recovers', () => {
    const s = createLoadShedder(settings);
    for (let i = 0; i < 40; i++) {
      while (s.tryEnter());
      s.leave(400);
    }
    expect(s.limit()).to.equal(2);
    // Saturated and timely: up by 1/limit per answer.
    for (let i = 0; i < 6; i++) {
      while (s.tryEnter());
      s.leave(20);
    }
    expect(s.limit()).to.be.within(3, 4);
    // Quiet and timely: back up to the cap.
    while (s.inFlight() > 0) s.leave(20);
    for (let i = 0; i < 10; i++) {
      s.tryEnter();
      s.leave(20);
    }
    expect(s.limit()).to.equal(8);
  });

  it('after a quiet spell admits twice what it lately answered in time (at least a quarter of the cap)', () => {
    let clock = 0;
    const s = createLoadShedder({ targetLatencyMs: 100, minInFlight: 2, maxInFlight: 64, now: () => clock });
    // Quiet traffic, one request at a time, for a minute: the AIMD limit stays at the cap (64).
    for (; clock < 60_000; clock += 100) {
      s.tryEnter();
      s.leave(20);
    }
    expect(s.limit()).to.equal(64);
    // What a fresh process could take has been forgotten: a burst gets a quarter of the cap.
    expect(s.admits()).to.equal(16);
    const burst = Array.from({ length: 64 }, () => s.tryEnter()).filter(Boolean).length;
    expect(burst).to.equal(16);
    // Answered in time at 16 in flight: twice that is admitted next.
    s.leave(20);
    expect(s.admits()).to.equal(32);
    // Forgotten again after a quiet minute.
    while (s.inFlight() > 0) s.leave(20);
    clock += 60_000;
    expect(s.admits()).to.equal(16);
  });

  it('cuts from what was in flight, not from a limit far above it', () => {
    const s = createLoadShedder(settings);
    for (let i = 0; i < 4; i++) s.tryEnter();
    s.leave(400);
    expect(s.limit()).to.equal(3);
  });

  it('leaves the limit alone for a slow answer at low concurrency (a slow machine, not a queue)', () => {
    const s = createLoadShedder(settings);
    for (let i = 0; i < 20; i++) {
      s.tryEnter();
      s.leave(900);
    }
    expect(s.limit()).to.equal(8);
  });

  it('answers 503 problem+json with Retry-After itself for API paths over the limit; other paths pass', async () => {
    const s = createLoadShedder({ targetLatencyMs: 100, minInFlight: 1, maxInFlight: 1 });
    let shed = 0;
    let release: () => void = () => undefined;
    const app = express();
    app.use(loadShedding(s, () => shed++));
    app.get('/v1/slow', (_req, res) => void (release = () => res.json({ ok: true })));
    app.get('/v1/fast', (_req, res) => res.json({ ok: true }));
    app.get('/readyz', (_req, res) => res.json({ ok: true }));
    // The gateway's error chain authenticates and audits refused queries: shedding must not reach it.
    let errorSteps = 0;
    app.use(((err, _req, _res, next) => {
      errorSteps++;
      next(err);
    }) as express.ErrorRequestHandler);
    const agent = request(app);
    const slow = agent.get('/v1/slow').then((r) => r.status);
    while (s.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));
    const refused = await agent.get('/v1/fast');
    expect(refused.status).to.equal(503);
    expect(refused.headers['retry-after']).to.equal('1');
    expect(refused.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(JSON.parse(refused.text)).to.include({ status: 503, code: 'service_unavailable' });
    expect(errorSteps).to.equal(0);
    expect((await agent.get('/readyz')).status).to.equal(200);
    release();
    expect(await slow).to.equal(200);
    expect((await agent.get('/v1/fast')).status).to.equal(200);
    expect(shed).to.equal(1);
  });
});
