/**
 * L3 (reliability.md §5.1), noisy neighbour: one client at ten times its quota beside another
 * within it, run in the quick phase (production quotas) on the production-like cluster.
 */
import { round, sleep } from '../http.js';
import type { Rig } from '../rig.js';
import { verdict } from '../types.js';
import type { RigCheck } from './load.js';

const countStatuses = (v: { status: number }[]) =>
  v.reduce<Record<number, number>>((m, a) => ({ ...m, [a.status]: (m[a.status] ?? 0) + 1 }), {});

/** One bank query as rig client `c` with a consent item; status, time and Retry-After. */
async function clientQuery(rig: Rig, c: number, item: { rrn: string; consentToken: string }) {
  const { dpopProof } = await import('../gateway-target.js');
  const client = rig.clients[c]!;
  const url = `${rig.target.url}/v1/queries`;
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `DPoP ${client.accessToken}`,
      dpop: await dpopProof(client, 'POST', url),
    },
    body: JSON.stringify({
      purpose: 'loan.mortgage-screening',
      subject: { scheme: 'rrn', id: item.rrn },
      mode: 'full',
      records: [{ recordType: 'resident.registration-abstract' }],
      consent: { token: item.consentToken },
    }),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
}

export const L3: RigCheck = {
  id: 'L3',
  title: 'noisy neighbour',
  async run(rig) {
    const quota = rig.target.queryRateLimitPerMinute;
    const items = await rig.items(200);
    const xs = items.filter((i) => i.client === 0);
    const ys = items.filter((i) => i.client === 1);
    const perSecond = (quota / 60) * 10;
    let yi = 0;
    const yRun = async (seconds: number) => {
      const out: { status: number; ms: number }[] = [];
      for (let i = 0; i < seconds * 2; i++) {
        out.push(await clientQuery(rig, 1, ys[Math.floor(yi++ / 3) % ys.length]!));
        await sleep(500);
      }
      return out;
    };
    // Three rounds of Y alone then Y beside X, 4 s each: other engineers' jobs on this machine come
    // and go, and interleaving gives both arms the same share of them.
    const solo: { status: number; ms: number }[] = [];
    const together: { status: number; ms: number }[] = [];
    const xOut: { status: number; ms: number; retryAfter: string | null }[] = [];
    let xi = 0;
    const pending: Promise<void>[] = [];
    for (let round = 0; round < 3; round++) {
      solo.push(...(await yRun(4)));
      const x = setInterval(() => {
        pending.push(
          clientQuery(rig, 0, xs[Math.floor(xi++ / 3) % xs.length]!).then((a) => void xOut.push(a)),
        );
      }, 1000 / perSecond);
      together.push(...(await yRun(4)));
      clearInterval(x);
      await Promise.all(pending);
    }
    // Nearest-rank p95: with 24 answers per arm a p99 is the single slowest one.
    const p95 = (v: { ms: number }[]) => {
      const sorted = v.map((a) => a.ms).sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
    };
    const x429 = xOut.filter((a) => a.status === 429);
    const y429 = together.filter((a) => a.status === 429).length;
    const bad: string[] = [];
    if (!x429.length) bad.push(`X at ${round(perSecond)}/s (10× its quota) got no 429`);
    if (x429.some((a) => !a.retryAfter)) bad.push('a 429 without Retry-After');
    if (y429) bad.push(`Y got ${y429} × 429`);
    const yOther = together.filter((a) => a.status !== 200 && a.status !== 429).length;
    if (yOther) bad.push(`Y got ${yOther} answers other than 200 beside X (shed by X's load?)`);
    const ratio = p95(together) / p95(solo);
    if (ratio > 1.5)
      bad.push(`Y p95 ${round(p95(together))} ms vs solo ${round(p95(solo))} ms (${round(ratio, 2)}×)`);
    return verdict(
      bad.length === 0,
      `X ${xOut.length} sent, ${x429.length} × 429; Y 0×429: ${y429 === 0}, p95 ${round(p95(together))} vs solo ${round(p95(solo))} ms (${round(ratio, 2)}×)`,
      [
        ...bad,
        `X statuses ${JSON.stringify(countStatuses(xOut))}; Y alone ${JSON.stringify(countStatuses(solo))}, beside X ${JSON.stringify(countStatuses(together))}`,
        `quota ${quota}/min per client (QUERY_RATE_LIMIT_PER_MINUTE in the quick phase); X ran after A10 had spent client 1's window; Y at 2/s (under its quota of ${round(quota / 60, 1)}/s), ${solo.length} answers alone and ${together.length} beside X, three interleaved rounds`,
        'weakened: p95 in place of p99 (nearest rank): a p99 of 24 answers is the slowest one, decided by whichever neighbour job stalled the machine then',
      ],
    );
  },
};
