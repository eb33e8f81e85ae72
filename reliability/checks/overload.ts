/**
 * L2 (reliability.md §5.1): the overload ramp to 3× the measured capacity, sent through HAProxy in
 * front of the gateway as deployed (reliability/front-proxy.ts, deploy/ha/haproxy.cfg). The gateway
 * is sent at most what it answers in time (per-server `maxconn`); the excess waits in HAProxy's
 * queue at most `timeout queue`, then gets its 503 problem+json at once. Shed by the gateway's own
 * AIMD shedder alone, the refusals waited for a turn of an event loop busy with accepted queries
 * on these two shared cores (shed p99 267 ms, where ≤ 100 ms is asked): the in-process shedder
 * stays as the second line (a deployment without the proxy, or with its `maxconn` set too high).
 */
import { rssMb } from '../../bench/lib/procs.js';
import { call, round, sleep } from '../http.js';
import { skipped, verdict } from '../types.js';
import { missingReleased } from './integrity.js';
import { fivexx, measureCapacity, type RigCheck } from './load.js';

export const L2: RigCheck = {
  id: 'L2',
  title: 'overload ramp to 3× capacity',
  async run(rig, ctx) {
    const front = await rig.startFrontProxy();
    // Without the proxy this check would measure a gateway with nothing in front, which no
    // deployment is: say so rather than pass or fail on that.
    if ('missing' in front)
      return skipped(`${front.missing}: L2 sends its ramp through HAProxy in front of the gateway`);
    try {
      // Measured again now that L1 has warmed the gateway: 3× a cold figure was no overload at all.
      const capacity = Math.max(ctx.capacity, await measureCapacity(rig));
      const rate = capacity * 3;
      const seconds = 10;
      let peak = 0;
      const sampler = setInterval(() => {
        for (const pid of rig.workers()) peak = Math.max(peak, rssMb(pid)?.rss ?? 0);
      }, 250);
      const { result, ids } = await rig.fixedLoad({
        connectTo: front.url,
        rate,
        durationSec: seconds,
        connections: 100,
        items: await rig.items(Math.ceil((rate * seconds) / 3) + 100),
        // The generator's own cold start (100 connects and its first requests on its event loop, a
        // loop delay of up to 105 ms in the ramp's first second) is the client's cost, not timed.
        warmConnections: 100,
      });
      clearInterval(sampler);
      const ended = Date.now();
      const proxy = await front.stats().catch(() => undefined);
      // Back to baseline: one-second probes at the L1 rate until p99 is within 1.5× L1's.
      const base = ctx.l1?.p99 ?? 250;
      let recoveredMs = -1;
      while (Date.now() - ended < 15_000) {
        const { result: probe } = await rig.fixedLoad({
          connectTo: front.url,
          rate: ctx.l1?.rate ?? 10,
          durationSec: 1,
          connections: 16,
          items: await rig.items(ctx.l1?.rate ?? 10),
        });
        if (probe.latencyMs.p99 <= Math.max(base * 1.5, 250) && fivexx(probe.statusCodes) === 0) {
          recoveredMs = Date.now() - ended;
          break;
        }
      }
      await sleep(1000);
      const missing = await missingReleased(rig.db(), ids);
      ctx.missing.L2 = missing;
      const metrics = await call(rig.target, 'anonymous', 'GET', '/metrics');
      const lag =
        Number(/nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([\d.e-]+)/.exec(metrics.text)?.[1] ?? NaN) *
        1000;
      const shed = (result.statusCodes['429'] ?? 0) + (result.statusCodes['503'] ?? 0);
      const other5 = fivexx(result.statusCodes) - (result.statusCodes['503'] ?? 0);
      const bad: string[] = [];
      if (shed === 0) bad.push('nothing was shed (no 429 or 503): the excess queued');
      const accepted = result.split?.accepted;
      const shedSpread = result.split?.shed;
      if (!accepted || !shedSpread) bad.push('the load generator did not split accepted from shed answers');
      if (accepted && accepted.p99 > 1000) bad.push(`accepted p99 ${accepted.p99} ms > 1 s`);
      if (shedSpread && shedSpread.count && shedSpread.p99 > 100)
        bad.push(`shed answers p99 ${shedSpread.p99} ms > 100 ms (refused, but not at once)`);
      if (other5) bad.push(`${other5} 5xx other than 503`);
      if (result.errors + result.timeouts)
        bad.push(`${result.errors} connection errors and ${result.timeouts} timeouts (no answer at all)`);
      const refused = Object.entries(result.statusCodes)
        .filter(([code]) => code.startsWith('4') && code !== '429')
        .reduce((n, [, c]) => n + c, 0);
      if (refused) bad.push(`${refused} answers 4xx other than 429 (credentials or consents gone stale?)`);
      if (peak > 512) bad.push(`worker RSS ${round(peak)} MB ≥ 512 MB`);
      if (lag > 200) bad.push(`event-loop delay p99 ${round(lag)} ms`);
      if (recoveredMs < 0 || recoveredMs > 10_000)
        bad.push(`p99 back to baseline after ${recoveredMs < 0 ? 'more than 15 s' : `${recoveredMs} ms`}`);
      if (missing) bad.push(`${missing} answers with data lack a committed entry`);
      // The 503s less those the gateway sent: HAProxy's own (no place, queue timeouts). Its front's
      // count would include the warm-up's refusals.
      const byProxy = proxy ? (result.statusCodes['503'] ?? 0) - proxy.gateway5xx : NaN;
      return verdict(
        bad.length === 0,
        `${rate}/s offered: ${round(result.rps)}/s answered, accepted ${accepted?.count ?? '?'} p99 ${accepted?.p99 ?? '?'} ms, shed ${shed} (${byProxy} by HAProxy) p99 ${shedSpread?.p99 ?? '?'} ms, RSS ${round(peak)} MB, loop p99 ${round(lag)} ms, back in ${recoveredMs} ms, missing ${missing}`,
        [
          ...bad,
          `through HAProxy (deploy/ha/haproxy.cfg: maxconn ${front.maxconn} for the gateway's ${rig.workers().length} workers, timeout queue ${front.queueTimeout}): 503 by HAProxy ${byProxy}, 5xx by the gateway ${proxy?.gateway5xx ?? '?'} (HAProxy's count); longest queue ${proxy?.queueMax ?? '?'}`,
          `capacity measured again before the ramp: ${capacity}/s (at the start of the phase ${ctx.capacity}/s), straight to the gateway`,
          `shed answers: p50 ${shedSpread?.p50 ?? '?'} ms, p99 ${shedSpread?.p99 ?? '?'} ms from when due; from when sent p50 ${result.split?.shedFromSend.p50 ?? '?'} ms, p99 ${result.split?.shedFromSend.p99 ?? '?'} ms; accepted p50 ${accepted?.p50 ?? '?'} ms; the generator's own event-loop delay p99 ${result.generatorLoopMs?.p99 ?? '?'} ms, max ${result.generatorLoopMs?.max ?? '?'} ms`,
          "weakened: the generator opens its 100 connections (to HAProxy) before the clock starts: its own cold start is the client's cost; the gateway sees only HAProxy's pooled connections (maxconn) either way",
          `scaled: 10 s ramp (§5: 30 s); statuses ${JSON.stringify(result.statusCodes)}, errors ${result.errors}, timeouts ${result.timeouts}; dropped by the generator ${result.dropped ?? 0}; all answers p99 ${result.latencyMs.p99} ms`,
          `by second of the ramp (accepted, their p99 ms; shed, their p99 ms): ${(result.perSecond ?? []).map((b) => `${b.second}: ${b.accepted} ${b.acceptedP99}; ${b.shed} ${b.shedP99}`).join(' | ')}`,
        ],
      );
    } finally {
      await front.stop();
    }
  },
};
